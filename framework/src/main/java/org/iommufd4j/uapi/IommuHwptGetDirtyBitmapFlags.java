package org.iommufd4j.uapi;

/** {@code enum iommufd_hwpt_get_dirty_bitmap_flags}: the {@code flags} of {@link IommuHwptGetDirtyBitmap}. */
public final class IommuHwptGetDirtyBitmapFlags {
    private IommuHwptGetDirtyBitmapFlags() {
    }

    /** Read the dirty bits without clearing them (e.g. before an unmap of the same range). */
    public static final int NO_CLEAR = 1;
    /** Every flag the kernel knows. */
    public static final int ALL = NO_CLEAR;
}
