package org.iommufd4j.ioas;

/**
 * The {@code flags} of {@link IommufdAccess#pinPages} and {@link IommufdAccess#rw}
 * (include/linux/iommufd.h {@code IOMMUFD_ACCESS_RW_*}).
 */
public final class AccessFlags {
    private AccessFlags() {
    }

    /** {@code IOMMUFD_ACCESS_RW_READ}: read (the default). */
    public static final int READ = 0;
    /** {@code IOMMUFD_ACCESS_RW_WRITE}: write; the area must be mapped writable. */
    public static final int WRITE = 1 << 0;
    /**
     * {@code IOMMUFD_ACCESS_RW_KTHREAD}: the caller is a kernel thread with no address space of
     * its own; rw may borrow the mapping process's address space for a direct copy.
     */
    public static final int KTHREAD = 1 << 1;
    /**
     * {@code __IOMMUFD_ACCESS_RW_SLOW_PATH} (test builds): take the path a caller from another
     * process takes (pin the pages, copy through their frames, unpin) even from the mapping
     * process. The selftest's MOCK_ACCESS_RW_SLOW_PATH maps to it.
     */
    public static final int SLOW_PATH = 1 << 2;

    /** Every flag rw understands. */
    public static final int ALL = WRITE | KTHREAD | SLOW_PATH;
}
