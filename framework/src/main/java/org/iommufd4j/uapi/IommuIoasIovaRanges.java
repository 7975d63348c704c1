package org.iommufd4j.uapi;

/**
 * {@code struct iommu_ioas_iova_ranges}: report the usable IOVA ranges of an IOAS into the
 * {@code num_iovas}-entry {@link IommuIovaRange} array at {@code allowed_iovas}. On return
 * {@code num_iovas} is the total count; a too small array fails with EMSGSIZE but the struct is
 * still copied back. reserved≠0 is EOPNOTSUPP.
 */
@KernelStruct(name = "iommu_ioas_iova_ranges", size = 32, minSize = 32)
public record IommuIoasIovaRanges(
        @At(offset = 4, bytes = 4) int ioasId,
        @At(offset = 8, bytes = 4) int numIovas,
        @At(offset = 12, bytes = 4) int reserved,
        @At(offset = 16, bytes = 8) long allowedIovas,
        @At(offset = 24, bytes = 8) long outIovaAlignment) {

    /** The total number of ranges and the IOAS's IOVA alignment, as the kernel writes them back. */
    public IommuIoasIovaRanges withOut(int numIovas, long iovaAlignment) {
        return new IommuIoasIovaRanges(ioasId, numIovas, reserved, allowedIovas, iovaAlignment);
    }
}
