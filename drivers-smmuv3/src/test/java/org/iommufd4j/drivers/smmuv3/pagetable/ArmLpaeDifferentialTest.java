package org.iommufd4j.drivers.smmuv3.pagetable;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/**
 * Every 4K-granule configuration of the conformance test (contiguous runs and blocks, both stages,
 * DBM, S2FWB, the stage-2 roots of 2 and 16 concatenated tables) against x86-64 paging, in 4 KiB
 * units. The 16K and 64K granules run in {@link ArmLpae16kDifferentialTest} and
 * {@link ArmLpae64kDifferentialTest}.
 */
class ArmLpaeDifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        List<PageTableFormat> formats = new ArrayList<>(List.of(X8664Format.fourLevel()));
        formats.addAll(ArmLpaeConformanceTest.withGranule(LpaeGranule.G4K));
        return formats;
    }
}
