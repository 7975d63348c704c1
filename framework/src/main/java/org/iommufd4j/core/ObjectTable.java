package org.iommufd4j.core;

import it.unimi.dsi.fastutil.objects.ObjectArrayList;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.function.IntConsumer;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The per-context object table, the kernel's {@code ictx->objects} xarray: IDs are the lowest
 * free integer from 1 (XA_FLAGS_ALLOC1). An object is reserved first, invisible to lookups, and
 * becomes visible only when finalized; an aborted one never was. A lookup takes a short-term
 * reference that a concurrent DESTROY sees as EBUSY, so a destroyed object is never handed out.
 */
public final class ObjectTable {
    /** IDs are 31-bit in the kernel's xarray (xa_limit_31b). */
    static final int MAX_ID = Integer.MAX_VALUE;

    private final Object lock = new Object();
    private final ObjectArrayList<IommufdObject> slots = new ObjectArrayList<>();
    private final BitSet used = new BitSet();
    private final FailNth failNth;
    private final IntConsumer liveCounter;
    private int count;

    ObjectTable(FailNth failNth, IntConsumer liveCounter) {
        this.failNth = failNth;
        this.liveCounter = liveCounter;
        slots.add(null); // ID 0 is never valid
        used.set(0);
    }

    /**
     * Reserves the lowest free ID for {@code obj}; lookups do not see it until {@link #finalizeObject}.
     * Subsystems that create objects outside an ioctl's own new object (a device bound by a driver,
     * an automatic HWPT) reserve, finish their work, then finalize or abort.
     */
    public <T extends IommufdObject> T reserve(T obj) {
        if (obj.state != IommufdObject.State.NEW) {
            throw new IllegalStateException(obj + " is already in a table");
        }
        failNth.check("object allocation", Errno.ENOMEM);
        synchronized (lock) {
            int id = used.nextClearBit(1);
            if (id < 0 || id == MAX_ID) {
                throw new IommufdException(Errno.ENOSPC, "object table is full");
            }
            used.set(id);
            while (slots.size() <= id) {
                slots.add(null);
            }
            slots.set(id, obj);
            obj.id = id;
            obj.state = IommufdObject.State.RESERVED;
            count++;
        }
        liveCounter.accept(1);
        return obj;
    }

    /**
     * Adds an object made by an in-kernel user outside an ioctl and makes it visible at once
     * (iommufd_object_alloc + iommufd_object_finalize, as iommufd_access_create does). ENOMEM
     * (injected) or ENOSPC leave nothing.
     */
    public <T extends IommufdObject> T insert(T obj) {
        reserve(obj);
        finalizeObject(obj);
        return obj;
    }

    /** Makes a reserved object visible. */
    public void finalizeObject(IommufdObject obj) {
        synchronized (lock) {
            if (obj.state != IommufdObject.State.RESERVED || slots.get(obj.id) != obj) {
                throw new IllegalStateException(obj + " is not reserved");
            }
            obj.state = IommufdObject.State.LIVE;
        }
    }

    /** Drops a reserved object that was never visible and runs its abort. */
    public void abortObject(IommufdObject obj) {
        synchronized (lock) {
            if (obj.state != IommufdObject.State.RESERVED || slots.get(obj.id) != obj) {
                throw new IllegalStateException(obj + " is not reserved");
            }
            free(obj);
        }
        obj.abort();
    }

    /**
     * Finds a live object of {@code type} and takes a short-term reference, released with
     * {@link #put}. A wrong ID, a wrong type and an object being destroyed are all ENOENT.
     */
    <T extends IommufdObject> T get(int id, Class<T> type) {
        failNth.check("object lookup", Errno.ENOENT);
        synchronized (lock) {
            IommufdObject obj = id > 0 && id < slots.size() ? slots.get(id) : null;
            if (obj == null || obj.state != IommufdObject.State.LIVE || !type.isInstance(obj) || !obj.tryLock()) {
                throw new IommufdException(Errno.ENOENT,
                        "no " + describe(type) + " with id " + Integer.toUnsignedString(id));
            }
            return type.cast(obj);
        }
    }

    void put(IommufdObject obj) {
        obj.unlock();
    }

