package org.iommufd4j.uapi.vendor;

/** {@code enum iommu_hw_info_arm_smmuv3_flags}: the {@code flags} of {@link IommuHwInfoArmSmmuv3}. */
public final class IommuHwInfoArmSmmuv3Flags {
    private IommuHwInfoArmSmmuv3Flags() {
    }

    /** Erratum T264-SMMU-3: issue TLBI/CFGI+SYNC commands twice. */
    public static final int ERRATA_REPEAT_TLBI_CFGI = 1 << 0;
}
