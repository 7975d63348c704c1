package org.iommufd4j.drivers.vtd.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.kit.FormatConformanceKit;

/** The conformance kit over VT-d second-stage tables (vtdss.h kunit_fmt_cfgs: 39, 48, 57 bits). */
class VtdSecondStageConformanceTest extends FormatConformanceKit {
    @Override
    protected List<PageTableFormat> formats() {
        return List.of(VtdSecondStageFormat.of(3), VtdSecondStageFormat.of(4), VtdSecondStageFormat.of(5),
                VtdSecondStageFormat.of(4).withForceSnoop().withForceWriteable(),
                new VtdSecondStageFormat(4, true, false, false, false));
    }
}
