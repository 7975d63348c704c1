package org.iommufd4j.uapi.vendor;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct iommu_hw_info_vtd} (IOMMU_HW_INFO_TYPE_INTEL_VTD): the raw VT-d capability and
 * extended capability registers (VT-d spec 11.4.2/11.4.3) plus {@link IommuHwInfoVtdFlags}.
 */
@KernelStruct(name = "iommu_hw_info_vtd", size = 24, sized = false)
public record IommuHwInfoVtd(
        @At(offset = 0, bytes = 4) int flags,
        @At(offset = 4, bytes = 4) int reserved,
        @At(offset = 8, bytes = 8) long capReg,
        @At(offset = 16, bytes = 8) long ecapReg) {
}
