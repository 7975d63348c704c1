package org.iommufd4j.uapi;

/**
 * {@code struct iommu_hwpt_page_response}: the reply written to a FAULT fd for the fault group
 * with this {@code cookie}; {@code code} is an {@link IommuPageResponseCode}.
 */
@KernelStruct(name = "iommu_hwpt_page_response", size = 8, sized = false)
public record IommuHwptPageResponse(
        @At(offset = 0, bytes = 4) int cookie,
        @At(offset = 4, bytes = 4) int code) {
}
