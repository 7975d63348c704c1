package org.iommufd4j.uapi;

/**
 * {@code struct iommu_hwpt_pgfault}: one page fault as read from a FAULT fd. {@code flags} are
 * {@link IommuHwptPgfaultFlags}, {@code perm} {@link IommuHwptPgfaultPerm}; the {@code cookie} of
 * the group's LAST_PAGE fault is echoed in the {@link IommuHwptPageResponse}.
 */
@KernelStruct(name = "iommu_hwpt_pgfault", size = 40, sized = false)
public record IommuHwptPgfault(
        @At(offset = 0, bytes = 4) int flags,
        @At(offset = 4, bytes = 4) int devId,
        @At(offset = 8, bytes = 4) int pasid,
        @At(offset = 12, bytes = 4) int grpid,
        @At(offset = 16, bytes = 4) int perm,
        @At(offset = 20, bytes = 4) int reserved,
        @At(offset = 24, bytes = 8) long addr,
        @At(offset = 32, bytes = 4) int length,
        @At(offset = 36, bytes = 4) int cookie) {
}
