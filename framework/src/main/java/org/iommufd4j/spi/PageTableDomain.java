package org.iommufd4j.spi;

import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.iommufd4j.pt.DirtyRecorder;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.pt.PageTable;

/**
 * A {@link PagingDomain} whose IO page table is the generic engine's {@link PageTable}: what a
 * driver returns from {@link IommuDevice#allocPagingDomain} when its hardware walks a format of
 * {@code org.iommufd4j.pt} (Linux drivers embed a {@code pt_iommu} in their domain the same way).
 *
 * <p>Writers (map, unmap, clearing dirty state) are serialized on the domain; translations may
 * run concurrently (see {@link PageTable} for the rule during an unmap). Errors are the engine's:
 * {@link #unmap} of a range with nothing mapped is ENOENT rather than Linux's silent 0, and an
 * unmap starting inside a large page is EINVAL. After every change that removed entries or tables the driver's
 * {@link IotlbFlusher} gets the range to invalidate.
 */
public class PageTableDomain implements PagingDomain {
    /** Invalidates the driver's IOTLB and walk caches for what a gather collected. */
    @FunctionalInterface
    public interface IotlbFlusher {
        IotlbFlusher NONE = gather -> { };

        void flush(IotlbGather gather);
    }

    private final PageTable table;
    private final long apertureStart;
    private final long apertureLast;
    private final IotlbFlusher flusher;
    private final IotlbGather gather = new IotlbGather();
    private final boolean dirtyOps;
    private final CopyOnWriteArrayList<IotlbFlusher> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean dirtyTracking;
    private boolean freed;

    /**
     * @param table the page table (the domain owns it from now on and destroys it in {@link #free})
     * @param apertureStart lowest IOVA the domain translates
     * @param apertureLast highest IOVA the domain translates, inclusive
     * @param flusher the driver's invalidation, called after unmap and dirty clearing
     */
    public PageTableDomain(PageTable table, long apertureStart, long apertureLast, IotlbFlusher flusher) {
        this(table, apertureStart, apertureLast, flusher, false);
    }

    /**
     * @param dirtyOps whether the domain offers dirty tracking (allocated with
     *        IOMMU_HWPT_ALLOC_DIRTY_TRACKING); the format must record write-dirty state
     */
    public PageTableDomain(PageTable table, long apertureStart, long apertureLast, IotlbFlusher flusher, boolean dirtyOps) {
        if (dirtyOps && !table.format().supportsDirty()) {
            throw new IllegalArgumentException(table.format().name() + " records no dirty state");
        }
        this.dirtyOps = dirtyOps;
        this.table = Objects.requireNonNull(table);
        this.apertureStart = apertureStart;
        this.apertureLast = apertureLast;
        this.flusher = Objects.requireNonNull(flusher);
    }

    /** A domain over the table's whole (lower, when sign-extended) IOVA range, without a flusher. */
    public PageTableDomain(PageTable table) {
        this(table, table.minIova(), table.maxIova(), IotlbFlusher.NONE);
    }

    /** The engine page table (for the hardware model's walks and for tests). */
    public PageTable pageTable() {
        return table;
    }

    /**
     * The tag this domain's translations carry in a unit IOTLB (VT-d DID, SMMU ASID/VMID, AMD
     * DomainID; at most {@link org.iommufd4j.hw.Iotlb#MAX_TAG}). Only meaningful for devices
     * that return a {@link IommuDevice#unitIotlb()}; drivers that do override it.
     */
    public int iotlbTag() {
        return 1;
    }

    @Override
    public long pgsizeBitmap() {
        return table.pgsizeBitmap();
    }

    @Override
    public long apertureStart() {
        return apertureStart;
    }

    @Override
    public long apertureLast() {
        return apertureLast;
    }

    @Override
    public synchronized void map(long iova, long pa, long pgsize, long pgcount, int prot) {
        checkLive();
        gather.reset();
        try {
            table.map(iova, pa, pgsize, pgcount, prot, gather);
        } finally {
            flushGather(); // only a failed map's undo leaves something to invalidate
        }
    }

    /** One lock and one gather for the whole list; the engine fills each leaf table in one pass. */
    @Override
    public synchronized void mapPages(long iova, long[] pas, int from, int count, long pgsize, int prot) {
        checkLive();
        gather.reset();
        try {
            table.mapPages(iova, pas, from, count, pgsize, prot, gather);
        } finally {
            flushGather();
        }
    }

    @Override
    public synchronized long unmap(long iova, long pgsize, long pgcount) {
        checkLive();
        gather.reset();
        try {
            return table.unmap(iova, pgsize, pgcount, gather);
        } finally {
            flushGather();
        }
    }

    @Override
    public long iovaToPhys(long iova) {
        return table.iovaToPhys(iova);
    }

    /** True when the format records hardware write-dirty state. */
    public boolean supportsDirty() {
        return table.format().supportsDirty();
    }

    @Override
    public boolean dirtyTrackingCapable() {
        return dirtyOps;
    }

    @Override
    public void setDirtyTracking(boolean enable) {
        if (!dirtyOps) {
            PagingDomain.super.setDirtyTracking(enable);
        }
        dirtyTracking = enable;
    }

    @Override
    public boolean dirtyTrackingEnabled() {
        return dirtyTracking;
    }

    /**
     * Also tells {@code listener} about every range this domain invalidates (a device's IOTLB in
     * the hardware model, which the framework keeps coherent while the device is attached).
     */
    public void addFlushListener(IotlbFlusher listener) {
        listeners.add(Objects.requireNonNull(listener));
    }

    public void removeFlushListener(IotlbFlusher listener) {
        listeners.remove(listener);
    }

    /**
     * Reports the dirty entries of {@code [iova, iova + length)} and, unless {@code noClear},
     * cleans them and flushes the IOTLB for them (IOMMU_HWPT_GET_DIRTY_BITMAP).
     */
    @Override
    public synchronized void readAndClearDirty(long iova, long length, boolean noClear, DirtyRecorder recorder) {
        checkLive();
        gather.reset();
        try {
            table.readAndClearDirty(iova, length, noClear, recorder, gather);
        } finally {
            flushGather();
        }
    }

    /** Marks the entry translating {@code iova} dirty as a device write would (selftest DIRTY op). */
    public synchronized void setDirty(long iova) {
        checkLive();
        table.setDirty(iova);
    }

    private void flushGather() {
        if (!gather.isEmpty()) {
            flusher.flush(gather);
            for (IotlbFlusher l : listeners) {
                l.flush(gather);
            }
        }
        gather.reset();
    }

    @Override
    public synchronized void free() {
        if (!freed) {
            freed = true;
            table.destroy();
        }
    }

    private void checkLive() {
        if (freed) {
            throw new IllegalStateException("paging domain used after free()");
        }
    }

    @Override
    public String toString() {
        return "PageTableDomain[" + table + ", aperture 0x" + Long.toHexString(apertureStart) + "..0x"
                + Long.toHexString(apertureLast) + "]";
    }
}
