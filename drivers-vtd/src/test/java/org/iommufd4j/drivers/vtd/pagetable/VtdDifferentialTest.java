package org.iommufd4j.drivers.vtd.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/** VT-d second stage at every depth against the first-stage x86-64 format. */
class VtdDifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        return List.of(X8664Format.fourLevel(), VtdSecondStageFormat.of(3), VtdSecondStageFormat.of(4),
                VtdSecondStageFormat.of(5), new VtdSecondStageFormat(4, false, false, false, false));
    }
}
