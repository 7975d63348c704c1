package org.iommufd4j.ioas;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;

import java.util.concurrent.locks.ReentrantLock;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.memory.UserMemory;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * An emulated device's view of an IOAS (IOMMUFD_OBJ_ACCESS, Linux's {@code iommufd_access} in
 * device.c): a driver without a real IOMMU behind it (an mdev, the selftest's access) reads and
 * writes IOVA with the CPU, or pins IOVA pages to use their frames directly.
 *
 * <p>Lifecycle, as in Linux: {@link #create} puts the object in the context's table and takes a
 * reference for the driver, so IOMMU_DESTROY of its ID is EBUSY; {@link #attach} holds a users
 * reference on the IOAS (so the IOAS cannot be destroyed under it) and registers with its
 * io_pagetable; {@link #replace} moves to another IOAS; {@link #destroyAccess} detaches and
 * removes the object.
 *
 * <p>Unmap contract: when an IOAS unmap covers IOVA the access has pinned, the io_pagetable calls
 * {@link Ops#unmap}, which must {@link #unpinPages unpin} before returning; pins left behind make
 * the unmap EBUSY. Detaching (replace, destroy) calls {@code unmap(0, ULONG_MAX)} so the driver
 * lets go of everything on the old IOAS.
 *
 * <p>Locking: pin, rw and the IOAS changes are serialized on the access's own lock, taken before
 * the io_pagetable's. The unmap callback runs with the io_pagetable locked, so
 * {@link #unpinPages} does not take the access lock (it releases on the IOAS recorded for unpin,
 * Linux's {@code ioas_unpin}); and a driver must not hold a lock of its own across
 * {@link #pinPages} that its unmap callback also takes.
 */
public final class IommufdAccess extends IommufdObject implements IovaAccess {
    /** The driver behind an access ({@code struct iommufd_access_ops}). */
    public interface Ops {
        /**
         * Whether the driver pins pages ({@code needs_pin_pages}): then the IOAS's IOVA alignment
         * rises to PAGE_SIZE while the access is attached, and {@link #pinPages} is allowed.
         */
        boolean needsPinPages();

        /** IOVA [iova, iova+length) is being unmapped: unpin everything pinned in it before returning. */
        void unmap(long iova, long length);

        /**
         * The context is closing while the driver still holds the access. Return true to hand the
         * access to the close, which then destroys it (detaching first, so {@link #unmap} still
         * runs); the driver must not use it again and must not call {@link #destroyAccess}.
         * Return false (the default) when another object of the context owns the access and
         * destroys it during the close.
         */
        default boolean contextClosed() {
            return false;
        }
    }

    private final IommufdContext ctx;
    private final Ops ops;
    private final long iovaAlignment;
    private final ReentrantLock ioasLock = new ReentrantLock();
    /** The IOAS new pins and rw go to; null while detached or changing (guarded by ioasLock). */
    private Ioas ioas;
    /** The IOAS pins are released on; differs from {@link #ioas} only while a change is in flight. */
    private volatile Ioas ioasUnpin;
    private boolean destroyRequested;

    private IommufdAccess(IommufdContext ctx, Ops ops) {
        super(ObjectType.ACCESS);
        this.ctx = ctx;
        this.ops = ops;
        this.iovaAlignment = ops.needsPinPages() ? PAGE_SIZE : 1;
    }

    /**
     * iommufd_access_create: a new access object in {@code ctx}, not yet attached. The object is
     * visible at once; the driver holds a reference to it until {@link #destroyAccess}.
     * ENOMEM (injected) leaves nothing.
     */
    public static IommufdAccess create(IommufdContext ctx, Ops ops) {
        IommufdAccess access = new IommufdAccess(ctx, ops);
        // The calling driver is a user until destroyAccess().
        access.ref();
        ctx.objects().insert(access);
        return access;
    }

    /**
     * iommufd_access_create_internal: a pinning access the core itself uses (a vIOMMU HW queue
     * pins its guest memory through one). Its ID is reserved but never visible, as the kernel's
     * never-finalized object, so the user cannot look it up or destroy it. {@code ops} decides
     * what an unmap of pinned IOVA does; one that does not unpin makes that unmap EBUSY.
     */
    public static IommufdAccess createInternal(IommufdContext ctx, Ops ops) {
        IommufdAccess access = new IommufdAccess(ctx, ops);
        ctx.objects().reserve(access);
        return access;
    }

    /**
     * iommufd_access_destroy_internal: detaches (the caller unpinned first) and releases the
     * reserved ID of an access made by {@link #createInternal}.
     */
    public void destroyInternal() {
        ctx.objects().abortObject(this);
    }

    /** Whether this access may pin pages. */
    public boolean needsPinPages() {
        return iovaAlignment == PAGE_SIZE;
    }

    /** The IOAS this access is attached to, or null. */
    public Ioas ioas() {
        ioasLock.lock();
        try {
            return ioas;
        } finally {
            ioasLock.unlock();
        }
    }

    /**
     * iommufd_access_attach: attaches to IOAS {@code ioasId} (ENOENT when it is not one). Raising
     * the IOAS alignment for a pinning access fails EADDRINUSE when an area is misaligned.
     * Attaching an attached access is a driver bug (EINVAL).
     */
    public void attach(int ioasId) {
        ioasLock.lock();
        try {
            if (ioas != null) {
                throw IommufdException.einval(this + " is already attached to " + ioas);
            }
            changeIoasId(ioasId);
        } finally {
            ioasLock.unlock();
        }
    }

    /**
     * iommufd_access_replace: moves the access to IOAS {@code ioasId}. ENOENT when the access is
     * not attached or the ID is not an IOAS; replacing with the current IOAS does nothing. The
     * driver's unmap callback is told to drop everything pinned on the old IOAS.
     */
    public void replace(int ioasId) {
        ioasLock.lock();
        try {
            if (ioas == null) {
                throw new IommufdException(Errno.ENOENT, this + " is not attached to an IOAS");
            }
            changeIoasId(ioasId);
        } finally {
            ioasLock.unlock();
        }
    }

    /** iommufd_access_detach: leaves the IOAS (unpinning through the callback). */
    public void detach() {
        ioasLock.lock();
        try {
            if (ioas == null) {
                throw new IllegalStateException(this + " is not attached");
            }
            changeIoas(null);
        } finally {
            ioasLock.unlock();
        }
    }

    private void changeIoasId(int ioasId) {
        Ioas target = ctx.get(ioasId, Ioas.class);
        try {
            changeIoas(target);
        } finally {
            ctx.put(target);
        }
    }

    /** iommufd_access_change_ioas; runs with ioasLock held and drops it around the unmap callback. */
    private void changeIoas(Ioas target) {
        Ioas cur = ioas;
        if (cur != ioasUnpin) {
            throw new IommufdException(Errno.EBUSY, this + " is being detached concurrently");
        }
        if (cur == target) {
            return;
        }
        // Blocks new pins; unpins keep going to ioasUnpin.
        ioas = null;
        if (target != null) {
            try {
                target.iopt().addAccess(this);
            } catch (RuntimeException e) {
                ioas = cur;
                throw e;
            }
            target.ref();
        }
        if (cur != null) {
            ioasLock.unlock();
            try {
                ops.unmap(0, IoPagetable.MAX);
            } finally {
                ioasLock.lock();
            }
            cur.iopt().removeAccess(this);
            cur.unref();
        }
        ioas = target;
        ioasUnpin = target;
    }

    /**
     * iommufd_access_pin_pages: pins the pages under [iova, iova+length) and returns their frames,
     * one per page, until {@link #unpinPages} with the same range. Length 0 is EINVAL, a wrapping
     * range EOVERFLOW, a detached access ENOENT; an access whose driver does not pin is EINVAL.
     * See {@link IoPagetable} for ENOENT (gap), EINVAL (not page aligned) and EPERM (protection).
     * {@code flags}: {@link AccessFlags#WRITE} to pin for writing.
     */
    public long[] pinPages(long iova, long length, int flags) {
        if (!needsPinPages()) {
            throw IommufdException.einval(this + ": the driver did not ask for needs_pin_pages, so it cannot pin");
        }
        checkRange(iova, length);
        ioasLock.lock();
        try {
            if (ioas == null) {
                throw new IommufdException(Errno.ENOENT, this + " is not attached to an IOAS");
            }
            return ioas.iopt().accessPin(iova, length, (flags & AccessFlags.WRITE) != 0);
        } finally {
            ioasLock.unlock();
        }
    }

    /**
     * iommufd_access_unpin_pages: releases a {@link #pinPages} of exactly the same range. Safe to
     * call from the unmap callback. Unpinning while never attached is a driver bug.
     */
    public void unpinPages(long iova, long length) {
        if (length == 0 || Long.compareUnsigned(iova + length - 1, iova) < 0) {
            throw new IllegalArgumentException("unpin of IOVA 0x" + Long.toHexString(iova) + " length 0x"
                    + Long.toHexString(length) + " can never have been pinned");
        }
        Ioas target = ioasUnpin;
        if (target == null) {
            throw new IllegalStateException(this + " unpins while not attached");
        }
        target.iopt().unpinIova(iova, length);
    }

    /**
     * iommufd_access_rw: copies {@code length} bytes between {@code data[off..]} and IOVA
     * {@code iova} ({@link AccessFlags#WRITE} writes to the IOVA). Length 0 is EINVAL, a wrapping
     * range EOVERFLOW, a detached access ENOENT, a gap in the mappings ENOENT, a mapping without
     * the needed permission EPERM. {@code caller} is the process on whose behalf the copy runs
     * (null for a kernel thread); it decides between the fast and the slow path (see
     * {@link AccessFlags}).
     */
    public void rw(UserMemory caller, long iova, byte[] data, int off, int length, int flags) {
        if (length == 0) {
            throw IommufdException.einval("access rw length must not be 0");
        }
        checkRange(iova, length);
        if (off < 0 || off + length > data.length || off + length < 0) {
            throw new IndexOutOfBoundsException("data[" + off + ", +" + length + ") is outside a " + data.length + "-byte buffer");
        }
        ioasLock.lock();
        try {
            if (ioas == null) {
                throw new IommufdException(Errno.ENOENT, this + " is not attached to an IOAS");
            }
            ioas.iopt().accessRw(caller, iova, data, off, length, flags);
        } finally {
            ioasLock.unlock();
        }
    }

    private static void checkRange(long iova, long length) {
        if (length == 0) {
            throw IommufdException.einval("length must not be 0");
        }
        if (Long.compareUnsigned(iova + length - 1, iova) < 0) {
            throw new IommufdException(Errno.EOVERFLOW, "iova 0x" + Long.toHexString(iova) + " + length 0x"
                    + Long.toHexString(length) + " overflows");
        }
    }

    /**
     * iommufd_access_destroy: detaches (the unmap callback drops every pin) and removes the object
     * from the table. The driver must not use the access afterwards.
     */
    public void destroyAccess() {
        synchronized (this) {
            if (destroyRequested) {
                throw new IllegalStateException(this + " destroyed twice");
            }
            destroyRequested = true;
        }
        unref();
        // iommufd_object_destroy_user waits for lookups in flight to end.
        for (int tries = 0;; tries++) {
            try {
                ctx.destroyObject(id());
                return;
            } catch (IommufdException e) {
                if (e.errno() != Errno.EBUSY || tries >= 100_000) {
                    throw e;
                }
                Thread.yield();
            }
        }
    }

    /**
     * The context closes with the driver's reference still held: if the driver lets go
     * ({@link Ops#contextClosed}), its reference is dropped so the close destroys the access.
     */
    @Override
    protected void contextClosing() {
        synchronized (this) {
            if (destroyRequested) {
                return;
            }
            if (!ops.contextClosed()) {
                return;
            }
            destroyRequested = true;
        }
        unref();
    }

    // ---------------------------------------------------------------- IovaAccess (io_pagetable side)

    /** iommufd_access_notify_unmap: passes the unmap on to the driver. */
    @Override
    public void unmap(long iova, long length) {
        ops.unmap(iova, length);
    }

    @Override
    public long iovaAlignment() {
        return iovaAlignment;
    }

    /** iommufd_access_destroy_object. */
    @Override
    protected void destroy() {
        ioasLock.lock();
        try {
            if (ioas != null) {
                changeIoas(null);
            }
        } finally {
            ioasLock.unlock();
        }
    }
}
