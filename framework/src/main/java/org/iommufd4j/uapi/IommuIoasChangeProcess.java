package org.iommufd4j.uapi;

/**
 * {@code struct iommu_ioas_change_process}: move the pin accounting of every map in every IOAS to
 * the calling process. Any map not made by MAP_FILE → EINVAL, and nothing changes; reserved≠0 →
 * EOPNOTSUPP.
 */
@KernelStruct(name = "iommu_ioas_change_process", size = 8, minSize = 8)
public record IommuIoasChangeProcess(@At(offset = 4, bytes = 4) int reserved) {
}
