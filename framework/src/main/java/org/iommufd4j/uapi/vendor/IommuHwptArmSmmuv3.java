package org.iommufd4j.uapi.vendor;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct iommu_hwpt_arm_smmuv3} (IOMMU_HWPT_DATA_ARM_SMMUV3): the first two little-endian
 * words of the guest's STE ({@code __aligned_le64 ste[2]}). Only word 0 V, Cfg, S1Fmt,
 * S1ContextPtr, S1CDMax and word 1 EATS, S1DSS, S1CIR, S1COR, S1CSH, S1STALLD may be set, else EIO.
 */
@KernelStruct(name = "iommu_hwpt_arm_smmuv3", size = 16, sized = false)
public record IommuHwptArmSmmuv3(
        @At(offset = 0, bytes = 8) long ste0,
        @At(offset = 8, bytes = 8) long ste1) {

    /** {@code ste[]} as a fresh array. */
    public long[] ste() {
        return new long[] {ste0, ste1};
    }
}
