package org.iommufd4j.uapi;

/** {@code enum iommu_hwpt_pgfault_flags}: the {@code flags} of {@link IommuHwptPgfault}. */
public final class IommuHwptPgfaultFlags {
    private IommuHwptPgfaultFlags() {
    }

    /** The {@code pasid} field is valid. */
    public static final int PASID_VALID = 1 << 0;
    /** The last fault of a fault group: its cookie is the one to answer. */
    public static final int LAST_PAGE = 1 << 1;
}
