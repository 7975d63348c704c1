package org.iommufd4j.uapi;

/** {@code enum iommufd_hw_capabilities}: bits of {@code out_capabilities} in {@link IommuHwInfo}. */
public final class IommuHwCapabilities {
    private IommuHwCapabilities() {
    }

    /** HWPT_SET_DIRTY_TRACKING and HWPT_GET_DIRTY_BITMAP work. */
    public static final long DIRTY_TRACKING = 1L << 0;
    /** PCI PASID Execute permission; ignored when out_max_pasid_log2 is 0. */
    public static final long PCI_PASID_EXEC = 1L << 1;
    /** PCI PASID Privileged mode; ignored when out_max_pasid_log2 is 0. */
    public static final long PCI_PASID_PRIV = 1L << 2;
    /** ATS is not supported or cannot be used on the device (newest). */
    public static final long PCI_ATS_NOT_SUPPORTED = 1L << 3;
}
