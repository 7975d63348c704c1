package org.iommufd4j.uapi;

/**
 * {@code struct iommu_fault_alloc} (IOMMU_FAULT_QUEUE_ALLOC): create a FAULT object and its fd,
 * from which {@link IommuHwptPgfault} records are read and to which {@link IommuHwptPageResponse}s
 * are written. flags≠0 → EOPNOTSUPP.
 */
@KernelStruct(name = "iommu_fault_alloc", size = 16, minSize = 16)
public record IommuFaultAlloc(
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 4) int outFaultId,
        @At(offset = 12, bytes = 4) int outFaultFd) {

    /** The new FAULT object's id and fd, written back. */
    public IommuFaultAlloc withOut(int faultId, int faultFd) {
        return new IommuFaultAlloc(flags, faultId, faultFd);
    }
}
