package org.iommufd4j.uapi.vfio;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/**
 * {@code struct vfio_iommu_type1_info_dma_avail}: the {@link VfioInfoCapHeader} fields (id 3,
 * version 1) flattened, then {@code avail}, the number of DMA mappings still allowed; iommufd
 * always reports U32_MAX (its limit is memory accounting, not a count).
 */
@KernelStruct(name = "vfio_iommu_type1_info_dma_avail", size = 12, sized = false)
public record VfioIommuType1InfoDmaAvail(
        @At(offset = 0, bytes = 2) int id,
        @At(offset = 2, bytes = 2) int version,
        @At(offset = 4, bytes = 4) int next,
        @At(offset = 8, bytes = 4) int avail) {
}
