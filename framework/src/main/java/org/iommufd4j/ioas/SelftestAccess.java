package org.iommufd4j.ioas;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.memory.UserMemory;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The kernel selftest's emulated device ({@code struct selftest_access}, selftest.c): an
 * {@link IommufdAccess} whose pins are numbered items, as the IOMMU_TEST_CMD ops CREATE_ACCESS,
 * ACCESS_PAGES, DESTROY_ACCESS_PAGES, ACCESS_RW and ACCESS_REPLACE_IOAS use it. Its unmap
 * callback destroys every item the unmapped range touches, so a later
 * {@link #destroyPages DESTROY_ACCESS_PAGES} of such an item is ENOENT.
 *
 * <p>The item list is never locked across a call into the access (which takes the
 * io_pagetable's lock), so the callback, which runs under the io_pagetable's lock, cannot
 * deadlock against a pin. The cost, as the kernel's comment on this driver warns: an IOAS unmap
 * racing with an ACCESS_PAGES of the same range may see the pin before its item exists and fail
 * EBUSY.
 */
public final class SelftestAccess {
    /** {@code MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES}. */
    public static final int CREATE_NEEDS_PIN_PAGES = 1 << 0;
    /** {@code MOCK_FLAGS_ACCESS_WRITE} of ACCESS_PAGES. */
    public static final int PAGES_WRITE = 1 << 0;
    /** {@code MOCK_ACCESS_RW_WRITE}. */
    public static final int RW_WRITE = 1 << 0;
    /** {@code MOCK_ACCESS_RW_SLOW_PATH}. */
    public static final int RW_SLOW_PATH = 1 << 2;
    /** The selftest refuses larger ACCESS_PAGES and ACCESS_RW (a syzkaller guard): ENOMEM. */
    public static final long MAX_LENGTH = 16L << 20;

    private record Item(int id, long iova, long length) {
    }

    private final FailNth failNth;
    private final Object lock = new Object();
    private final List<Item> items = new ArrayList<>();
    private IommufdAccess access;
    private int nextId;
    /** The context closed first and destroyed the access; closing the fd has nothing left to do. */
    private volatile boolean closedWithContext;
    private boolean destroyed;

    private SelftestAccess(FailNth failNth) {
        this.failNth = failNth;
    }

    /**
     * CREATE_ACCESS: an access attached to IOAS {@code ioasId}; {@code flags} may only hold
     * {@link #CREATE_NEEDS_PIN_PAGES} (else EOPNOTSUPP). When attaching fails the access is
     * destroyed again.
     */
    public static SelftestAccess create(IommufdContext ctx, int ioasId, int flags) {
        if ((flags & ~CREATE_NEEDS_PIN_PAGES) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "create_access.flags 0x" + Integer.toHexString(flags) + " has unknown bits");
        }
        SelftestAccess st = new SelftestAccess(ctx.device().failNth());
        boolean pin = (flags & CREATE_NEEDS_PIN_PAGES) != 0;
        st.access = IommufdAccess.create(ctx, new IommufdAccess.Ops() {
            @Override
            public boolean needsPinPages() {
                return pin;
            }

            @Override
            public void unmap(long iova, long length) {
                st.unmapItems(iova, length);
            }

            @Override
            public boolean contextClosed() {
                // The access fd outlives the context here (the kernel would keep the context
                // open instead); the close destroys the access and the fd's close does nothing.
                st.closedWithContext = true;
                return true;
            }
        });
        try {
            st.access.attach(ioasId);
        } catch (RuntimeException e) {
            st.access.destroyAccess();
            throw e;
        }
        return st;
    }

    /** The access object. */
    public IommufdAccess access() {
        return access;
    }

    /** The access object's ID. */
    public int id() {
        return access.id();
    }

    /** Items still pinned. */
    public int itemCount() {
        synchronized (lock) {
            return items.size();
        }
    }

    /**
     * ACCESS_PAGES: pins [iova, iova+length) through the access and returns the new item's ID.
     * When {@code uptr} is not 0 the pinned frames must be the ones {@code caller} has at uptr
     * (adjusted down to iova's page): a page not mapped there is EFAULT, another frame EBADE.
     * EOPNOTSUPP for unknown flags or an access created without NEEDS_PIN_PAGES; ENOMEM above
     * 16 MiB. A failure after pinning unpins again.
     */
    public int pinPages(UserMemory caller, long iova, long length, long uptr, int flags) {
        if (Long.compareUnsigned(length, MAX_LENGTH) > 0) {
            throw new IommufdException(Errno.ENOMEM, "access_pages.length 0x" + Long.toHexString(length) + " is above 16 MiB");
        }
        if ((flags & ~PAGES_WRITE) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "access_pages.flags 0x" + Integer.toHexString(flags) + " has unsupported bits");
        }
        if (!access.needsPinPages()) {
            throw new IommufdException(Errno.EOPNOTSUPP, access + " was created without NEEDS_PIN_PAGES");
        }
        // kvcalloc of the page array
        failNth.check("selftest page array allocation", Errno.ENOMEM);
        long[] pfns = access.pinPages(iova, length, (flags & PAGES_WRITE) != 0 ? AccessFlags.WRITE : AccessFlags.READ);
        try {
            if (uptr != 0) {
                checkPages(caller, uptr - (iova & (PAGE_SIZE - 1)), pfns);
            }
            // kzalloc of the item
            failNth.check("selftest_access_item allocation", Errno.ENOMEM);
        } catch (RuntimeException e) {
            access.unpinPages(iova, length);
            throw e;
        }
        synchronized (lock) {
            Item item = new Item(nextId++, iova, length);
            items.add(item);
            return item.id;
        }
    }

    /** iommufd_test_check_pages: each pinned frame must be the one the caller maps at uptr. */
    private static void checkPages(UserMemory caller, long uptr, long[] pfns) {
        if (!(caller instanceof UserProcess process)) {
            throw new IommufdException(Errno.EFAULT, "access_pages.uptr: the caller has no address space");
        }
        long va = uptr & -PAGE_SIZE;
        for (int i = 0; i < pfns.length; i++, va += PAGE_SIZE) {
            long pfn = process.frameAt(va);
            if (pfn == 0) {
                throw new IommufdException(Errno.EFAULT, "access_pages.uptr page 0x" + Long.toHexString(va) + " is not mapped");
            }
            if (pfn != pfns[i]) {
                throw new IommufdException(Errno.EBADE, "IOVA page " + i + " pinned frame 0x" + Long.toHexString(pfns[i] << PAGE_SHIFT)
                        + " but the user maps 0x" + Long.toHexString(pfn << PAGE_SHIFT) + " at 0x" + Long.toHexString(va));
            }
        }
    }

    /** DESTROY_ACCESS_PAGES: unpins item {@code itemId}; ENOENT when there is none (an unmap removed it). */
    public void destroyPages(int itemId) {
        Item found = null;
        synchronized (lock) {
            for (Iterator<Item> it = items.iterator(); it.hasNext();) {
                Item item = it.next();
                if (item.id == itemId) {
                    it.remove();
                    found = item;
                    break;
                }
            }
        }
        if (found == null) {
            throw new IommufdException(Errno.ENOENT, access + " has no pinned item " + Integer.toUnsignedString(itemId));
        }
        access.unpinPages(found.iova, found.length);
    }

    /** iommufd_test_access_unmap: unpins and forgets every item intersecting [iova, iova+length). */
    private void unmapItems(long iova, long length) {
        long last = iova + length - 1;
        List<Item> hit = new ArrayList<>();
        synchronized (lock) {
            for (Iterator<Item> it = items.iterator(); it.hasNext();) {
                Item item = it.next();
                long itemLast = item.iova + item.length - 1;
                if (Long.compareUnsigned(iova, itemLast) > 0 || Long.compareUnsigned(last, item.iova) < 0) {
                    continue;
                }
                it.remove();
                hit.add(item);
            }
        }
        for (Item item : hit) {
            access.unpinPages(item.iova, item.length);
        }
    }

    /**
     * ACCESS_RW: copies {@code length} bytes between the caller's memory at {@code uptr} and IOVA
     * {@code iova} ({@link #RW_WRITE} writes to the IOVA, {@link #RW_SLOW_PATH} forces the slow
     * path). EOPNOTSUPP for other flags, ENOMEM above 16 MiB, EFAULT for a bad uptr, and the
     * errnos of {@link IommufdAccess#rw}.
     */
    public void rw(UserMemory caller, long iova, long length, long uptr, int flags) {
        if (Long.compareUnsigned(length, MAX_LENGTH) > 0) {
            throw new IommufdException(Errno.ENOMEM, "access_rw.length 0x" + Long.toHexString(length) + " is above 16 MiB");
        }
        if ((flags & ~(RW_WRITE | RW_SLOW_PATH)) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "access_rw.flags 0x" + Integer.toHexString(flags) + " has unsupported bits");
        }
        // kvzalloc of the bounce buffer
        failNth.check("selftest access_rw buffer", Errno.ENOMEM);
        byte[] tmp = new byte[(int) length];
        boolean write = (flags & RW_WRITE) != 0;
        if (write && length > 0) {
            caller.read(uptr, tmp, 0, tmp.length);
        }
        int accessFlags = (write ? AccessFlags.WRITE : AccessFlags.READ) | ((flags & RW_SLOW_PATH) != 0 ? AccessFlags.SLOW_PATH : 0);
        access.rw(caller, iova, tmp, 0, tmp.length, accessFlags);
        if (!write) {
            caller.write(uptr, tmp, 0, tmp.length);
        }
    }

    /** ACCESS_REPLACE_IOAS. */
    public void replaceIoas(int ioasId) {
        access.replace(ioasId);
    }

    /**
     * Closing the access fd (iommufd_test_staccess_release): unpins every item, destroys the
     * access. Once only; nothing when the context's close already destroyed it.
     */
    public void destroy() {
        synchronized (lock) {
            if (destroyed) {
                throw new IllegalStateException(access + ": the access fd was released twice");
            }
            destroyed = true;
        }
        if (closedWithContext) {
            return;
        }
        unmapItems(0, IoPagetable.MAX);
        access.destroyAccess();
    }
}
