package org.iommufd4j.uapi.vfio;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct vfio_iommu_type1_dma_unmap} (VFIO_IOMMU_UNMAP_DMA): unmap [iova, iova+size), or
 * everything with {@link #FLAG_ALL} (then iova and size must be 0, else EINVAL); {@code size} is
 * written back with the bytes unmapped. argsz below 24 or another flag → EINVAL. The flexible
 * {@code data[]} tail (dirty bitmap) is not part of the record: iommufd does not support it.
 */
@KernelStruct(name = "vfio_iommu_type1_dma_unmap", size = 24, minSize = 24, sized = false)
public record VfioIommuType1DmaUnmap(
        @At(offset = 0, bytes = 4) int argsz,
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 8) long iova,
        @At(offset = 16, bytes = 8) long size) {

    /** {@code VFIO_DMA_UNMAP_FLAG_GET_DIRTY_BITMAP} (unsupported by iommufd). */
    public static final int FLAG_GET_DIRTY_BITMAP = 1 << 0;
    /** {@code VFIO_DMA_UNMAP_FLAG_ALL}: unmap every mapping. */
    public static final int FLAG_ALL = 1 << 1;
    /** {@code VFIO_DMA_UNMAP_FLAG_VADDR} (unsupported by iommufd). */
    public static final int FLAG_VADDR = 1 << 2;

    /** The number of bytes unmapped, written back into {@code size}. */
    public VfioIommuType1DmaUnmap withOutSize(long unmapped) {
        return new VfioIommuType1DmaUnmap(argsz, flags, iova, unmapped);
    }
}
