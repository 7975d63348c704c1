package org.iommufd4j.uapi;

/**
 * {@code struct iommu_hwpt_set_dirty_tracking}: turn dirty tracking of a PAGING hwpt on
 * ({@link IommuHwptSetDirtyTrackingFlags#ENABLE}) or off. Unknown flags or reserved≠0 → EOPNOTSUPP;
 * not a PAGING hwpt → ENOENT.
 */
@KernelStruct(name = "iommu_hwpt_set_dirty_tracking", size = 16, minSize = 16)
public record IommuHwptSetDirtyTracking(
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 4) int hwptId,
        @At(offset = 12, bytes = 4) int reserved) {
}
