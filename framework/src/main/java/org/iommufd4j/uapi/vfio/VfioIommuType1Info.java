package org.iommufd4j.uapi.vfio;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct vfio_iommu_type1_info} (VFIO_IOMMU_GET_INFO): argsz below offsetofend(iova_pgsizes)
 * = 16 → EINVAL. The kernel answers the supported page sizes and, when argsz leaves room, a
 * capability chain after the struct starting at {@code cap_offset}; {@code argsz} is written
 * back with the size the whole chain needs.
 */
@KernelStruct(name = "vfio_iommu_type1_info", size = 24, minSize = 16, sized = false)
public record VfioIommuType1Info(
        @At(offset = 0, bytes = 4) int argsz,
        @At(offset = 4, bytes = 4) int flags,
        @At(offset = 8, bytes = 8) long iovaPgsizes,
        @At(offset = 16, bytes = 4) int capOffset,
        @At(offset = 20, bytes = 4) int pad) {

    /** {@code VFIO_IOMMU_INFO_PGSIZES}: {@code iova_pgsizes} is valid. */
    public static final int FLAG_PGSIZES = 1 << 0;
    /** {@code VFIO_IOMMU_INFO_CAPS}: the info supports a capability chain. */
    public static final int FLAG_CAPS = 1 << 1;

    /** The kernel's answer: needed argsz, flags, page-size bitmap and first capability offset (0 = none). */
    public VfioIommuType1Info withOut(int neededArgsz, int outFlags, long pgsizes, int firstCapOffset) {
        return new VfioIommuType1Info(neededArgsz, outFlags, pgsizes, firstCapOffset, pad);
    }
}
