package org.iommufd4j.uapi.vendor;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct iommu_hw_info_arm_smmuv3} (IOMMU_HW_INFO_TYPE_ARM_SMMUV3): the raw SMMU_IDR0..5,
 * IIDR and AIDR registers ({@code __u32 idr[6]} as idr0..idr5). VMMs may only rely on the fields
 * listed in pagetable-formats.md §3.6; {@code flags} are {@link IommuHwInfoArmSmmuv3Flags}.
 */
@KernelStruct(name = "iommu_hw_info_arm_smmuv3", size = 40, sized = false)
public record IommuHwInfoArmSmmuv3(
        @At(offset = 0, bytes = 4) int flags,
        @At(offset = 4, bytes = 4) int reserved,
        @At(offset = 8, bytes = 4) int idr0,
        @At(offset = 12, bytes = 4) int idr1,
        @At(offset = 16, bytes = 4) int idr2,
        @At(offset = 20, bytes = 4) int idr3,
        @At(offset = 24, bytes = 4) int idr4,
        @At(offset = 28, bytes = 4) int idr5,
        @At(offset = 32, bytes = 4) int iidr,
        @At(offset = 36, bytes = 4) int aidr) {

    /** {@code idr[i]}, 0 ≤ i < 6. */
    public int idr(int i) {
        switch (i) {
            case 0: return idr0;
            case 1: return idr1;
            case 2: return idr2;
            case 3: return idr3;
            case 4: return idr4;
            case 5: return idr5;
            default: throw new IndexOutOfBoundsException("idr[" + i + "]");
        }
    }
}
