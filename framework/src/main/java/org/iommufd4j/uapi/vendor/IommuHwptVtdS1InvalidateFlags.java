package org.iommufd4j.uapi.vendor;

/** {@code enum iommu_hwpt_vtd_s1_invalidate_flags}: the {@code flags} of {@link IommuHwptVtdS1Invalidate}. */
public final class IommuHwptVtdS1InvalidateFlags {
    private IommuHwptVtdS1InvalidateFlags() {
    }

    /** Leaf entries only (the IH hint): paging-structure caches may be kept ({@code IOMMU_VTD_INV_FLAGS_LEAF}). */
    public static final int LEAF = 1 << 0;
    /** Every flag the kernel knows. */
    public static final int ALL = LEAF;
}
