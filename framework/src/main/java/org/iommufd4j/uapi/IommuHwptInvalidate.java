package org.iommufd4j.uapi;

/**
 * {@code struct iommu_hwpt_invalidate}: hand {@code entry_num} driver invalidation entries of
 * {@code entry_len} bytes ({@link IommuHwptInvalidateDataType}) at {@code data_uptr} to a NESTED hwpt
 * or a vIOMMU. {@code entry_num} is always written back with the number handled, also on failure;
 * entry_num 0 only checks data_type. reserved≠0 → EOPNOTSUPP.
 */
@KernelStruct(name = "iommu_hwpt_invalidate", size = 32, minSize = 32)
public record IommuHwptInvalidate(
        @At(offset = 4, bytes = 4) int hwptId,
        @At(offset = 8, bytes = 8) long dataUptr,
        @At(offset = 16, bytes = 4) int dataType,
        @At(offset = 20, bytes = 4) int entryLen,
        @At(offset = 24, bytes = 4) int entryNum,
        @At(offset = 28, bytes = 4) int reserved) {

    /** The number of entries handled, written back into {@code entry_num}. */
    public IommuHwptInvalidate withOutEntryNum(int handled) {
        return new IommuHwptInvalidate(hwptId, dataUptr, dataType, entryLen, handled, reserved);
    }
}
