package org.iommufd4j.uapi;

/**
 * {@code struct iommu_hwpt_alloc}: allocate a HW page table on {@code pt_id} (an IOAS → PAGING; a
 * nest-parent PAGING hwpt or a vIOMMU → NESTED, with driver data {@code data_type}/{@code data_len}/
 * {@code data_uptr}). Flags are {@link IommuHwptAllocFlags}; {@code fault_id} counts only with
 * FAULT_ID_VALID. reserved≠0 → EOPNOTSUPP; an unusable pt_id → EINVAL. min_size ends at
 * {@code __reserved} (main.c IOCTL_OP): the data and fault fields were added later.
 */
@KernelStruct(name = "iommu_hwpt_alloc", size = 48, minSize = 24)
public record IommuHwptAlloc(
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 4) int devId,
        @At(offset = 12, bytes = 4) int ptId,
        @At(offset = 16, bytes = 4) int outHwptId,
        @At(offset = 20, bytes = 4) int reserved,
        @At(offset = 24, bytes = 4) int dataType,
        @At(offset = 28, bytes = 4) int dataLen,
        @At(offset = 32, bytes = 8) long dataUptr,
        @At(offset = 40, bytes = 4) int faultId,
        @At(offset = 44, bytes = 4) int reserved2) {

    /** The new HWPT's id, written back. */
    public IommuHwptAlloc withOutHwptId(int id) {
        return new IommuHwptAlloc(flags, devId, ptId, id, reserved, dataType, dataLen, dataUptr, faultId, reserved2);
    }
}
