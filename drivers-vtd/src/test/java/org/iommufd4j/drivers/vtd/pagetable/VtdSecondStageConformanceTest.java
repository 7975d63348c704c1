package org.iommufd4j.drivers.vtd.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.kit.FormatConformanceKit;

/**
 * The conformance kit over VT-d second-stage tables (vtdss.h kunit_fmt_cfgs: 39, 48, 57 bits),
 * forced snoop and write, and the CAP.SLLPS choices (2 MiB only, 4 KiB only).
 */
class VtdSecondStageConformanceTest extends FormatConformanceKit {
    /** Every configuration tested; {@link VtdDifferentialTest} runs the same list. */
    static final List<PageTableFormat> CONFIGURATIONS = List.of(VtdSecondStageFormat.of(3), VtdSecondStageFormat.of(4),
            VtdSecondStageFormat.of(5), VtdSecondStageFormat.of(4).withForceSnoop().withForceWriteable(),
            new VtdSecondStageFormat(4, true, false, false, false), new VtdSecondStageFormat(4, false, false, false, false));

    @Override
    protected List<PageTableFormat> formats() {
        return CONFIGURATIONS;
    }
}
