package org.iommufd4j.uapi.vendor;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct iommu_hw_info_amd} (IOMMU_HW_INFO_TYPE_AMD): the Extended Feature Registers EFR
 * (MMIO 0x30) and EFR2 (MMIO 0x1A0), masked to what a vIOMMU may expose.
 */
@KernelStruct(name = "iommu_hw_info_amd", size = 16, sized = false)
public record IommuHwInfoAmd(
        @At(offset = 0, bytes = 8) long efr,
        @At(offset = 8, bytes = 8) long efr2) {
}
