package org.iommufd4j.uapi.vfio;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct vfio_iommu_type1_dma_map} (VFIO_IOMMU_MAP_DMA): map {@code size} bytes at process
 * address {@code vaddr} to {@code iova} in the compat IOAS. argsz below 32 or a flag other than
 * READ/WRITE → EINVAL (iommufd does not support VADDR).
 */
@KernelStruct(name = "vfio_iommu_type1_dma_map", size = 32, minSize = 32, sized = false)
public record VfioIommuType1DmaMap(
        @At(offset = 0, bytes = 4) int argsz,
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 8) long vaddr,
        @At(offset = 16, bytes = 8) long iova,
        @At(offset = 24, bytes = 8) long size) {

    /** {@code VFIO_DMA_MAP_FLAG_READ}: readable from the device. */
    public static final int FLAG_READ = 1 << 0;
    /** {@code VFIO_DMA_MAP_FLAG_WRITE}: writable from the device. */
    public static final int FLAG_WRITE = 1 << 1;
    /** {@code VFIO_DMA_MAP_FLAG_VADDR}: update the vaddr of an existing mapping (unsupported by iommufd). */
    public static final int FLAG_VADDR = 1 << 2;
}
