package org.iommufd4j.memory;

/**
 * A special file in a process's descriptor table (the {@code file_operations} of an anonymous
 * inode, e.g. an iommufd FAULT or vEVENTQ fd): {@code read(2)}, {@code write(2)} and the final
 * {@code close(2)}. Failures are {@link org.iommufd4j.uapi.IommufdException}s carrying the errno
 * the call returns.
 */
public interface FileOps {
    /** read(fd, buf, len): copies at most {@code len} bytes into {@code buf[off..]}; returns the count. */
    int read(byte[] buf, int off, int len);

    /** write(fd, buf, len): consumes bytes of {@code buf[off..off+len)}; returns the count. */
    int write(byte[] buf, int off, int len);

    /** poll(2) readiness bit: data to read (include/uapi/asm-generic/poll.h). */
    int POLLIN = 0x1;
    /** poll(2) readiness bit: a write would not block. */
    int POLLOUT = 0x4;
    /** poll(2) readiness bit: the file is in error (its object is gone). */
    int POLLERR = 0x8;

    /**
     * poll(2) without waiting: the readiness bits now. A file without a poll method is always
     * readable and writable (fs/select.c DEFAULT_POLLMASK).
     */
    default int poll() {
        return POLLIN | POLLOUT;
    }

    /** The last descriptor was closed (or the process exited). */
    void release();
}
