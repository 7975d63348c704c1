package org.iommufd4j.drivers.smmuv3.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.kit.FormatConformanceKit;

/**
 * The conformance kit over the LPAE formats: every granule at both stages, 52-bit output (64K),
 * narrow widths, S2FWB, the stage-2 roots of 2, 4 and 16 concatenated tables, and HTTU dirty
 * tracking (DBM) at each granule and stage. DBM leaves start writable-dirty as in Linux
 * (io-pgtable-arm arm_lpae_prot_to_pte with IO_PGTABLE_QUIRK_ARM_HD); the kit clears once before
 * it expects clean leaves, as iommufd does when tracking is enabled.
 */
class ArmLpaeConformanceTest extends FormatConformanceKit {
    /** Every configuration tested; the differential tests run them grouped by granule. */
    static final List<ArmLpaeFormat> CONFIGURATIONS = List.of(
            ArmLpaeFormat.stage1(LpaeGranule.G4K),
            ArmLpaeFormat.stage1(LpaeGranule.G16K),
            ArmLpaeFormat.stage1(LpaeGranule.G64K),
            new ArmLpaeFormat(LpaeGranule.G4K, false, 39, 40, false, false),
            new ArmLpaeFormat(LpaeGranule.G64K, false, 48, 52, false, false),
            new ArmLpaeFormat(LpaeGranule.G16K, false, 36, 44, false, false),
            ArmLpaeFormat.stage2(LpaeGranule.G4K, 48),
            ArmLpaeFormat.stage2(LpaeGranule.G4K, 40),
            ArmLpaeFormat.stage2(LpaeGranule.G4K, 34),
            ArmLpaeFormat.stage2(LpaeGranule.G16K, 48),
            ArmLpaeFormat.stage2(LpaeGranule.G64K, 44),
            ArmLpaeFormat.stage2(LpaeGranule.G64K, 48),
            new ArmLpaeFormat(LpaeGranule.G4K, true, 40, 48, false, true),
            // DBM (CD.HD / STE.S2HD): stage 1 and 2 at every granule, 52-bit output, concatenated roots.
            new ArmLpaeFormat(LpaeGranule.G4K, false, 48, 48, true, false),
            new ArmLpaeFormat(LpaeGranule.G4K, false, 39, 48, true, false),
            new ArmLpaeFormat(LpaeGranule.G16K, false, 48, 48, true, false),
            new ArmLpaeFormat(LpaeGranule.G64K, false, 48, 52, true, false),
            new ArmLpaeFormat(LpaeGranule.G4K, true, 48, 48, true, false),
            new ArmLpaeFormat(LpaeGranule.G4K, true, 40, 48, true, true),
            new ArmLpaeFormat(LpaeGranule.G4K, true, 34, 44, true, false),
            new ArmLpaeFormat(LpaeGranule.G16K, true, 48, 48, true, false),
            new ArmLpaeFormat(LpaeGranule.G64K, true, 44, 52, true, false));

    /** The configurations with {@code granule}. */
    static List<PageTableFormat> withGranule(LpaeGranule granule) {
        return CONFIGURATIONS.stream().filter(f -> f.geometry().granule() == granule).map(f -> (PageTableFormat) f).toList();
    }

    @Override
    protected List<PageTableFormat> formats() {
        return List.copyOf(CONFIGURATIONS);
    }
}
