package org.iommufd4j.core;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.iommufd4j.memory.UserMemory;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuDestroy;
import org.iommufd4j.uapi.IommuIoasAlloc;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;

/**
 * One open {@code /dev/iommu}: the object table and the ioctl entry points. The byte API
 * ({@link #ioctl}) and the typed API ({@link #call} and its shorthands) reach the same handlers.
 *
 * <p>Any number of threads may call ioctls at once; {@link #close()} waits for calls in flight,
 * then destroys every object, leaves first. Calls after close fail with EBADF.
 */
public final class IommufdContext implements AutoCloseable {
    private final Iommufd device;
    private final IoctlTable table;
    private final UserMemory process;
    private final ObjectTable objects;
    private final ReentrantReadWriteLock closeLock = new ReentrantReadWriteLock();
    private final ConcurrentHashMap<ContextLocal<?>, Object> locals = new ConcurrentHashMap<>();
    private volatile boolean closed;

    IommufdContext(Iommufd device, IoctlTable table, UserMemory process) {
        this.device = device;
        this.table = table;
        this.process = process;
        this.objects = new ObjectTable(device.failNth(), device::countLiveObjects);
    }

    /** The device this context was opened on. */
    public Iommufd device() {
        return device;
    }

    /** The object table. */
    public ObjectTable objects() {
        return objects;
    }

    /** The process that opened the context; ioctls without an explicit caller act on its memory. */
    public UserMemory process() {
        return process;
    }

    public boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- byte API

    /**
     * The byte-level ioctl, as {@code ioctl(fd, cmd, arg)} on {@code /dev/iommu}: {@code arg}'s
     * bytes from its position are the caller's struct. Returns 0 (or a command's non-negative
     * value) on success, {@code -errno} on failure; outputs are written back into {@code arg}.
     */
    public int ioctl(int cmd, ByteBuffer arg) {
        return ioctl(cmd, arg, process);
    }

    /** {@link #ioctl(int, ByteBuffer)} made by another process sharing this file (after fork). */
    public int ioctl(int cmd, ByteBuffer arg, UserMemory caller) {
        return IommufdException.errnoOnly(() -> ioctlOrThrow(cmd, arg, caller));
    }

    /** The byte ioctl, failing with an exception that says why instead of a bare {@code -errno}. */
    public int ioctlOrThrow(int cmd, ByteBuffer arg, UserMemory caller) {
        return ioctlOrThrow(cmd, arg, caller, () -> { });
    }

    /**
     * The byte ioctl for a caller whose struct lives elsewhere (a real process's memory):
     * {@code copyOut} copies {@code arg} back to it after the handler ran, before the object the
     * call created is finalized, as iommufd_ucmd_respond runs inside the command, so a failed copy
     * (EFAULT) aborts that object instead of leaving one the caller never learned the ID of. It
     * also runs, best effort, when the handler failed with a struct to report (e.g. an entry count).
     */
    public int ioctlOrThrow(int cmd, ByteBuffer arg, UserMemory caller, Runnable copyOut) {
        enter();
        try {
            IoctlHandler<?> handler = table.lookup(cmd);
            if (handler == null) {
                CompatIoctlHandler compat = IoctlTable.inIommufdRange(cmd) ? null : table.lookupCompat(cmd);
                if (compat == null) {
                    throw new IommufdException(Errno.ENOTTY, "unknown ioctl 0x" + Integer.toHexString(cmd));
                }
                return runCompat(compat, arg, caller, copyOut);
            }
            return runBytes(handler, arg, caller, copyOut);
        } finally {
            leave();
        }
    }

    private <T extends Record> int runBytes(IoctlHandler<T> handler, ByteBuffer arg, UserMemory caller, Runnable copyOut) {
        StructCodec<T> codec = handler.codec();
        if (arg == null) {
            throw new IommufdException(Errno.EFAULT, codec.name() + ": no argument");
        }
        ByteBuffer user = arg.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (user.remaining() < Integer.BYTES) {
            throw new IommufdException(Errno.EFAULT, codec.name() + ": cannot read the size field");
        }
        long size = Integer.toUnsignedLong(user.getInt(0));
        if (size < codec.minSize()) {
            throw new IommufdException(Errno.EINVAL,
                    codec.name() + ": size " + size + " is below the minimum " + codec.minSize());
        }
        if (size > user.remaining()) {
            throw new IommufdException(Errno.EFAULT,
                    codec.name() + ": size " + size + " runs past the " + user.remaining() + "-byte buffer");
        }
        int known = codec.size();
        for (int i = known; i < size; i++) {
            if (user.get(i) != 0) {
                throw new IommufdException(Errno.E2BIG,
                        codec.name() + ": byte " + i + " beyond the kernel's " + known + "-byte struct is not zero");
            }
        }
        int copied = (int) Math.min(size, known);
        ByteBuffer kernel = ByteBuffer.allocate(known).order(ByteOrder.LITTLE_ENDIAN);
        kernel.put(0, user, 0, copied);
        T cmd = codec.decode(kernel);
        Ucmd ucmd = new Ucmd(this, caller);
        boolean ok = false;
        try {
            T response = handler.handle(ucmd, cmd);
            if (response != null) {
                copyBack(codec, response, kernel, user, copied);
            }
            copyOut.run();
            ok = true;
        } catch (IommufdException e) {
            if (!ok && codec.type().isInstance(e.response())) {
                copyBack(codec, codec.type().cast(e.response()), kernel, user, copied);
                try {
                    copyOut.run();
                } catch (IommufdException ignored) {
                    // The call's own errno is what the caller gets.
                }
            }
            throw e;
        } finally {
            ucmd.complete(ok);
        }
        return ucmd.returnValue();
    }

