package org.iommufd4j.uapi;

/** {@code enum iommu_hwpt_data_type}: the {@code data_type} of {@link IommuHwptAlloc}, naming the driver data struct. */
public final class IommuHwptDataType {
    private IommuHwptDataType() {
    }

    /** No data: a PAGING HWPT; data_len must be 0. */
    public static final int NONE = 0;
    /** {@code struct iommu_hwpt_vtd_s1}: an Intel VT-d stage-1 table. */
    public static final int VTD_S1 = 1;
    /** {@code struct iommu_hwpt_arm_smmuv3}: an ARM SMMUv3 nested STE. */
    public static final int ARM_SMMUV3 = 2;
    /** {@code struct iommu_hwpt_amd_guest}: an AMD guest DTE (7.0+). */
    public static final int AMD_GUEST = 3;
}
