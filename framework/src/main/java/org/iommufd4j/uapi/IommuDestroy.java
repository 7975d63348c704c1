package org.iommufd4j.uapi;

/** {@code struct iommu_destroy}: destroy any destroyable object by ID. */
@KernelStruct(name = "iommu_destroy", size = 8, minSize = 8)
public record IommuDestroy(@At(offset = 4, bytes = 4) int id) {
}
