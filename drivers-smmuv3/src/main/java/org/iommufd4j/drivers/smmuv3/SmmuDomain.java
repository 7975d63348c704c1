package org.iommufd4j.drivers.smmuv3;

import org.iommufd4j.drivers.smmuv3.pagetable.ArmLpaeFormat;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.spi.PageTableDomain;

/**
 * An SMMUv3 paging domain: an engine LPAE table tagged by its ASID (stage 1, CD.ASID) or VMID
 * (stage 2, STE.S2VMID). Its TLB entries are invalidated only through the command queue; freeing
 * it invalidates the ASID/VMID before the table is freed and the id reused.
 */
final class SmmuDomain extends PageTableDomain {
    private final SmmuIommu iommu;
    private final int id;
    private final boolean stage2;
    private boolean released;

    static SmmuDomain create(SmmuIommu iommu, PageTable table, long apertureLast) {
        int id = iommu.allocId();
        boolean stage2 = ((ArmLpaeFormat) table.format()).stage2();
        int granuleLg2 = Long.numberOfTrailingZeros(table.pgsizeBitmap());
        return new SmmuDomain(iommu, table, apertureLast, id, stage2, iommu.flusherFor(id, stage2, granuleLg2));
    }

    /** Tests substitute {@code flusher} to play a driver that forgets invalidations. */
    SmmuDomain(SmmuIommu iommu, PageTable table, long apertureLast, int id, boolean stage2, IotlbFlusher flusher) {
        super(table, 0, apertureLast, flusher);
        this.iommu = iommu;
        this.id = id;
        this.stage2 = stage2;
    }

    /** The ASID (stage 1) or VMID (stage 2). */
    int id() {
        return id;
    }

    boolean stage2() {
        return stage2;
    }

    @Override
    public int iotlbTag() {
        return id;
    }

    @Override
    public synchronized void free() {
        if (!released) {
            released = true;
            iommu.flushDomain(id, stage2);
            super.free();
            iommu.freeId(id);
        }
    }
}
