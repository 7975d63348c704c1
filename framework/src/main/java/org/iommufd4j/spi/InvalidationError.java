package org.iommufd4j.spi;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A user cache invalidation that failed part-way: the errno for the entry that failed, and how many
 * entries before it were handled (the kernel writes that count back into {@code entry_num}).
 */
public final class InvalidationError extends IommufdException {
    private static final long serialVersionUID = 1L;

    private final int handled;

    public InvalidationError(Errno errno, String message, int handled) {
        super(errno, message);
        if (handled < 0) {
            throw new IllegalArgumentException("handled " + handled);
        }
        this.handled = handled;
    }

    /** Entries handled before the failing one. */
    public int handled() {
        return handled;
    }
}
