package org.iommufd4j.uapi;

/** {@code struct iommu_ioas_alloc}: allocate an IO address space; flags must be 0. */
@KernelStruct(name = "iommu_ioas_alloc", size = 12, minSize = 12)
public record IommuIoasAlloc(
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 4) int outIoasId) {

    public IommuIoasAlloc withOutIoasId(int id) {
        return new IommuIoasAlloc(flags, id);
    }
}
