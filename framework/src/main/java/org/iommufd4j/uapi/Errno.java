package org.iommufd4j.uapi;

/**
 * Linux errno values (include/uapi/asm-generic/errno-base.h and errno.h), the ones iommufd and its
 * selftest use. The numeric values are the ABI: a C program ported onto iommufd4j checks them.
 */
public enum Errno {
    EPERM(1),
    ENOENT(2),
    ESRCH(3),
    EINTR(4),
    EIO(5),
    ENXIO(6),
    E2BIG(7),
    EBADF(9),
    EAGAIN(11),
    ENOMEM(12),
    EACCES(13),
    EFAULT(14),
    EBUSY(16),
    EEXIST(17),
    ENODEV(19),
    EINVAL(22),
    /** File table overflow / too many open files: a uAPI-server client could not install a returned fd. */
    ENFILE(23),
    EMFILE(24),
    ENOTTY(25),
    ENOSPC(28),
    ESPIPE(29),
    ERANGE(34),
    /** Invalid exchange: the selftest's ACCESS_PAGES check found pages other than the user's. */
    EBADE(52),
    /** Protocol error: a malformed message to the uAPI server. */
    EPROTO(71),
    EOVERFLOW(75),
    /** File descriptor in bad state: the selftest's access ops given an fd that is not an access (selftest.c iommufd_access_get). */
    EBADFD(77),
    EMSGSIZE(90),
    /** The uAPI server does not speak the client's protocol version. */
    EPROTONOSUPPORT(93),
    EOPNOTSUPP(95),
    EADDRINUSE(98);

    private final int value;

    Errno(int value) {
        this.value = value;
    }

    /** The positive Linux value; an ioctl returns its negation. */
    public int value() {
        return value;
    }

    /** The errno with this positive value, or null when it is not one iommufd uses. */
    public static Errno of(int value) {
        for (Errno e : values()) {
            if (e.value == value) {
                return e;
            }
        }
        return null;
    }
}
