package org.iommufd4j.drivers.amdvi.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/** AMD v1 (NextLevel=7 replicas, growing top) against the v2 (x86-64) table the same IOMMU walks. */
class AmdV1DifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        return List.of(new X8664Format(47, false, true), AmdV1Format.linuxDefault(), new AmdV1Format(6, 1, true, true));
    }
}
