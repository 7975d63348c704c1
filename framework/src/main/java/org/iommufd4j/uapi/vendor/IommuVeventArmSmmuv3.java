package org.iommufd4j.uapi.vendor;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct iommu_vevent_arm_smmuv3} (IOMMU_VEVENTQ_TYPE_ARM_SMMUV3): a 256-bit SMMU event
 * record ({@code __aligned_le64 evt[4]}) whose StreamID is the vdevice's virt_id. Reported events:
 * C_BAD_STE 0x04, F_STREAM_DISABLED 0x06, C_BAD_SUBSTREAMID 0x08, C_BAD_CD 0x0a, F_TRANSLATION
 * 0x10, F_ADDR_SIZE 0x11, F_ACCESS 0x12, F_PERMISSION 0x13.
 */
@KernelStruct(name = "iommu_vevent_arm_smmuv3", size = 32, sized = false)
public record IommuVeventArmSmmuv3(
        @At(offset = 0, bytes = 8) long evt0,
        @At(offset = 8, bytes = 8) long evt1,
        @At(offset = 16, bytes = 8) long evt2,
        @At(offset = 24, bytes = 8) long evt3) {

    /** {@code evt[]} as a fresh array. */
    public long[] evt() {
        return new long[] {evt0, evt1, evt2, evt3};
    }
}
