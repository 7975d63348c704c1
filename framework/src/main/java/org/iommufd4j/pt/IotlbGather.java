package org.iommufd4j.pt;

/**
 * What a change to a page table requires the IOTLB to forget, as Linux's
 * {@code iommu_iotlb_gather}: one IOVA range {@code [start, last]} covering every entry cleared and
 * every table freed, and whether a table was freed (paging-structure caches must be flushed too).
 * The driver flushes it and then {@link #reset}s it. Reusable: holds no other state.
 */
public final class IotlbGather {
    private boolean empty = true;
    private long start;
    private long last;
    private boolean tablesFreed;

    /** Adds {@code [iova, iova + length)} to the range to invalidate. */
    public void add(long iova, long length) {
        long end = iova + length - 1;
        if (empty) {
            empty = false;
            start = iova;
            last = end;
            return;
        }
        if (Long.compareUnsigned(iova, start) < 0) {
            start = iova;
        }
        if (Long.compareUnsigned(end, last) > 0) {
            last = end;
        }
    }

    void tableFreed() {
        tablesFreed = true;
    }

    public boolean isEmpty() {
        return empty;
    }

    /** First IOVA to invalidate (meaningless when {@link #isEmpty()}). */
    public long start() {
        return start;
    }

    /** Last IOVA to invalidate, inclusive. */
    public long last() {
        return last;
    }

    /** True when a page-table page was freed: walk caches must be flushed with the range. */
    public boolean tablesFreed() {
        return tablesFreed;
    }

    public void reset() {
        empty = true;
        start = 0;
        last = 0;
        tablesFreed = false;
    }

    @Override
    public String toString() {
        return isEmpty() ? "IotlbGather[empty]"
                : "IotlbGather[0x" + Long.toHexString(start) + "..0x" + Long.toHexString(last)
                        + (tablesFreed ? ", tables freed]" : "]");
    }
}
