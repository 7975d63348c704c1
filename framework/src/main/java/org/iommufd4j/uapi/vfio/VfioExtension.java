package org.iommufd4j.uapi.vfio;

/**
 * Extension ids of VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU (include/uapi/linux/vfio.h). iommufd
 * reports TYPE1_IOMMU, TYPE1v2_IOMMU and UNMAP_ALL as supported, DMA_CC_IOMMU when every domain
 * of the compat IOAS enforces cache coherency, and everything else as unsupported.
 */
public final class VfioExtension {
    private VfioExtension() {
    }

    /** Type1 v0: may unmap part of a mapping (iommufd disables huge pages for it). */
    public static final int TYPE1_IOMMU = 1;
    public static final int SPAPR_TCE_IOMMU = 2;
    /** Type1 v2: unmapping part of a mapping is refused. */
    public static final int TYPE1v2_IOMMU = 3;
    /** The IOMMU enforces DMA cache coherence. */
    public static final int DMA_CC_IOMMU = 4;
    public static final int EEH = 5;
    /** Obsolete ({@code __VFIO_RESERVED_TYPE1_NESTING_IOMMU}); iommufd answers 0. */
    public static final int TYPE1_NESTING_IOMMU = 6;
    public static final int SPAPR_TCE_v2_IOMMU = 7;
    public static final int NOIOMMU_IOMMU = 8;
    /** VFIO_DMA_UNMAP_FLAG_ALL works. */
    public static final int UNMAP_ALL = 9;
    /** The VADDR flags of map/unmap; iommufd answers 0. */
    public static final int UPDATE_VADDR = 10;
}
