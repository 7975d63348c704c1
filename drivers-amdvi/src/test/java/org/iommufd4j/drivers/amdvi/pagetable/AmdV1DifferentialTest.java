package org.iommufd4j.drivers.amdvi.pagetable;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/**
 * Every AMD v1 configuration of the conformance test (NextLevel=7 replicas, growing top) against
 * the v2 (x86-64) table the same IOMMU walks.
 */
class AmdV1DifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        List<PageTableFormat> formats = new ArrayList<>(List.of(new X8664Format(47, false, true)));
        formats.addAll(AmdV1ConformanceTest.CONFIGURATIONS);
        return formats;
    }
}
