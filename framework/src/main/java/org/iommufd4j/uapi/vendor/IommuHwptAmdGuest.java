package org.iommufd4j.uapi.vendor;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct iommu_hwpt_amd_guest} (IOMMU_HWPT_DATA_AMD_GUEST): the guest's 256-bit Device
 * Table Entry ({@code __aligned_u64 dte[4]}); the host takes the guest page-table fields (GV, GLX,
 * GCR3 root, guest paging level, GIoV) and requires unsupported fields to be 0.
 */
@KernelStruct(name = "iommu_hwpt_amd_guest", size = 32, sized = false)
public record IommuHwptAmdGuest(
        @At(offset = 0, bytes = 8) long dte0,
        @At(offset = 8, bytes = 8) long dte1,
        @At(offset = 16, bytes = 8) long dte2,
        @At(offset = 24, bytes = 8) long dte3) {

    /** {@code dte[]} as a fresh array. */
    public long[] dte() {
        return new long[] {dte0, dte1, dte2, dte3};
    }
}
