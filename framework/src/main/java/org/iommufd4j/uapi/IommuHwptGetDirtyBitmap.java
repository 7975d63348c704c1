package org.iommufd4j.uapi;

/**
 * {@code struct iommu_hwpt_get_dirty_bitmap}: read (and, without
 * {@link IommuHwptGetDirtyBitmapFlags#NO_CLEAR}, clear) the dirty bits of [iova, iova+length) into
 * the u64 bitmap at {@code data}, one bit per {@code page_size}: IOVA x is bit
 * ((x-iova)/page_size) of the array. Unknown flags or reserved≠0 → EOPNOTSUPP; a misaligned or
 * overflowing range → EINVAL/EOVERFLOW.
 */
@KernelStruct(name = "iommu_hwpt_get_dirty_bitmap", size = 48, minSize = 48)
public record IommuHwptGetDirtyBitmap(
        @At(offset = 4, bytes = 4) int hwptId,
        @At(offset = 8, bytes = 4) int flags,
        @At(offset = 12, bytes = 4) int reserved,
        @At(offset = 16, bytes = 8) long iova,
        @At(offset = 24, bytes = 8) long length,
        @At(offset = 32, bytes = 8) long pageSize,
        @At(offset = 40, bytes = 8) long data) {
}
