package org.iommufd4j.uapi;

/** {@code enum iommu_hw_queue_type}: the {@code type} of {@link IommuHwQueueAlloc}. */
public final class IommuHwQueueType {
    private IommuHwQueueType() {
    }

    /** Reserved; rejected with EOPNOTSUPP. */
    public static final int DEFAULT = 0;
    /** An NVIDIA Tegra241 CMDQV virtual command queue (VCMDQ). */
    public static final int TEGRA241_CMDQV = 1;
}
