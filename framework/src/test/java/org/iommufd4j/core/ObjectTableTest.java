package org.iommufd4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

class ObjectTableTest {
    /** An object that can hold another, as an HWPT holds its IOAS. */
    static final class Node extends IommufdObject {
        final IommufdObject parent;
        int destroyed;

        Node(IommufdObject parent) {
            super(ObjectType.SELFTEST);
            this.parent = parent;
            if (parent != null) {
                parent.ref();
            }
        }

        @Override
        protected void destroy() {
            destroyed++;
            if (parent != null) {
                parent.unref();
            }
        }
    }

    private final FailNth failNth = new FailNth();
    private final ObjectTable table = new ObjectTable(failNth, d -> { });

    private Node live(Node n) {
        table.reserve(n);
        table.finalizeObject(n);
        return n;
    }

    @Test
    void idsAreTheLowestFreeFromOne() {
        Node a = live(new Node(null));
        Node b = live(new Node(null));
        Node c = live(new Node(null));
        assertEquals(List.of(1, 2, 3), List.of(a.id(), b.id(), c.id()));
        table.destroy(2);
        assertEquals(2, live(new Node(null)).id());
        assertEquals(4, live(new Node(null)).id());
    }

    @Test
    void reservedObjectsAreInvisibleAndAbortFreesTheId() {
        Node n = table.reserve(new Node(null));
        assertEquals(Errno.ENOENT, assertThrows(IommufdException.class, () -> table.get(n.id(), Node.class)).errno());
        assertEquals(Errno.ENOENT, assertThrows(IommufdException.class, () -> table.destroy(n.id())).errno());
        table.abortObject(n);
        assertEquals(1, n.destroyed, "abort runs the destroy path by default");
        assertEquals(0, table.size());
        assertEquals(1, live(new Node(null)).id());
    }

    @Test
    void lookupChecksIdAndType() {
        Node n = live(new Node(null));
        assertEquals(Errno.ENOENT, assertThrows(IommufdException.class, () -> table.get(0, IommufdObject.class)).errno());
        assertEquals(Errno.ENOENT, assertThrows(IommufdException.class, () -> table.get(99, IommufdObject.class)).errno());
        assertEquals(Errno.ENOENT, assertThrows(IommufdException.class, () -> table.get(n.id(), OtherObject.class)).errno());
        Node got = table.get(n.id(), Node.class);
        assertEquals(n, got);
        table.put(got);
    }

    static final class OtherObject extends IommufdObject {
        OtherObject() {
            super(ObjectType.IOAS);
        }

        @Override
        protected void destroy() {
        }
    }

    @Test
    void destroyOfAHeldObjectIsEbusyAndChangesNothing() {
        Node parent = live(new Node(null));
        Node child = live(new Node(parent));
        assertEquals(Errno.EBUSY, assertThrows(IommufdException.class, () -> table.destroy(parent.id())).errno());
        assertEquals(2, table.size());
        assertEquals(2, parent.users());
        table.destroy(child.id());
        table.destroy(parent.id());
        assertEquals(0, table.size());
        assertEquals(1, parent.destroyed);
    }

    @Test
    void destroyWhileLookedUpIsEbusy() {
        Node n = live(new Node(null));
        Node held = table.get(n.id(), Node.class);
        assertEquals(Errno.EBUSY, assertThrows(IommufdException.class, () -> table.destroy(n.id())).errno());
        table.put(held);
        table.destroy(n.id());
    }

    @Test
    void destroyAllTakesLeavesFirst() {
        Node root = live(new Node(null));
        Node mid = live(new Node(root));
        Node leaf = live(new Node(mid));
        List<IommufdObject> stuck = table.destroyAll();
        assertTrue(stuck.isEmpty());
        assertEquals(0, table.size());
        assertEquals(List.of(1, 1, 1), List.of(root.destroyed, mid.destroyed, leaf.destroyed));
    }

    @Test
    void injectedAllocationFailureLeavesTheTableUnchanged() {
        live(new Node(null));
        failNth.arm(1);
        IommufdException e = assertThrows(IommufdException.class, () -> table.reserve(new Node(null)));
        assertEquals(Errno.ENOMEM, e.errno());
        assertEquals(0, failNth.disarm(), "the armed failure fired");
        assertEquals(1, table.size());
        assertEquals(2, live(new Node(null)).id());
    }

    @Test
    void snapshotListsLiveObjectsInIdOrder() {
        List<Node> nodes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            nodes.add(live(new Node(null)));
        }
        table.reserve(new Node(null));
        assertEquals(nodes, table.snapshot());
    }
}
