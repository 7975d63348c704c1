package org.iommufd4j.uapi;

/** {@code enum iommu_veventq_type}: the {@code type} of {@link IommuVeventqAlloc}. */
public final class IommuVeventqType {
    private IommuVeventqType() {
    }

    /** Reserved; rejected with EOPNOTSUPP. */
    public static final int DEFAULT = 0;
    /** Payload {@code struct iommu_vevent_arm_smmuv3}. */
    public static final int ARM_SMMUV3 = 1;
    /** Payload {@code struct iommu_vevent_tegra241_cmdqv}. */
    public static final int TEGRA241_CMDQV = 2;
}
