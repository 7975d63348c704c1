package org.iommufd4j.uapi;

/**
 * {@code struct iommu_hw_queue_alloc}: create HW queue {@code index} of {@code type}
 * ({@link IommuHwQueueType}) for a vIOMMU, backed by guest memory [nesting_parent_iova, +length)
 * that the core pins. flags≠0 or type DEFAULT → EOPNOTSUPP; length 0 → EINVAL; iova+length-1
 * overflow → EOVERFLOW.
 */
@KernelStruct(name = "iommu_hw_queue_alloc", size = 40, minSize = 40)
public record IommuHwQueueAlloc(
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 4) int viommuId,
        @At(offset = 12, bytes = 4) int type,
        @At(offset = 16, bytes = 4) int index,
        @At(offset = 20, bytes = 4) int outHwQueueId,
        @At(offset = 24, bytes = 8) long nestingParentIova,
        @At(offset = 32, bytes = 8) long length) {

    /** The new HW queue's id, written back. */
    public IommuHwQueueAlloc withOutHwQueueId(int id) {
        return new IommuHwQueueAlloc(flags, viommuId, type, index, id, nestingParentIova, length);
    }
}
