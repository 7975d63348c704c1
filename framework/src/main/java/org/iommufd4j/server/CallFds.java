package org.iommufd4j.server;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.nio.ByteBuffer;
import org.iommufd4j.memory.AnonFile;
import org.iommufd4j.memory.host.FdTable;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The client's descriptor table as one IOCTL sees it: installing a file asks the client, in an
 * INSTALL_FD callback on the calling connection, to open a connection for it and returns the real
 * descriptor number the client got, so the struct the ioctl writes back holds it.
 */
final class CallFds implements FdTable {
    /** O_CLOEXEC: eventq.c and selftest.c get their fds with get_unused_fd_flags(O_CLOEXEC). */
    static final int O_CLOEXEC = 0x80000;

    private final Connection connection;
    private final ServedContext context;
    private final int seq;
    private final IntArrayList installed = new IntArrayList();

    CallFds(Connection connection, ServedContext context, int seq) {
        this.connection = connection;
        this.context = context;
        this.seq = seq;
    }

    @Override
    public int install(AnonFile file) {
        file.hold();
        ServedFile served = context.register(file);
        int fd;
        try {
            ByteBuffer p = Wire.payload(16).putInt(served.token()).putInt(O_CLOEXEC).putLong(context.token());
            p.flip();
            fd = connection.callback(Wire.INSTALL_FD, seq, p);
        } catch (RuntimeException e) {
            context.unregister(served);
            served.abandon();
            throw e;
        }
        if (fd < 0) {
            context.unregister(served);
            served.abandon();
            Errno errno = Errno.of(-fd);
            throw new IommufdException(errno == null ? Errno.EMFILE : errno, "the client could not install " + file
                    + " (errno " + -fd + ")");
        }
        served.installed();
        context.installedAt(fd, served);
        installed.add(fd);
        return fd;
    }

    @Override
    public void close(int fd) {
        if (!installed.rem(fd)) {
            throw new IommufdException(Errno.EBADF, "fd " + fd + " was not installed by this call");
        }
        context.closedAt(fd);
        ByteBuffer p = Wire.payload(4).putInt(fd);
        p.flip();
        connection.callback(Wire.CLOSE_FD, seq, p);
    }

    @Override
    public AnonFile lookup(int fd) {
        return context.fileAt(fd);
    }

    /** The call failed after installing: the client closes what it installed (put_unused_fd/fput). */
    void closeAll() {
        while (!installed.isEmpty()) {
            try {
                close(installed.getInt(installed.size() - 1));
            } catch (IommufdException e) {
                return; // the client is gone: its connections' EOF releases the files
            }
        }
    }
}
