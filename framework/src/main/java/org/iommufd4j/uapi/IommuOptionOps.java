package org.iommufd4j.uapi;

/** {@code enum iommufd_option_ops}: the {@code op} of {@link IommuOption}. */
public final class IommuOptionOps {
    private IommuOptionOps() {
    }

    public static final int SET = 0;
    public static final int GET = 1;
}
