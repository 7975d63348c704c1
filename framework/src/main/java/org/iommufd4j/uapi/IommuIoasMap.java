package org.iommufd4j.uapi;

/**
 * {@code struct iommu_ioas_map}: pin {@code length} bytes of caller memory at {@code user_va} and
 * map them at {@code iova} (input with FIXED_IOVA, else chosen and written back). Flags are
 * {@link IommuIoasMapFlags}; unknown flags or reserved≠0 → EOPNOTSUPP; neither READABLE nor
 * WRITEABLE → EINVAL.
 */
@KernelStruct(name = "iommu_ioas_map", size = 40, minSize = 40)
public record IommuIoasMap(
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 4) int ioasId,
        @At(offset = 12, bytes = 4) int reserved,
        @At(offset = 16, bytes = 8) long userVa,
        @At(offset = 24, bytes = 8) long length,
        @At(offset = 32, bytes = 8) long iova) {

    /** The IOVA the kernel chose (or the fixed one), written back. */
    public IommuIoasMap withOutIova(long iova) {
        return new IommuIoasMap(flags, ioasId, reserved, userVa, length, iova);
    }
}
