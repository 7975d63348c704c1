package org.iommufd4j.uapi.vendor;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct iommu_hwpt_vtd_s1_invalidate} (IOMMU_HWPT_INVALIDATE_DATA_VTD_S1): invalidate
 * {@code npages} 4 KiB pages from the 4 KiB-aligned {@code addr}; addr 0 with npages U64_MAX means
 * everything. {@code flags} are {@link IommuHwptVtdS1InvalidateFlags}; reserved must be 0.
 */
@KernelStruct(name = "iommu_hwpt_vtd_s1_invalidate", size = 24, sized = false)
public record IommuHwptVtdS1Invalidate(
        @At(offset = 0, bytes = 8) long addr,
        @At(offset = 8, bytes = 8) long npages,
        @At(offset = 16, bytes = 4) int flags,
        @At(offset = 20, bytes = 4) int reserved) {
}
