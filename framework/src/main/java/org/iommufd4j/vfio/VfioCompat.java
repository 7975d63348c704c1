package org.iommufd4j.vfio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.core.ContextLocal;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The VFIO compatibility state of one context ({@code ictx->vfio_ioas}): the IOAS the VFIO type1
 * ioctls act on. It is a weak pointer, as in Linux: it holds no reference, so the IOAS can still
 * be destroyed, after which every compat ioctl is ENODEV until another IOAS is set (an IOAS that
 * later reuses the ID is not mistaken for it).
 */
public final class VfioCompat {
    private static final ContextLocal<VfioCompat> SLOT = ContextLocal.of(VfioCompat::new);

    private final IommufdContext ctx;
    private Ioas ioas;

    private VfioCompat(IommufdContext ctx) {
        this.ctx = ctx;
    }

    /** The compat state of {@code ctx}. */
    public static VfioCompat of(IommufdContext ctx) {
        return SLOT.get(ctx);
    }

    /**
     * get_compat_ioas: the compat IOAS, held for the caller until {@code ctx.put(ioas)}. ENODEV
     * when none is set or it was destroyed.
     */
    public Ioas acquire() {
        Ioas cur;
        synchronized (this) {
            cur = ioas;
        }
        if (cur == null) {
            throw new IommufdException(Errno.ENODEV, "no VFIO compat IOAS is set (IOMMU_VFIO_IOAS SET)");
        }
        Ioas found;
        try {
            found = ctx.get(cur.id(), Ioas.class);
        } catch (IommufdException e) {
            throw new IommufdException(Errno.ENODEV, "the VFIO compat IOAS " + cur + " was destroyed", e);
        }
        if (found != cur) {
            ctx.put(found);
            throw new IommufdException(Errno.ENODEV, "the VFIO compat IOAS " + cur + " was destroyed");
        }
        return found;
    }

    /** IOMMU_VFIO_IOAS GET: the compat IOAS ID; ENODEV when there is none. */
    public int ioasId() {
        Ioas held = acquire();
        try {
            return held.id();
        } finally {
            ctx.put(held);
        }
    }

    /** IOMMU_VFIO_IOAS SET (the caller holds {@code target}). */
    public synchronized void set(Ioas target) {
        ioas = target;
    }

    /** IOMMU_VFIO_IOAS CLEAR. */
    public synchronized void clear() {
        ioas = null;
    }

    /**
     * iommufd_vfio_compat_ioas_create: what a VFIO group attach does first. Keeps a live compat
     * IOAS, else allocates one (a normal IOAS object: the user may learn its ID with GET and
     * destroy it; closing the context frees it). Returns its ID.
     */
    public synchronized int createIoas() {
        if (ioas != null) {
            try {
                return ioasId();
            } catch (IommufdException e) {
                if (e.errno() != Errno.ENODEV) {
                    throw e;
                }
            }
        }
        ioas = Ioas.allocate(ctx);
        return ioas.id();
    }

    /** The by-value argument of VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU for the byte API. */
    public static ByteBuffer valueArg(long value) {
        return ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, value);
    }
}
