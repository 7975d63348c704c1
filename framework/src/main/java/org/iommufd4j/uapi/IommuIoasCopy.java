package org.iommufd4j.uapi;

/**
 * {@code struct iommu_ioas_copy}: map into {@code dst_ioas_id} the pages already pinned by
 * {@code src_ioas_id} at [src_iova, src_iova+length). The source must be covered entirely by
 * areas (else ENOENT); flags are {@link IommuIoasMapFlags}, with the same rules as IOAS_MAP.
 */
@KernelStruct(name = "iommu_ioas_copy", size = 40, minSize = 40)
public record IommuIoasCopy(
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 4) int dstIoasId,
        @At(offset = 12, bytes = 4) int srcIoasId,
        @At(offset = 16, bytes = 8) long length,
        @At(offset = 24, bytes = 8) long dstIova,
        @At(offset = 32, bytes = 8) long srcIova) {

    /** The chosen destination IOVA, written back when FIXED_IOVA was not set. */
    public IommuIoasCopy withOutDstIova(long iova) {
        return new IommuIoasCopy(flags, dstIoasId, srcIoasId, length, iova, srcIova);
    }
}
