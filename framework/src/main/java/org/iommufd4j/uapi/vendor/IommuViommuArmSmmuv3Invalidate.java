package org.iommufd4j.uapi.vendor;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct iommu_viommu_arm_smmuv3_invalidate} (IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3): one
 * 128-bit SMMU command ({@code __aligned_le64 cmd[2]}). Only TLBI_NSNH_ALL, TLBI_NH_VA, TLBI_NH_VAA,
 * TLBI_NH_ALL, TLBI_NH_ASID, ATC_INV, CFGI_CD and CFGI_CD_ALL are accepted, else EIO.
 */
@KernelStruct(name = "iommu_viommu_arm_smmuv3_invalidate", size = 16, sized = false)
public record IommuViommuArmSmmuv3Invalidate(
        @At(offset = 0, bytes = 8) long cmd0,
        @At(offset = 8, bytes = 8) long cmd1) {

    /** {@code cmd[]} as a fresh array. */
    public long[] cmd() {
        return new long[] {cmd0, cmd1};
    }
}
