package org.iommufd4j.uapi;

/**
 * {@code struct iommu_ioas_unmap}: unmap whole areas inside [iova, iova+length); iova=0 with
 * length=U64_MAX unmaps everything. On return {@code length} is the number of bytes unmapped.
 * Nothing mapped or a split area → ENOENT; pages pinned by an access → EBUSY.
 */
@KernelStruct(name = "iommu_ioas_unmap", size = 24, minSize = 24)
public record IommuIoasUnmap(
        @At(offset = 4, bytes = 4) int ioasId,
        @At(offset = 8, bytes = 8) long iova,
        @At(offset = 16, bytes = 8) long length) {

    /** The number of bytes unmapped, written back into {@code length}. */
    public IommuIoasUnmap withOutLength(long unmapped) {
        return new IommuIoasUnmap(ioasId, iova, unmapped);
    }
}
