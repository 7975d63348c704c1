package org.iommufd4j.drivers.vtd;

import org.iommufd4j.pt.PageTable;
import org.iommufd4j.spi.PageTableDomain;

/**
 * A VT-d paging domain: an engine table tagged by the DID the unit allocated for it. Its IOTLB
 * entries are invalidated only through the unit's invalidation queue; freeing it flushes its DID
 * (domain-selective) before the table is freed and the DID can be reused.
 */
final class VtdDomain extends PageTableDomain {
    private final VtdIommu iommu;
    private final int did;
    private final boolean firstStage;
    private boolean released;

    /** A domain whose flushes go through the queue. */
    static VtdDomain create(VtdIommu iommu, PageTable table, boolean firstStage, boolean dirty) {
        int did = iommu.allocDid();
        return new VtdDomain(iommu, table, did, firstStage, dirty, iommu.flusherFor(did, firstStage));
    }

    /** Tests substitute {@code flusher} to play a driver that forgets invalidations. */
    VtdDomain(VtdIommu iommu, PageTable table, int did, boolean firstStage, boolean dirty, IotlbFlusher flusher) {
        super(table, table.minIova(), table.maxIova(), flusher, dirty);
        this.iommu = iommu;
        this.did = did;
        this.firstStage = firstStage;
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
