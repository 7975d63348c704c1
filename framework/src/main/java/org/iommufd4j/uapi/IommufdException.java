package org.iommufd4j.uapi;

import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * A failed iommufd operation: the errno the kernel would return and a message that says which
 * field, which value and which rule. The typed API throws it; the byte API turns it into {@code -errno}.
 *
 * <p>Some ioctls copy their struct back even on failure (IOAS_IOVA_RANGES with EMSGSIZE,
 * HWPT_INVALIDATE with partial progress); such a failure carries the struct to write back.
 */
public class IommufdException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Depth of {@link #errnoOnly} scopes on this thread. Inside one, failures become a bare
     * {@code -errno} and nobody sees the exception, so filling in its stack trace (most of the
     * cost of a failing ioctl) is skipped.
     */
    private static final ThreadLocal<int[]> ERRNO_ONLY = ThreadLocal.withInitial(() -> new int[1]);

    private final Errno errno;
    private final transient Object response;

    public IommufdException(Errno errno, String message) {
        this(errno, message, null, null);
    }

    public IommufdException(Errno errno, String message, Throwable cause) {
        this(errno, message, null, cause);
    }

    private IommufdException(Errno errno, String message, Object response, Throwable cause) {
        super(errno.name() + ": " + message, cause, true, ERRNO_ONLY.get()[0] == 0);
        this.errno = Objects.requireNonNull(errno);
        this.response = response;
    }

    /** A failure after which the kernel still copies {@code response} back to the caller's struct. */
    public static IommufdException withResponse(Errno errno, String message, Record response) {
        return new IommufdException(errno, message, Objects.requireNonNull(response), null);
    }

    /**
     * Runs {@code call} the way the byte-level ioctl does: a failure is returned as
     * {@code -errno} instead of thrown, and exceptions made meanwhile on this thread carry no
     * stack trace.
     */
    public static int errnoOnly(IntSupplier call) {
        int[] depth = ERRNO_ONLY.get();
        depth[0]++;
        try {
            return call.getAsInt();
        } catch (IommufdException e) {
            return -e.errno().value();
        } finally {
            depth[0]--;
        }
    }

    public Errno errno() {
        return errno;
    }

    /** The struct to copy back despite the failure, or null. */
    public Object response() {
        return response;
    }

    /** Shorthand for a check that fails with EINVAL. */
    public static IommufdException einval(String message) {
        return new IommufdException(Errno.EINVAL, message);
    }
}
