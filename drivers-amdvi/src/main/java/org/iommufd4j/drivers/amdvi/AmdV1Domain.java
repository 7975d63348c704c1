package org.iommufd4j.drivers.amdvi;

import org.iommufd4j.pt.PageTable;
import org.iommufd4j.spi.PageTableDomain;

/** A v1 paging domain: an engine table plus the DTE root/mode its devices are programmed with. */
final class AmdV1Domain extends PageTableDomain {
    private final DteRoot root;

    AmdV1Domain(PageTable table, DteRoot root) {
        super(table, table.minIova(), table.maxIova(), IotlbFlusher.NONE);
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
