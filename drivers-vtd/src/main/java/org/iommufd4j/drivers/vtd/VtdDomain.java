package org.iommufd4j.drivers.vtd;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.spi.PageTableDomain;

/**
 * A VT-d paging domain: an engine table tagged by the DID the unit allocated for it. Its IOTLB
 * entries are invalidated only through the unit's invalidation queue; freeing it flushes its DID
 * (domain-selective) before the table is freed and the DID can be reused.
 *
 * <p>A nest parent also keeps the DIDs of the nested domains allocated on it: their IOTLB entries
 * are combined first-over-second-stage translations, so every second-stage flush drops them too
 * (Linux cache.c, CACHE_TAG_NESTING_IOTLB tags on the parent).
 */
final class VtdDomain extends PageTableDomain {
    private final VtdIommu iommu;
    private final int did;
    private final boolean firstStage;
    private final NestedDids nested;
    private final boolean nestParent;
    private boolean released;

    /** A domain whose flushes go through the queue, its nested domains' DIDs included. */
    static VtdDomain create(VtdIommu iommu, PageTable table, boolean firstStage, boolean dirty) {
        return create(iommu, table, firstStage, dirty, false);
    }

    /** {@code nestParent}: allocated with IOMMU_HWPT_ALLOC_NEST_PARENT (Linux dmar_domain.nested_parent). */
    static VtdDomain create(VtdIommu iommu, PageTable table, boolean firstStage, boolean dirty, boolean nestParent) {
        int did = iommu.allocDid();
        IotlbFlusher own = iommu.flusherFor(did, firstStage);
        NestedDids nested = new NestedDids();
        return new VtdDomain(iommu, table, did, firstStage, dirty, gather -> {
            own.flush(gather);
            nested.flush(iommu);
        }, nested, nestParent);
    }

    /** Tests substitute {@code flusher} to play a driver that forgets invalidations. */
    VtdDomain(VtdIommu iommu, PageTable table, int did, boolean firstStage, boolean dirty, IotlbFlusher flusher) {
        this(iommu, table, did, firstStage, dirty, flusher, new NestedDids(), false);
    }

    private VtdDomain(VtdIommu iommu, PageTable table, int did, boolean firstStage, boolean dirty, IotlbFlusher flusher,
            NestedDids nested, boolean nestParent) {
        super(table, table.minIova(), table.maxIova(), flusher, dirty);
        this.iommu = iommu;
        this.did = did;
        this.firstStage = firstStage;
        this.nested = nested;
        this.nestParent = nestParent;
    }

    /** The DIDs of the nested domains on a parent, flushed whenever the parent flushes. */
    static final class NestedDids {
        private final IntArrayList dids = new IntArrayList();

        synchronized void add(int did) {
            dids.add(did);
        }

        synchronized void remove(int did) {
            dids.rem(did);
        }

        /**
         * The model's IOTLB keys a nested entry by its first-stage input, not by the guest-physical
         * address the parent changed, so each nested DID is dropped whole (domain-selective; Linux
         * issues a page-selective IOTLB descriptor per nesting tag, which hardware applies to the
         * second-stage input of the combined entries).
         */
        void flush(VtdIommu iommu) {
            int[] snapshot;
            synchronized (this) {
                snapshot = dids.toIntArray();
            }
            for (int d : snapshot) {
                iommu.flushDomain(d, false);
            }
        }
    }

    boolean nestParent() {
        return nestParent;
    }

    NestedDids nestedDids() {
        return nested;
    }

    VtdIommu iommu() {
        return iommu;
    }

    /** The domain id: the IOTLB tag of this domain's translations. */
    int did() {
        return did;
    }

    boolean firstStage() {
        return firstStage;
    }

    @Override
    public int iotlbTag() {
        return did;
    }

    @Override
    public synchronized void free() {
        if (!released) {
            released = true;
            iommu.flushDomain(did, firstStage);
            super.free();
            iommu.freeDid(did);
        }
    }
}
