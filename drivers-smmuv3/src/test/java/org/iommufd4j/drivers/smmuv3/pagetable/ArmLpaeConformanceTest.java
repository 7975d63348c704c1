package org.iommufd4j.drivers.smmuv3.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.kit.FormatConformanceKit;

/**
 * The conformance kit over the LPAE formats: every granule at both stages, 52-bit output (64K),
 * narrow widths, S2FWB, and the stage-2 roots of 2, 4 and 16 concatenated tables.
 *
 * <p>The DBM variants are not listed: the kit expects new mappings to read clean, while Linux
 * (io-pgtable-arm arm_lpae_prot_to_pte, generic_pt armv8) and this format start writable DBM
 * leaves writable-dirty, which iommufd clears when dirty tracking is enabled. Their dirty cycle
 * is checked in {@link ArmLpaeFormatTest} and {@code SmmuV3DriverTest}.
 */
class ArmLpaeConformanceTest extends FormatConformanceKit {
    @Override
    protected List<PageTableFormat> formats() {
        return List.of(
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
                new ArmLpaeFormat(LpaeGranule.G4K, true, 40, 48, false, true));
    }
}
