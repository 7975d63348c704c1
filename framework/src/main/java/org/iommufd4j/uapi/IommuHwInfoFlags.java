package org.iommufd4j.uapi;

/** {@code enum iommufd_hw_info_flags}: the {@code flags} of {@link IommuHwInfo}. */
public final class IommuHwInfoFlags {
    private IommuHwInfoFlags() {
    }

    /** {@code in_data_type} is an input that selects the info type to report. */
    public static final int INPUT_TYPE = 1 << 0;
    /** Every flag the kernel knows. */
    public static final int ALL = INPUT_TYPE;
}
