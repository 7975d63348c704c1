package org.iommufd4j.drivers.smmuv3.pagetable;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/**
 * Every 64K-granule configuration of the conformance test (32-page contiguous runs, 512 MiB
 * blocks, 16-frame tables, 52-bit output, the concatenated 64K stage-2 root of a 44-bit IPA,
 * DBM) against x86-64 and the 4K and 16K granules, in 64 KiB units.
 */
class ArmLpae64kDifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        List<PageTableFormat> formats = new ArrayList<>(List.of(X8664Format.fourLevel(),
                ArmLpaeFormat.stage2(LpaeGranule.G4K, 40), ArmLpaeFormat.stage1(LpaeGranule.G16K)));
        formats.addAll(ArmLpaeConformanceTest.withGranule(LpaeGranule.G64K));
        return formats;
    }
}
