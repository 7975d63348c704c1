package org.iommufd4j.ioas;

import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.failnth.FailNth;

/**
 * An IO address space object (IOMMUFD_OBJ_IOAS): an {@link IoPagetable} with an ID. Paging HW
 * page tables built on it hold a reference, so it cannot be destroyed while a domain is attached;
 * destroying it unmaps (and unpins) everything.
 */
public final class Ioas extends IommufdObject {
    private final IoPagetable iopt;

    Ioas(FailNth failNth) {
        super(ObjectType.IOAS);
        this.iopt = new IoPagetable(failNth);
    }

    /**
     * Allocates a new IOAS in {@code ctx} outside an ioctl, visible at once (iommufd_ioas_alloc +
     * finalize, as the VFIO compat path's iommufd_vfio_compat_ioas_create does). ENOMEM
     * (injected) leaves nothing.
     */
    public static Ioas allocate(IommufdContext ctx) {
        return ctx.objects().insert(new Ioas(ctx.device().failNth()));
    }

    /** The IOVA → pages map. */
    public IoPagetable iopt() {
        return iopt;
    }

    @Override
    protected void destroy() {
        if (!iopt.domains().isEmpty()) {
            throw new IllegalStateException(this + " destroyed with " + iopt.domains().size() + " domain(s) still attached");
        }
        iopt.unmapAll();
    }
}
