package org.iommufd4j.uapi.vfio;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct vfio_info_cap_header}: heads each capability in an INFO capability chain;
 * {@code next} is the offset of the next one from the start of the info buffer, 0 at the end.
 */
@KernelStruct(name = "vfio_info_cap_header", size = 8, sized = false)
public record VfioInfoCapHeader(
        @At(offset = 0, bytes = 2) int id,
        @At(offset = 2, bytes = 2) int version,
        @At(offset = 4, bytes = 4) int next) {

    /** {@code VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE}: {@link VfioIommuType1InfoCapIovaRange}. */
    public static final int ID_IOVA_RANGE = 1;
    /** {@code VFIO_IOMMU_TYPE1_INFO_CAP_MIGRATION}: not reported by iommufd. */
    public static final int ID_MIGRATION = 2;
    /** {@code VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL}: {@link VfioIommuType1InfoDmaAvail}. */
    public static final int ID_DMA_AVAIL = 3;
}
