package org.iommufd4j.uapi;

/** {@code enum iommu_hw_info_type}: {@code in_data_type}/{@code out_data_type} of {@link IommuHwInfo}. */
public final class IommuHwInfoType {
    private IommuHwInfoType() {
    }

    /** Output by drivers that report no info. */
    public static final int NONE = 0;
    /** Input: the driver's default type (same value as NONE). */
    public static final int DEFAULT = 0;
    /** {@code struct iommu_hw_info_vtd}. */
    public static final int INTEL_VTD = 1;
    /** {@code struct iommu_hw_info_arm_smmuv3}. */
    public static final int ARM_SMMUV3 = 2;
    /** {@code struct iommu_hw_info_tegra241_cmdqv}. */
    public static final int TEGRA241_CMDQV = 3;
    /** {@code struct iommu_hw_info_amd}. */
    public static final int AMD = 4;
}
