package org.iommufd4j.server;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import org.iommufd4j.memory.FileOps;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.host.FdTable;
import org.iommufd4j.memory.host.HostMm;
import org.iommufd4j.memory.host.HostProcess;
import org.iommufd4j.server.Wire.Frame;
import org.iommufd4j.server.Wire.ProtocolError;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.viommu.ViommuMmap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection, served by its own thread: first OPEN, JOIN or ATTACH makes it a context
 * connection or a file connection, then requests until end of stream. Whatever the client sends,
 * the answer is an errno; a malformed frame ends the connection, and ending it releases what it
 * held exactly as a client's exit would.
 */
final class Connection implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);

    private final UapiServer server;
    private final SocketChannel channel;
    private final int id;
    private ServedContext context;
    private ServedFile file;
    private int pid;

    Connection(UapiServer server, SocketChannel channel, int id) {
        this.server = server;
        this.channel = channel;
        this.id = id;
    }

    @Override
    public void run() {
        try {
            while (true) {
                Frame f = Wire.read(channel);
                if (f == null) {
                    break;
                }
                serve(f);
            }
        } catch (ProtocolError e) {
            LOG.debug("connection {}: {}; closing", id, e.getMessage());
            try {
                Wire.write(channel, 0, 0, Wire.result(-e.errno.value()));
            } catch (IOException gone) {
                // Nothing more to tell a client that is gone.
            }
        } catch (IOException e) {
            LOG.debug("connection {}: {}", id, e.toString());
        } catch (RuntimeException | Error e) {
            // A bug of ours must not take the server down; the connection's state is released below.
            LOG.error("connection {}: internal error", id, e);
        } finally {
            disconnect();
        }
    }

    private void disconnect() {
        // Release first, close the socket last: the shim's close() waits for our end to close, so
        // the program's next call sees the file released, as the kernel releases it inside close().
        if (context != null) {
            boolean closed = false;
            try {
                closed = context.leave();
            } catch (RuntimeException e) {
                LOG.error("connection {}: closing {} failed", id, context, e);
            }
            if (closed) {
                server.contextClosed(context);
                LOG.info("pid {}: {} closed", pid, context);
            } else {
                LOG.info("pid {}: left {}", pid, context);
            }
        }
        try {
            if (file != null) {
                file.detach();
                LOG.info("pid {}: closed {}", pid, file);
            }
        } finally {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing is best effort.
            }
            server.connectionClosed(this);
        }
    }

    private void serve(Frame f) throws IOException {
        if (context == null && file == null) {
            handshake(f);
            return;
        }
        ByteBuffer reply;
        try {
            reply = switch (f.type()) {
                case Wire.IOCTL -> context != null ? ioctl(f) : wrongKind(f);
                case Wire.MMAP -> context != null ? mmap(f) : wrongKind(f);
                case Wire.MUNMAP -> context != null ? munmap(f) : wrongKind(f);
                case Wire.READ -> file != null ? read(f) : wrongKind(f);
                case Wire.WRITE -> file != null ? write(f) : wrongKind(f);
                case Wire.POLL -> file != null ? poll(f) : wrongKind(f);
                default -> throw IommufdException.einval("unknown message type " + f.type());
            };
        } catch (IommufdException e) {
            LOG.debug("pid {}: type {} seq {}: {} {}", pid, f.type(), f.seq(), e.errno(), e.getMessage());
            reply = Wire.result(-e.errno().value());
        } catch (RuntimeException e) {
            // A bug of ours (a kernel WARN): the caller gets EIO, the server keeps serving.
            LOG.error("pid {}: type {} seq {}: internal error", pid, f.type(), f.seq(), e);
            reply = Wire.result(-Errno.EIO.value());
        }
        Wire.write(channel, f.type(), f.seq(), reply);
    }

    private static ByteBuffer wrongKind(Frame f) {
        throw IommufdException.einval("message type " + f.type() + " does not apply to this kind of connection");
    }

    // ------------------------------------------------------------ first message

    private void handshake(Frame f) throws IOException {
        ByteBuffer reply;
        try {
            reply = switch (f.type()) {
                case Wire.OPEN -> open(f);
                case Wire.JOIN -> join(f);
                case Wire.ATTACH -> attach(f);
                default -> throw IommufdException.einval("message type " + f.type()
                        + " before OPEN, JOIN or ATTACH");
            };
        } catch (IommufdException e) {
            LOG.debug("connection {}: handshake type {}: {} {}", id, f.type(), e.errno(), e.getMessage());
            reply = Wire.result(-e.errno().value());
        } catch (RuntimeException e) {
            LOG.error("connection {}: handshake type {}: internal error", id, f.type(), e);
            reply = Wire.result(-Errno.EIO.value());
        }
        Wire.write(channel, f.type(), f.seq(), reply);
    }

    private ByteBuffer open(Frame f) {
        int p = f.u32(0);
        HostMm mm = server.authorize(channel, p);
        ServedContext c = server.newContext(new HostProcess(mm, FdTable.NONE));
        pid = p;
        context = c;
        LOG.info("pid {}: opened {} (connection {})", p, c, id);
        ByteBuffer b = Wire.payload(16).putInt(0).putInt(0).putLong(c.token());
        b.flip();
        return b;
    }

    private ByteBuffer join(Frame f) {
        int p = f.u32(0);
        long token = f.u64(8);
        server.authorize(channel, p);
        ServedContext c = server.context(token);
        if (c == null || !c.join()) {
            throw new IommufdException(Errno.ENOENT, "no open context with token 0x" + Long.toHexString(token));
        }
        pid = p;
        context = c;
        LOG.info("pid {}: joined {} (connection {})", p, c, id);
        return Wire.result(0);
    }

    private ByteBuffer attach(Frame f) {
        int p = f.u32(0);
        int fdToken = f.u32(4);
        long token = f.u64(8);
        server.authorize(channel, p);
        ServedContext c = server.context(token);
        ServedFile sf = c == null ? null : c.file(fdToken);
        if (sf == null || !sf.attach()) {
            throw new IommufdException(Errno.ENOENT, "no file with token " + Integer.toUnsignedString(fdToken)
                    + " in context 0x" + Long.toHexString(token));
        }
        pid = p;
        file = sf;
        LOG.info("pid {}: attached {} of {} (connection {})", p, sf, c, id);
        return Wire.result(0);
    }

    // ------------------------------------------------------------ context requests

    private ByteBuffer ioctl(Frame f) {
        int p = f.u32(0);
        int cmd = f.u32(4);
        long arg = f.u64(8);
        HostMm mm = server.authorize(channel, p);
        CallFds fds = new CallFds(this, context, f.seq());
        HostProcess caller = new HostProcess(mm, fds);
        IoctlArgs args = IoctlArgs.read(caller, cmd, arg);
        int rc;
        try {
            // The write-back runs inside the call: if the caller cannot take the answer, the
            // object the call made is aborted, as when iommufd_ucmd_respond fails.
            rc = context.ctx().ioctlOrThrow(cmd, args.buffer(), caller, args::writeBack);
        } catch (IommufdException e) {
            fds.closeAll();
            LOG.debug("pid {}: ioctl 0x{} arg 0x{}: {} {}", p, Integer.toHexString(cmd), Long.toHexString(arg),
                    e.errno(), e.getMessage());
            throw e;
        }
        LOG.debug("pid {}: ioctl 0x{} arg 0x{}: {}", p, Integer.toHexString(cmd), Long.toHexString(arg), rc);
        return Wire.result(rc);
    }

    private ByteBuffer mmap(Frame f) {
        int p = f.u32(0);
        int prot = f.u32(4);
        int flags = f.u32(8);
        long addr = f.u64(16);
        long length = f.u64(24);
        long offset = f.u64(32);
        HostMm mm = server.authorize(channel, p);
        ViommuMmap.Mapping m = ViommuMmap.map(context.ctx(), length, prot, flags, offset);
        try {
            if ((addr & (PhysicalMemory.PAGE_SIZE - 1)) != 0) {
                throw IommufdException.einval("mmap: address 0x" + Long.toHexString(addr) + " is not page aligned");
            }
            byte[] bytes = new byte[(int) m.length()];
            mm.memory().read(m.pa(), bytes, 0, bytes.length);
            mm.populate(addr, bytes, 0, bytes.length);
        } catch (RuntimeException e) {
            m.unmap();
            throw e;
        }
        context.mapped(p, addr, m);
        LOG.debug("pid {}: mmap offset 0x{} at 0x{}: {}", p, Long.toHexString(offset), Long.toHexString(addr), m);
        return Wire.result(0);
    }

    private ByteBuffer munmap(Frame f) {
        int p = f.u32(0);
        long addr = f.u64(8);
        long length = f.u64(16);
        context.unmapped(p, addr, length);
        return Wire.result(0);
    }

    // ------------------------------------------------------------ file requests

    private FileOps ops() {
        FileOps ops = file.file().privateData(FileOps.class);
        if (ops == null) {
            throw IommufdException.einval(file + " has no read(2)/write(2)/poll(2)");
        }
        return ops;
    }

    private ByteBuffer read(Frame f) {
        pid = f.u32(0);
        long count = Integer.toUnsignedLong(f.u32(4));
        int n = (int) Math.min(count, Wire.MAX_PAYLOAD - 4);
        byte[] buf = new byte[n];
        int got = ops().read(buf, 0, n);
        ByteBuffer b = Wire.payload(4 + got).putInt(got).put(buf, 0, got);
        b.flip();
        return b;
    }

    private ByteBuffer write(Frame f) {
        pid = f.u32(0);
        int count = f.u32(4);
        if (count < 0) {
            throw IommufdException.einval("write count " + Integer.toUnsignedString(count) + " is larger than the message");
        }
        f.need(8 + count);
        byte[] buf = new byte[count];
        f.payload().get(8, buf);
        return Wire.result(ops().write(buf, 0, count));
    }

    private ByteBuffer poll(Frame f) {
        int events = f.u32(0);
        FileOps ops = file.file().privateData(FileOps.class);
        int ready = ops == null ? FileOps.POLLIN | FileOps.POLLOUT : ops.poll();
        return Wire.result(ready & (events | FileOps.POLLERR));
    }

    // ------------------------------------------------------------ callbacks

    /**
     * Sends a callback in the middle of the request {@code seq} and returns the client's answer.
     * Anything but the answer is a protocol violation: the call fails with EPROTO and the
     * connection is closed after its reply.
     */
    int callback(int type, int seq, ByteBuffer payload) {
        try {
            Wire.write(channel, type, seq, payload);
            Frame answer = Wire.read(channel);
            if (answer == null) {
                throw new IommufdException(Errno.EPROTO, "the client closed the connection during a callback");
            }
            if (answer.type() != type || answer.seq() != seq) {
                closeAfterReply();
                throw new IommufdException(Errno.EPROTO, "expected the answer to callback " + type + " seq " + seq
                        + ", got type " + answer.type() + " seq " + answer.seq());
            }
            return answer.u32(0);
        } catch (IOException e) {
            throw new IommufdException(Errno.EPROTO, "callback " + type + " failed: " + e);
        } catch (ProtocolError e) {
            closeAfterReply();
            throw new IommufdException(Errno.EPROTO, "bad answer to callback " + type + ": " + e.getMessage());
        }
    }

    /** Closes the socket: the connection's thread sees end of stream and releases what it held. */
    void shutdown() {
        try {
            channel.close();
        } catch (IOException e) {
            // Already closed.
        }
    }

    private void closeAfterReply() {
        try {
            channel.shutdownInput();
        } catch (IOException e) {
            // Already closed.
        }
    }

    @Override
    public String toString() {
        return "connection " + id + " (pid " + pid + ")";
    }
}