    /**
     * IOMMU_DESTROY: removes the object when the table holds the only reference (else EBUSY),
     * then destroys it. ENOENT for an unknown or not yet visible ID.
     */
    void destroy(int id) {
        IommufdObject obj;
        synchronized (lock) {
            obj = id > 0 && id < slots.size() ? slots.get(id) : null;
            if (obj == null || obj.state != IommufdObject.State.LIVE) {
                throw new IommufdException(Errno.ENOENT, "no object with id " + Integer.toUnsignedString(id));
            }
            if (!obj.releaseIfOnlyTable()) {
                throw new IommufdException(Errno.EBUSY, obj + " is still used by " + (obj.users() - 1) + " holder(s)");
            }
            free(obj);
        }
        obj.destroy();
    }

    /**
     * Removes a live object from the table and destroys it when nothing but the table holds it
     * (the kernel's iommufd_object_remove for objects the kernel itself owns: an automatic HWPT
     * whose last device left, a device its driver unbinds). Returns false, changing nothing, when
     * the object is still held or already gone; the caller must have dropped its own references.
     */
    public boolean removeIfUnused(IommufdObject obj) {
        synchronized (lock) {
            if (obj.state != IommufdObject.State.LIVE || obj.id <= 0 || obj.id >= slots.size() || slots.get(obj.id) != obj
                    || !obj.releaseIfOnlyTable()) {
                return false;
            }
            free(obj);
        }
        obj.destroy();
        return true;
    }

    /**
     * The kernel's iommufd_object_tombstone_user: removes and destroys a live object that only
     * the table holds, but keeps its ID taken (an XA_ZERO_ENTRY) until the context closes, so
     * the user's DESTROY of that ID is ENOENT and no new object reuses it. Returns false, changing
     * nothing, when the object is still held or already gone.
     */
    public boolean tombstoneIfUnused(IommufdObject obj) {
        synchronized (lock) {
            if (obj.state != IommufdObject.State.LIVE || obj.id <= 0 || obj.id >= slots.size() || slots.get(obj.id) != obj
                    || !obj.releaseIfOnlyTable()) {
                return false;
            }
            slots.set(obj.id, null);
            obj.state = IommufdObject.State.DEAD;
            count--;
            liveCounter.accept(-1);
        }
        obj.destroy();
        return true;
    }

    /**
     * Destroys every object, leaves first: repeatedly removes each object that only the table
     * still holds, until none is left (the kernel's iommufd_fops_release). Returns the objects
     * that could not be destroyed because something still held them (a bug in a subsystem).
     */
    List<IommufdObject> destroyAll() {
        while (true) {
            List<IommufdObject> removable = new ArrayList<>();
            List<IommufdObject> stuck = new ArrayList<>();
            synchronized (lock) {
                for (int i = slots.size() - 1; i > 0; i--) {
                    IommufdObject obj = slots.get(i);
                    if (obj == null || obj.state != IommufdObject.State.LIVE) {
                        continue;
                    }
                    if (obj.releaseIfOnlyTable()) {
                        free(obj);
                        removable.add(obj);
                    } else {
                        stuck.add(obj);
                    }
                }
            }
            for (IommufdObject obj : removable) {
                obj.destroy();
            }
            if (removable.isEmpty()) {
                return stuck;
            }
        }
    }

    /** Live and reserved objects. */
    public int size() {
        synchronized (lock) {
            return count;
        }
    }

    /** A snapshot of the live objects in ID order, for dumps and tests. */
    public List<IommufdObject> snapshot() {
        synchronized (lock) {
            List<IommufdObject> out = new ArrayList<>();
            for (IommufdObject o : slots) {
                if (o != null && o.state == IommufdObject.State.LIVE) {
                    out.add(o);
                }
            }
            return out;
        }
    }

    private void free(IommufdObject obj) {
        slots.set(obj.id, null);
        used.clear(obj.id);
        obj.state = IommufdObject.State.DEAD;
        count--;
        liveCounter.accept(-1);
    }

    private static String describe(Class<?> type) {
        return type == IommufdObject.class ? "object" : type.getSimpleName();
    }
}
