package org.iommufd4j.uapi.vendor;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct iommu_hwpt_vtd_s1} (IOMMU_HWPT_DATA_VTD_S1): an Intel VT-d stage-1 (first-stage)
 * table at guest-physical {@code pgtbl_addr} with {@code addr_width} bits, for a nested HWPT;
 * {@code flags} are {@link IommuHwptVtdS1Flags}; reserved must be 0.
 */
@KernelStruct(name = "iommu_hwpt_vtd_s1", size = 24, sized = false)
public record IommuHwptVtdS1(
        @At(offset = 0, bytes = 8) long flags,
        @At(offset = 8, bytes = 8) long pgtblAddr,
        @At(offset = 16, bytes = 4) int addrWidth,
        @At(offset = 20, bytes = 4) int reserved) {
}
