package org.iommufd4j.uapi;

/**
 * {@code struct iommu_viommu_alloc}: create a vIOMMU of {@code type} ({@link IommuViommuType}) for
 * the IOMMU behind {@code dev_id}, on the nest-parent PAGING hwpt {@code hwpt_id}, with optional
 * driver data at {@code data_uptr}. flags≠0, reserved≠0 or type DEFAULT → EOPNOTSUPP; hwpt not a
 * nest parent → EINVAL. min_size ends at {@code out_viommu_id}: the data fields were added later.
 */
@KernelStruct(name = "iommu_viommu_alloc", size = 40, minSize = 24)
public record IommuViommuAlloc(
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 4) int type,
        @At(offset = 12, bytes = 4) int devId,
        @At(offset = 16, bytes = 4) int hwptId,
        @At(offset = 20, bytes = 4) int outViommuId,
        @At(offset = 24, bytes = 4) int dataLen,
        @At(offset = 28, bytes = 4) int reserved,
        @At(offset = 32, bytes = 8) long dataUptr) {

    /** The new vIOMMU's id, written back. */
    public IommuViommuAlloc withOutViommuId(int id) {
        return new IommuViommuAlloc(flags, type, devId, hwptId, id, dataLen, reserved, dataUptr);
    }
}
