package org.iommufd4j.uapi;

/**
 * {@code struct iommu_ioas_allow_iovas}: replace the IOAS's allowed IOVA list with
 * {@code num_iovas} {@link IommuIovaRange}s at {@code allowed_iovas} (0 clears it). Overlapping
 * input ranges are EINVAL; a range touching a reserved range is EADDRINUSE; reserved≠0 EOPNOTSUPP.
 */
@KernelStruct(name = "iommu_ioas_allow_iovas", size = 24, minSize = 24)
public record IommuIoasAllowIovas(
        @At(offset = 4, bytes = 4) int ioasId,
        @At(offset = 8, bytes = 4) int numIovas,
        @At(offset = 12, bytes = 4) int reserved,
        @At(offset = 16, bytes = 8) long allowedIovas) {
}
