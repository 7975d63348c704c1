package org.iommufd4j.uapi.vendor;

/** {@code enum iommu_hwpt_vtd_s1_flags}: the {@code flags} of {@link IommuHwptVtdS1} (PASID-entry attributes). */
public final class IommuHwptVtdS1Flags {
    private IommuHwptVtdS1Flags() {
    }

    /** Supervisor Request Enable. */
    public static final long SRE = 1L << 0;
    /** Extended Accessed flag Enable. */
    public static final long EAFE = 1L << 1;
    /** Write Protect Enable. */
    public static final long WPE = 1L << 2;
    /** Every flag the kernel knows. */
    public static final long ALL = SRE | EAFE | WPE;
}
