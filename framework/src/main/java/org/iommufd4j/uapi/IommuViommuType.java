package org.iommufd4j.uapi;

/** {@code enum iommu_viommu_type}: the {@code type} of {@link IommuViommuAlloc}. */
public final class IommuViommuType {
    private IommuViommuType() {
    }

    /** Reserved; rejected with EOPNOTSUPP. */
    public static final int DEFAULT = 0;
    public static final int ARM_SMMUV3 = 1;
    /** An ARM SMMUv3 with NVIDIA Tegra241 CMDQV virtual command queues. */
    public static final int TEGRA241_CMDQV = 2;
}
