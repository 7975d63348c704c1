package org.iommufd4j.drivers.smmuv3.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/**
 * The 4K-granule LPAE tables (contiguous runs and blocks) against x86-64 paging, in 4 KiB units:
 * both stages, DBM, and the stage-2 roots of 2 (40-bit IPA) and 16 (34-bit IPA) concatenated tables.
 */
class ArmLpaeDifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        return List.of(X8664Format.fourLevel(), ArmLpaeFormat.stage1(LpaeGranule.G4K),
                new ArmLpaeFormat(LpaeGranule.G4K, false, 39, 48, true, false), ArmLpaeFormat.stage2(LpaeGranule.G4K, 48),
                ArmLpaeFormat.stage2(LpaeGranule.G4K, 40), new ArmLpaeFormat(LpaeGranule.G4K, true, 34, 44, true, true));
    }
}
