package org.iommufd4j.uapi;

/** {@code enum iommu_hwpt_pgfault_perm}: the {@code perm} bits of {@link IommuHwptPgfault}. */
public final class IommuHwptPgfaultPerm {
    private IommuHwptPgfaultPerm() {
    }

    public static final int READ = 1 << 0;
    public static final int WRITE = 1 << 1;
    /** PCIe 10.4.1: the PASID prefix had Execute Requested set. */
    public static final int EXEC = 1 << 2;
    /** PCIe 10.4.1: the PASID prefix had Privileged Mode Requested set. */
    public static final int PRIV = 1 << 3;
}
