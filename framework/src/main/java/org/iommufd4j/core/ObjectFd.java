package org.iommufd4j.core;

import org.iommufd4j.memory.FileOps;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * An anonymous-inode fd of an object (the FAULT and vEVENTQ fds): it holds a users reference on the
 * object until its last close, so DESTROY of the object is EBUSY meanwhile, as in Linux. When the
 * context closes first, the fd is detached — its reference dropped so the close can destroy the
 * object — and later reads and writes fail with EBADF instead of reaching a destroyed object.
 */
final class ObjectFd implements FileOps {
    private final IommufdObject owner;
    private final FileOps ops;
    private boolean released;

    ObjectFd(IommufdObject owner, FileOps ops) {
        this.owner = owner;
        this.ops = ops;
    }

    @Override
    public int read(byte[] buf, int off, int len) {
        checkOpen();
        return ops.read(buf, off, len);
    }

    @Override
    public int write(byte[] buf, int off, int len) {
        checkOpen();
        return ops.write(buf, off, len);
    }

    /** A detached fd reports an error instead of reaching a destroyed object. */
    @Override
    public int poll() {
        synchronized (this) {
            if (released) {
                return POLLERR;
            }
        }
        return ops.poll();
    }

    @Override
    public void release() {
        synchronized (this) {
            if (released) {
                return;
            }
            released = true;
        }
        owner.fdReleased(this);
        owner.unref();
    }

    private synchronized void checkOpen() {
        if (released) {
            throw new IommufdException(Errno.EBADF, owner + ": the iommufd context of this fd was closed");
        }
    }
}
