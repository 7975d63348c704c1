package org.iommufd4j.ioas;

import org.iommufd4j.core.Ucmd;
import org.iommufd4j.memory.Capability;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.spi.IommuProt;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdException;

/** Checks shared by the IOAS ioctls (ioas.c). */
final class IoasCommon {
    private IoasCommon() {
    }

    /** Unknown map flags or a non-zero reserved field → EOPNOTSUPP. */
    static void checkMapFlags(String struct, int flags, int reserved) {
        if ((flags & ~IommuIoasMapFlags.ALL) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, struct + ".flags 0x" + Integer.toHexString(flags)
                    + " has unknown bits 0x" + Integer.toHexString(flags & ~IommuIoasMapFlags.ALL));
        }
        if (reserved != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, struct + ".__reserved must be 0, got " + reserved);
        }
    }

    /** ULONG_MAX itself is not a valid IOVA or length (EOVERFLOW). */
    static void checkNotMax(String struct, String field, long value) {
        if (value == -1L) {
            throw new IommufdException(Errno.EOVERFLOW, struct + "." + field + " 0xffffffffffffffff is ULONG_MAX");
        }
    }

    /** conv_iommu_prot: READABLE/WRITEABLE to IOMMU prot bits; neither set → EINVAL. */
    static int prot(String struct, int flags) {
        if ((flags & (IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE)) == 0) {
            throw IommufdException.einval(struct + ".flags 0x" + Integer.toHexString(flags) + " has neither READABLE nor WRITEABLE");
        }
        int prot = IommuProt.CACHE;
        if ((flags & IommuIoasMapFlags.WRITEABLE) != 0) {
            prot |= IommuProt.WRITE;
        }
        if ((flags & IommuIoasMapFlags.READABLE) != 0) {
            prot |= IommuProt.READ;
        }
        return prot;
    }

    static boolean fixed(int flags) {
        return (flags & IommuIoasMapFlags.FIXED_IOVA) != 0;
    }

    /** The calling process; a caller without an address space cannot supply pages (EFAULT). */
    static UserProcess caller(Ucmd ucmd, String what) {
        if (ucmd.user() instanceof UserProcess p) {
            return p;
        }
        throw new IommufdException(Errno.EFAULT, what + ": the caller has no address space to take pages from");
    }

    /** Whether the caller holds {@code cap}; a caller without a process (bare memory) holds none. */
    static boolean capable(Ucmd ucmd, Capability cap) {
        return ucmd.user() instanceof UserProcess p && p.capable(cap);
    }

    /** Looks up an IOAS (ENOENT for a wrong ID or type); release it with {@code ctx.put}. */
    static Ioas getIoas(Ucmd ucmd, int id) {
        return ucmd.ctx().get(id, Ioas.class);
    }
}
