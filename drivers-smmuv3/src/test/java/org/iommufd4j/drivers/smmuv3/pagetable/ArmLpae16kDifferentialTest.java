package org.iommufd4j.drivers.smmuv3.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/**
 * The 16K-granule LPAE tables (128-page contiguous runs, 32 MiB blocks and their 32-block runs,
 * 4-frame tables) against x86-64 and a 4K-granule table, in 16 KiB units: both stages, narrow
 * widths, DBM, and the 2 concatenated 16K tables of a 48-bit stage-2 root.
 */
class ArmLpae16kDifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        return List.of(X8664Format.fourLevel(), ArmLpaeFormat.stage1(LpaeGranule.G16K),
                new ArmLpaeFormat(LpaeGranule.G16K, false, 36, 44, false, false),
                new ArmLpaeFormat(LpaeGranule.G16K, false, 48, 48, true, false),
                ArmLpaeFormat.stage2(LpaeGranule.G16K, 48), ArmLpaeFormat.stage2(LpaeGranule.G4K, 40));
    }
}
