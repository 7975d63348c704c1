package org.iommufd4j.uapi;

/** {@code enum iommu_hwpt_invalidate_data_type}: the {@code data_type} of {@link IommuHwptInvalidate}. */
public final class IommuHwptInvalidateDataType {
    private IommuHwptInvalidateDataType() {
    }

    /** {@code struct iommu_hwpt_vtd_s1_invalidate} entries, for a VT-d nested HWPT. */
    public static final int VTD_S1 = 0;
    /** {@code struct iommu_viommu_arm_smmuv3_invalidate} entries, for an SMMUv3 vIOMMU ({@code IOMMU_VIOMMU_INVALIDATE_DATA_ARM_SMMUV3}). */
    public static final int VIOMMU_ARM_SMMUV3 = 1;
}
