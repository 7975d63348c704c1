package org.iommufd4j.core;

import org.iommufd4j.memory.UserMemory;

/**
 * One ioctl call in progress (the kernel's {@code struct iommufd_ucmd}): the context, the calling
 * process's memory for the struct's pointers, and the object the call is creating, which the
 * dispatcher finalizes when the handler returns and aborts when it throws.
 */
public final class Ucmd {
    private final IommufdContext ctx;
    private final UserMemory user;
    private IommufdObject newObject;
    private int returnValue;

    Ucmd(IommufdContext ctx, UserMemory user) {
        this.ctx = ctx;
        this.user = user;
    }

    public IommufdContext ctx() {
        return ctx;
    }

    /** The calling process's memory, for pointers inside the struct. */
    public UserMemory user() {
        return user;
    }

    /**
     * Reserves an ID for the object this call creates. It stays invisible to lookups until the
     * handler returns successfully; if the handler throws, the object is aborted and its ID freed.
     */
    public <T extends IommufdObject> T newObject(T obj) {
        if (newObject != null) {
            throw new IllegalStateException("one ioctl creates one object");
        }
        ctx.objects().reserve(obj);
        newObject = obj;
        return obj;
    }

    /**
     * A non-negative value the byte ioctl returns instead of 0 on success (e.g. an fd the call
     * made, as the selftest's DMABUF_GET returns its dma-buf fd). The typed API has no such value.
     */
    public void setReturnValue(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("an ioctl's success value is non-negative, not " + value);
        }
        returnValue = value;
    }

    int returnValue() {
        return returnValue;
    }

    void complete(boolean success) {
        IommufdObject obj = newObject;
        newObject = null;
        if (obj == null) {
            return;
        }
        if (success) {
            ctx.objects().finalizeObject(obj);
        } else {
            ctx.objects().abortObject(obj);
        }
    }
}
