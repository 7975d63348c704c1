package org.iommufd4j.drivers.smmuv3.pagetable;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/**
 * Every 16K-granule configuration of the conformance test (128-page contiguous runs, 32 MiB
 * blocks and their 32-block runs, 4-frame tables, the 2 concatenated 16K tables of a 48-bit
 * stage-2 root, DBM) against x86-64 and a 4K-granule table, in 16 KiB units.
 */
class ArmLpae16kDifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        List<PageTableFormat> formats = new ArrayList<>(List.of(X8664Format.fourLevel(), ArmLpaeFormat.stage2(LpaeGranule.G4K, 40)));
        formats.addAll(ArmLpaeConformanceTest.withGranule(LpaeGranule.G16K));
        return formats;
    }
}
