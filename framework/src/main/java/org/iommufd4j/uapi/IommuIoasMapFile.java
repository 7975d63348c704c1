package org.iommufd4j.uapi;

/**
 * {@code struct iommu_ioas_map_file}: like IOAS_MAP but the pages come from the memfd (or a
 * supported dma-buf) {@code fd} at byte offset {@code start}. A bad fd → EBADF; a range past the
 * file's end or length 0 → EINVAL.
 */
@KernelStruct(name = "iommu_ioas_map_file", size = 40, minSize = 40)
public record IommuIoasMapFile(
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 4) int ioasId,
        // __s32 fd: decoded as int, so negative values stay negative.
        @At(offset = 12, bytes = 4) int fd,
        @At(offset = 16, bytes = 8) long start,
        @At(offset = 24, bytes = 8) long length,
        @At(offset = 32, bytes = 8) long iova) {

    /** The IOVA the kernel chose (or the fixed one), written back. */
    public IommuIoasMapFile withOutIova(long iova) {
        return new IommuIoasMapFile(flags, ioasId, fd, start, length, iova);
    }
}
