package org.iommufd4j.drivers.smmuv3.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/**
 * The 64K-granule LPAE tables (32-page contiguous runs, 512 MiB blocks, 16-frame tables) against
 * x86-64 and the 4K and 16K granules, in 64 KiB units: both stages, 52-bit output, DBM, and the
 * concatenated 64K stage-2 root of a 44-bit IPA.
 */
class ArmLpae64kDifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        return List.of(X8664Format.fourLevel(), ArmLpaeFormat.stage1(LpaeGranule.G64K),
                new ArmLpaeFormat(LpaeGranule.G64K, false, 48, 52, true, false),
                ArmLpaeFormat.stage2(LpaeGranule.G64K, 44), ArmLpaeFormat.stage2(LpaeGranule.G64K, 48),
                ArmLpaeFormat.stage1(LpaeGranule.G16K), ArmLpaeFormat.stage2(LpaeGranule.G4K, 40));
    }
}
