package org.iommufd4j.uapi;

/**
 * {@code enum iommufd_option}: the {@code option_id} of {@link IommuOption} (named ...Id so it does
 * not clash with the struct record).
 */
public final class IommuOptionId {
    private IommuOptionId() {
    }

    /** Global: 0 = pin accounting per user, 1 = per process (mm). SET needs CAP_SYS_RESOURCE and no objects. */
    public static final int RLIMIT_MODE = 0;
    /** Per IOAS: 1 = allow huge pages (default), 0 = split to PAGE_SIZE and raise the alignment. */
    public static final int HUGE_PAGES = 1;
}
