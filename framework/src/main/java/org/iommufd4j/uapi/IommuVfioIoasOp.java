package org.iommufd4j.uapi;

/** {@code enum iommufd_vfio_ioas_op}: the {@code op} of {@link IommuVfioIoas}. */
public final class IommuVfioIoasOp {
    private IommuVfioIoasOp() {
    }

    /** Report the compat IOAS id (ENODEV if none). */
    public static final int GET = 0;
    /** Make {@code ioas_id} the compat IOAS. */
    public static final int SET = 1;
    /** Forget the compat IOAS. */
    public static final int CLEAR = 2;
}
