package org.iommufd4j.uapi;

/** {@code enum iommufd_ioas_map_flags}: flags of IOAS_MAP, IOAS_MAP_FILE and IOAS_COPY. */
public final class IommuIoasMapFlags {
    private IommuIoasMapFlags() {
    }

    /** Use the caller's {@code iova} instead of allocating one. */
    public static final int FIXED_IOVA = 1 << 0;
    /** DMA may write the pages. */
    public static final int WRITEABLE = 1 << 1;
    /** DMA may read the pages. */
    public static final int READABLE = 1 << 2;
    /** Every flag the kernel knows; any other bit is EOPNOTSUPP. */
    public static final int ALL = FIXED_IOVA | WRITEABLE | READABLE;
}
