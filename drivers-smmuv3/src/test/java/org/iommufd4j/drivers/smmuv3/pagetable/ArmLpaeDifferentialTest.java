package org.iommufd4j.drivers.smmuv3.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/**
 * The 4K-granule LPAE tables (contiguous runs and blocks) against x86-64 paging. Concatenated
 * stage-2 roots are left out: the kit counts one frame per top table at the end.
 */
class ArmLpaeDifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        return List.of(X8664Format.fourLevel(), ArmLpaeFormat.stage1(LpaeGranule.G4K),
                new ArmLpaeFormat(LpaeGranule.G4K, false, 39, 48, true, false), ArmLpaeFormat.stage2(LpaeGranule.G4K, 48));
    }
}
