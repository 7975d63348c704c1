package org.iommufd4j.drivers.amdvi;

import org.iommufd4j.pt.PageTable;
import org.iommufd4j.spi.PageTableDomain;

/**
 * An AMD-Vi paging domain (Linux {@code struct protection_domain}): an engine table tagged by the
 * DomainID its devices' DTEs carry. Its IOTLB entries are invalidated only through the command
 * buffer; freeing it flushes the DomainID before the table is freed and the id reused.
 */
class AmdDomain extends PageTableDomain {
    private final AmdIommu iommu;
    private final int domainId;
    private boolean released;

    /** Tests substitute {@code flusher} to play a driver that forgets invalidations. */
    AmdDomain(AmdIommu iommu, PageTable table, int domainId, IotlbFlusher flusher) {
        super(table, table.minIova(), table.maxIova(), flusher);
        this.iommu = iommu;
        this.domainId = domainId;
    }

    int domainId() {
        return domainId;
    }

    @Override
    public int iotlbTag() {
        return domainId;
    }

    @Override
    public synchronized void free() {
        if (!released) {
            released = true;
            iommu.flushDomain(domainId);
            super.free();
            iommu.freeDomainId(domainId);
        }
    }
}
