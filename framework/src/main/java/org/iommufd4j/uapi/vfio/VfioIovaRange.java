package org.iommufd4j.uapi.vfio;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/** {@code struct vfio_iova_range}: an inclusive IOVA range [start, end] of the IOVA_RANGE capability. */
@KernelStruct(name = "vfio_iova_range", size = 16, sized = false)
public record VfioIovaRange(
        @At(offset = 0, bytes = 8) long start,
        @At(offset = 8, bytes = 8) long end) {
}
