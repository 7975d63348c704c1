package org.iommufd4j.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/** The engine's algorithm through the x86-64 format: page-size choice, unmap rules, errors, undo. */
class PageTableTest {
    private static final long K4 = 1L << 12;
    private static final long M2 = 1L << 21;
    private static final long G1 = 1L << 30;
    private static final int RW = Prot.READ | Prot.WRITE;

    private final FailNth failNth = new FailNth();
    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, failNth);
    private final PageTable pt = new PageTable(X8664Format.fourLevel(), memory);

    private List<Leaf> leaves() {
        List<Leaf> out = new ArrayList<>();
        pt.forEachLeaf(0, 1L << 47, out::add);
        return out;
    }

    private Errno errnoOf(Runnable r) {
        return assertThrows(IommufdException.class, r::run).errno();
    }

    @Test
    void mapsWithTheLargestPageThatFitsAtEachStep() {
        // 4K-aligned start, crosses a 2M boundary, ends 4K past a 2M boundary.
        long iova = M2 - 2 * K4;
        pt.map(iova, iova, K4, (2 * K4 + 2 * M2 + K4) / K4, RW);
        List<Leaf> l = leaves();
        long[] sizes = l.stream().mapToLong(Leaf::pageSize).toArray();
        assertEquals(List.of(K4, K4, M2, M2, K4), java.util.Arrays.stream(sizes).boxed().toList());
        for (long va = iova; va < iova + 2 * K4 + 2 * M2 + K4; va += K4) {
            assertEquals(va, pt.iovaToPhys(va));
        }
    }

    @Test
    void mixedSizesGiveTwentyEntries() {
        // kunit_iommu_pt.h test_mixed: [0x3fe400 << 12, 0x4c0600 << 12) with 2M and 1G pages.
        long start = 0x3fe400L << 12;
        long end = 0x4c0600L << 12;
        pt.map(start, start, M2, (end - start) / M2, RW);
        List<Leaf> l = leaves();
        assertEquals(20, l.size());
        assertEquals(3, l.stream().filter(x -> x.pageSize() == G1).count());
        assertEquals(17, l.stream().filter(x -> x.pageSize() == M2).count());
    }

    @Test
    void outputAlignmentLimitsThePageSize() {
        pt.map(0, K4, K4, 512, RW); // iova 2M-aligned, pa only 4K-aligned
        assertEquals(512, leaves().size());
    }

    @Test
    void unmapRemovesAWholeLargePageAndReportsItsSize() {
        pt.map(M2, 0, M2, 1, RW);
        assertEquals(M2, pt.unmap(M2, K4, 1));
        assertEquals(0, pt.iovaToPhys(M2));
    }

    @Test
    void unmapInsideALargePageIsRefusedAndChangesNothing() {
        pt.map(M2, 0, M2, 1, RW);
        assertEquals(Errno.EINVAL, errnoOf(() -> pt.unmap(M2 + K4, K4, 1)));
        assertEquals(K4, pt.iovaToPhys(M2 + K4));
    }

    @Test
    void unmapOfNothingIsENOENT() {
        assertEquals(Errno.ENOENT, errnoOf(() -> pt.unmap(G1, K4, 4)));
    }

    @Test
    void unmapSkipsHolesAndReturnsBytesRemoved() {
        pt.map(0, 0, K4, 1, RW);
        pt.map(8 * K4, 0x10000, K4, 2, RW);
        assertEquals(3 * K4, pt.unmap(0, K4, 16));
        assertTrue(leaves().isEmpty());
    }

    @Test
    void tablesAreFreedWhenTheyBecomeEmpty() {
        long before = memory.allocatedFrames();
        assertEquals(1, pt.tableFrames());
        pt.map(0x1000, 0x1000, K4, 1, RW);
        pt.map(0x80_0000_0000L, 0x2000, K4, 1, RW); // PML4 index 1: a second PDPT, PD and PT
        assertEquals(1 + 3 + 3, pt.tableFrames());
        assertEquals(before + 6, memory.allocatedFrames());
        pt.unmap(0x1000, K4, 1);
        assertEquals(1 + 3, pt.tableFrames());
        pt.unmap(0x80_0000_0000L, K4, 1);
        assertEquals(1, pt.tableFrames());
        assertEquals(before, memory.allocatedFrames());
    }

    @Test
    void overmapIsEADDRINUSEAndUndoesWhatTheCallWrote() {
        pt.map(8 * K4, 0x80000, K4, 1, RW);
        long frames = pt.tableFrames();
        assertEquals(Errno.EADDRINUSE, errnoOf(() -> pt.map(0, 0, K4, 16, RW)));
        assertEquals(frames, pt.tableFrames());
        assertEquals(1, leaves().size());
        assertEquals(0x80000L, pt.iovaToPhys(8 * K4));
    }

    @Test
    void mappingALargePageOverSmallOnesIsEADDRINUSE() {
        pt.map(K4, K4, K4, 1, RW);
        assertEquals(Errno.EADDRINUSE, errnoOf(() -> pt.map(0, 0, M2, 1, RW)));
        assertEquals(1, leaves().size());
    }

    @Test
    void badArgumentsGetLinuxErrnosAndChangeNothing() {
        assertEquals(Errno.EINVAL, errnoOf(() -> pt.map(0, 0, K4, 1, 0)));
        assertEquals(Errno.EINVAL, errnoOf(() -> pt.map(0x800, 0, K4, 1, RW)));
        assertEquals(Errno.EINVAL, errnoOf(() -> pt.map(0, 0x800, K4, 1, RW)));
        assertEquals(Errno.EINVAL, errnoOf(() -> pt.map(0, 0, 8192, 1, RW)));
        assertEquals(Errno.EINVAL, errnoOf(() -> pt.map(0, 0, K4, 0, RW)));
        assertEquals(Errno.ERANGE, errnoOf(() -> pt.map(0, 1L << 52, K4, 1, RW)));
        assertEquals(Errno.ERANGE, errnoOf(() -> pt.map(1L << 47, 0, K4, 1, RW)));
        assertEquals(Errno.EOVERFLOW, errnoOf(() -> pt.map(-K4, 0, K4, 2, RW)));
        assertEquals(Errno.EINVAL, errnoOf(() -> pt.unmap(0x800, K4, 1)));
        assertEquals(Errno.ERANGE, errnoOf(() -> pt.unmap(1L << 47, K4, 1)));
        assertTrue(leaves().isEmpty());
        assertEquals(1, pt.tableFrames());
    }

    @Test
    void everyInjectedAllocationFailureLeavesTheTableUnchanged() {
        pt.map(0, 0, K4, 1, RW);
        long frames = pt.tableFrames();
        long allocated = memory.allocatedFrames();
        for (int n = 1;; n++) {
            failNth.arm(n);
            try {
                pt.map(0x80_0000_0000L, K4, K4, 1024, RW); // needs a PDPT, a PD and two PTs
            } catch (IommufdException e) {
                assertEquals(Errno.ENOMEM, e.errno());
                assertEquals(frames, pt.tableFrames());
                assertEquals(allocated, memory.allocatedFrames());
                assertEquals(1, leaves().size());
                continue;
            } finally {
                failNth.disarm();
            }
            assertEquals(5, n, "the map allocates 4 tables");
            break;
        }
        assertEquals(K4 + 1023 * K4, pt.iovaToPhys(0x80_0000_0000L + 1023 * K4));
    }

    @Test
    void gatherCoversUnmappedRangeAndFreedTables() {
        pt.map(0, 0, K4, 1, RW); // keeps the PD alive
        pt.map(M2 + K4, 0, K4, 4, RW);
        IotlbGather g = new IotlbGather();
        pt.unmap(M2 + K4, K4, 4, g);
        // The PT that became empty spans 2M..4M-1: its walk-cache entries must go too.
        assertEquals(M2, g.start());
        assertEquals(2 * M2 - 1, g.last());
        assertTrue(g.tablesFreed());
        g.reset();
        pt.unmap(0, K4, 1, g);
        assertEquals(0, g.start());
    }

    @Test
    void destroyFreesEveryFrame() {
        long before = memory.allocatedFrames() - pt.tableFrames();
        pt.map(0, 0, K4, 3000, RW);
        pt.map(0x7f00_0000_0000L, 0, M2, 3, RW);
        pt.destroy();
        assertEquals(before, memory.allocatedFrames());
        assertNull(null);
    }
}