    private static <T extends Record> void copyBack(StructCodec<T> codec, T response, ByteBuffer kernel, ByteBuffer user, int copied) {
        codec.encode(response, kernel);
        user.put(0, kernel, 0, copied);
    }

    private int runCompat(CompatIoctlHandler handler, ByteBuffer arg, UserMemory caller, Runnable copyOut) {
        Ucmd ucmd = new Ucmd(this, caller);
        boolean ok = false;
        try {
            int rc = handler.handle(ucmd, arg == null ? null : arg.slice().order(ByteOrder.LITTLE_ENDIAN));
            copyOut.run();
            ok = true;
            return rc;
        } finally {
            ucmd.complete(ok);
        }
    }

    // ---------------------------------------------------------------- typed API

    /**
     * Runs the ioctl whose struct is {@code cmd}'s type and returns the struct the kernel would
     * copy back. Failures throw {@link IommufdException} with the errno {@link #ioctl} returns.
     */
    public <T extends Record> T call(T cmd) {
        return call(cmd, process);
    }

    /** {@link #call(Record)} made by another process sharing this file. */
    public <T extends Record> T call(T cmd, UserMemory caller) {
        @SuppressWarnings("unchecked")
        Class<T> type = (Class<T>) cmd.getClass();
        IoctlHandler<T> handler = table.forStruct(type);
        if (handler == null) {
            throw new IommufdException(Errno.ENOTTY, "no ioctl takes " + type.getSimpleName());
        }
        enter();
        try {
            return invoke(handler, cmd, caller);
        } finally {
            leave();
        }
    }

    /** IOMMU_IOAS_ALLOC; returns the new IOAS ID. */
    public int ioasAlloc() {
        return call(new IommuIoasAlloc(0, 0)).outIoasId();
    }

    /** IOMMU_DESTROY. */
    public void destroy(int id) {
        call(new IommuDestroy(id));
    }

    private <T extends Record> T invoke(IoctlHandler<T> handler, T cmd, UserMemory caller) {
        return invoke(handler, cmd, new Ucmd(this, caller));
    }

    private <T extends Record> T invoke(IoctlHandler<T> handler, T cmd, Ucmd ucmd) {
        boolean ok = false;
        try {
            T response = handler.handle(ucmd, cmd);
            ok = true;
            return response;
        } finally {
            ucmd.complete(ok);
        }
    }

    // ---------------------------------------------------------------- objects

    /**
     * Looks up a live object of {@code type} and holds it for the length of {@code use}. A wrong
     * ID, a wrong type or an object being destroyed is ENOENT.
     */
    public <T extends IommufdObject> T get(int id, Class<T> type) {
        return objects.get(id, type);
    }

    /** Releases a reference taken by {@link #get}. */
    public void put(IommufdObject obj) {
        objects.put(obj);
    }

    /** Destroys an object by ID with the kernel's ENOENT/EBUSY rules (IOMMU_DESTROY's work). */
    public void destroyObject(int id) {
        objects.destroy(id);
    }

    @SuppressWarnings("unchecked")
    <T> T local(ContextLocal<T> key) {
        return (T) locals.computeIfAbsent(key, k -> k.initialValue(this));
    }

    // ---------------------------------------------------------------- lifecycle

    private void enter() {
        closeLock.readLock().lock();
        if (closed) {
            closeLock.readLock().unlock();
            throw new IommufdException(Errno.EBADF, "the iommufd context is closed");
        }
    }

    private void leave() {
        closeLock.readLock().unlock();
    }

    /**
     * Closes the file: waits for calls in flight, then destroys every object, leaves first.
     * Idempotent.
     */
    @Override
    public void close() {
        closeLock.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            closeLock.writeLock().unlock();
        }
        for (IommufdObject obj : objects.snapshot()) {
            obj.detachFds();
            obj.contextClosing();
        }
        List<IommufdObject> stuck = objects.destroyAll();
        device.contextClosed(this);
        if (!stuck.isEmpty()) {
            throw new IllegalStateException("objects still referenced at close (a subsystem leaked a reference): " + stuck);
        }
    }
}
