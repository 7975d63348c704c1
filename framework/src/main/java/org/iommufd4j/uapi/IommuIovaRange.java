package org.iommufd4j.uapi;

/**
 * {@code struct iommu_iova_range}: one inclusive IOVA range [start, last], the element of the
 * arrays passed by IOAS_IOVA_RANGES and IOAS_ALLOW_IOVAS. ALLOW_IOVAS rejects start >= last (EINVAL).
 */
@KernelStruct(name = "iommu_iova_range", size = 16, sized = false)
public record IommuIovaRange(
        @At(offset = 0, bytes = 8) long start,
        @At(offset = 8, bytes = 8) long last) {
}
