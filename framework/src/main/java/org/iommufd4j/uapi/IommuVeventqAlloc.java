package org.iommufd4j.uapi;

/**
 * {@code struct iommu_veventq_alloc}: create a vEVENTQ of {@code type} ({@link IommuVeventqType})
 * holding at most {@code veventq_depth} events for a vIOMMU, and its fd. flags, reserved≠0 or type
 * DEFAULT → EOPNOTSUPP; depth 0 → EINVAL; a second queue of one type → EEXIST. min_size ends at
 * {@code out_veventq_fd}.
 */
@KernelStruct(name = "iommu_veventq_alloc", size = 32, minSize = 28)
public record IommuVeventqAlloc(
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 4) int viommuId,
        @At(offset = 12, bytes = 4) int type,
        @At(offset = 16, bytes = 4) int veventqDepth,
        @At(offset = 20, bytes = 4) int outVeventqId,
        @At(offset = 24, bytes = 4) int outVeventqFd,
        @At(offset = 28, bytes = 4) int reserved) {

    /** The new vEVENTQ's id and fd, written back. */
    public IommuVeventqAlloc withOut(int veventqId, int veventqFd) {
        return new IommuVeventqAlloc(flags, viommuId, type, veventqDepth, veventqId, veventqFd, reserved);
    }
}
