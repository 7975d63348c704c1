package org.iommufd4j.uapi;

/** {@code enum iommufd_hwpt_set_dirty_tracking_flags}: the {@code flags} of {@link IommuHwptSetDirtyTracking}. */
public final class IommuHwptSetDirtyTrackingFlags {
    private IommuHwptSetDirtyTrackingFlags() {
    }

    /** Enable dirty tracking; without it, disable. */
    public static final int ENABLE = 1;
    /** Every flag the kernel knows. */
    public static final int ALL = ENABLE;
}
