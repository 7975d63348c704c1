package org.iommufd4j.drivers.vtd.pagetable;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/** Every VT-d second-stage configuration of the conformance test against the first-stage x86-64 format. */
class VtdDifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        List<PageTableFormat> formats = new ArrayList<>(List.of(X8664Format.fourLevel()));
        formats.addAll(VtdSecondStageConformanceTest.CONFIGURATIONS);
        return formats;
    }
}
