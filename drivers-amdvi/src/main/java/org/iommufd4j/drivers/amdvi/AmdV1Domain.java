package org.iommufd4j.drivers.amdvi;

import org.iommufd4j.pt.PageTable;

/** A v1 paging domain: an engine table plus the DTE root/mode its devices are programmed with. */
final class AmdV1Domain extends AmdDomain {
    private final DteRoot root;

    AmdV1Domain(AmdIommu iommu, PageTable table, DteRoot root, int domainId, IotlbFlusher flusher) {
        super(iommu, table, domainId, flusher);
        this.root = root;
    }

    /** DTE.Mode the domain's devices use now (the top level + 1). */
    int dteMode() {
        return root.mode();
    }

    /** DTE host page-table root pointer the domain's devices use now. */
    long dteRootPa() {
        return root.rootPa();
    }
}
