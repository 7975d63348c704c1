package org.iommufd4j.core;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.iommufd4j.memory.FileOps;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * An object in a context's table. As in the kernel, {@code users} counts the table's own
 * reference plus every holder (an HWPT holds its IOAS, a lookup holds its target for the length
 * of a call); DESTROY succeeds only when the table's reference is the last one.
 *
 * <p>Subclasses release what they hold in {@link #destroy()}; {@link #abort()} undoes a creation
 * that failed before it was ever visible.
 */
public abstract class IommufdObject {
    private final ObjectType type;
    private final AtomicInteger users = new AtomicInteger(1);
    private final AtomicInteger shorttermUsers = new AtomicInteger(1);
    private final List<ObjectFd> openFds = new ArrayList<>(0);
    volatile int id;
    volatile State state = State.NEW;

    enum State { NEW, RESERVED, LIVE, DEAD }

    protected IommufdObject(ObjectType type) {
        this.type = type;
    }

    public final ObjectType type() {
        return type;
    }

    /** The ID in the table; 0 before allocation. */
    public final int id() {
        return id;
    }

    /** The current users count (1 = only the table holds it). */
    public final int users() {
        return users.get();
    }

    /**
     * Takes a long-term reference: the holder keeps this object from being destroyed until it
     * calls {@link #unref()}. Only valid while the caller already holds a reference.
     */
    public final void ref() {
        if (users.getAndIncrement() <= 0) {
            throw new IllegalStateException(this + " referenced after destruction");
        }
    }

    /** Drops a reference taken with {@link #ref()}. */
    public final void unref() {
        if (users.decrementAndGet() < 1) {
            throw new IllegalStateException(this + ": users went below the table's own reference");
        }
    }

    boolean tryLock() {
        int u;
        do {
            u = users.get();
            if (u == 0) {
                return false;
            }
        } while (!users.compareAndSet(u, u + 1));
        int s;
        do {
            s = shorttermUsers.get();
            if (s == 0) {
                users.decrementAndGet();
                return false;
            }
        } while (!shorttermUsers.compareAndSet(s, s + 1));
        return true;
    }

    void unlock() {
        shorttermUsers.decrementAndGet();
        users.decrementAndGet();
    }

    /** Drops the table's reference if it is the only one ({@code refcount_dec_if_one}). */
    boolean releaseIfOnlyTable() {
        return users.compareAndSet(1, 0);
    }

    void checkLive() {
        if (state != State.LIVE) {
            throw new IommufdException(Errno.ENOENT, type + " " + id + " is not live");
        }
    }

    /**
     * The context is closing and this object is still in its table. An object that a kernel-side
     * user holds beyond the table (an emulated-device access held through its fd) drops that hold
     * here, so the close can destroy it; the default does nothing. Runs before any object of the
     * context is destroyed.
     */
    protected void contextClosing() {
    }

    /**
     * Opens an fd of this object over {@code ops} (read, write and the final close): it holds a
     * users reference until its last close, or until the context closes first.
     */
    protected final FileOps openFd(FileOps ops) {
        ref();
        ObjectFd fd = new ObjectFd(this, ops);
        synchronized (openFds) {
            openFds.add(fd);
        }
        return fd;
    }

    void fdReleased(ObjectFd fd) {
        synchronized (openFds) {
            openFds.remove(fd);
        }
    }

    /** The context is closing: every fd still open lets go of this object. */
    final void detachFds() {
        List<ObjectFd> fds;
        synchronized (openFds) {
            fds = new ArrayList<>(openFds);
        }
        for (ObjectFd fd : fds) {
            fd.release();
        }
    }

    /** Releases what the object holds. Runs once, after the object left the table. */
    protected abstract void destroy();

    /** Undoes a creation that failed before the object became visible. Defaults to {@link #destroy()}. */
    protected void abort() {
        destroy();
    }

    @Override
    public String toString() {
        return type + "#" + id;
    }
}
