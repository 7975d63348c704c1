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

    /** The last descriptor was closed (or the process exited). */
    void release();
}
