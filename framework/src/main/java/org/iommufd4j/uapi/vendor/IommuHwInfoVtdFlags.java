package org.iommufd4j.uapi.vendor;

/** {@code enum iommu_hw_info_vtd_flags}: the {@code flags} of {@link IommuHwInfoVtd}. */
public final class IommuHwInfoVtdFlags {
    private IommuHwInfoVtdFlags() {
    }

    /** Erratum 772415 (SPR17): no read-only mappings on a nest-parent domain. */
    public static final int ERRATA_772415_SPR17 = 1 << 0;
}
