package org.iommufd4j.uapi.vfio;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct vfio_iommu_type1_info_cap_iova_range} without its flexible tail: the
 * {@link VfioInfoCapHeader} fields (id 1, version 1) flattened, then {@code nr_iovas}
 * {@link VfioIovaRange}s follow at offset 16. iommufd reports the holes between reserved ranges.
 */
@KernelStruct(name = "vfio_iommu_type1_info_cap_iova_range", size = 16, sized = false)
public record VfioIommuType1InfoCapIovaRange(
        @At(offset = 0, bytes = 2) int id,
        @At(offset = 2, bytes = 2) int version,
        @At(offset = 4, bytes = 4) int next,
        @At(offset = 8, bytes = 4) int nrIovas,
        @At(offset = 12, bytes = 4) int reserved) {

    /** Where {@code iova_ranges[0]} starts. */
    public static final int RANGES_OFFSET = 16;
}
