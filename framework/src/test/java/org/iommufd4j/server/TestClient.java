package org.iommufd4j.server;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import org.iommufd4j.server.Wire.Frame;

/** A protocol client written from docs/uapi-server.md, playing the shim's part in tests. */
final class TestClient implements AutoCloseable {
    final SocketChannel channel;
    private int seq = 1;

    TestClient(Path socket) throws IOException {
        channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
    }

    static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Sends raw bytes (for malformed frames). */
    void raw(ByteBuffer bytes) throws IOException {
        bytes.flip();
        while (bytes.hasRemaining()) {
            channel.write(bytes);
        }
    }

    int send(int type, ByteBuffer payload) throws IOException {
        payload.flip();
        int s = seq++;
        Wire.write(channel, type, s, payload);
        return s;
    }

    void answer(int type, int s, ByteBuffer payload) throws IOException {
        payload.flip();
        Wire.write(channel, type, s, payload);
    }

    Frame receive() throws Exception {
        Frame f = Wire.read(channel);
        if (f == null) {
            throw new IOException("end of stream");
        }
        return f;
    }

    /** Sends and returns the reply's result (the reply must be of the same type). */
    Frame call(int type, ByteBuffer payload) throws Exception {
        int s = send(type, payload);
        Frame f = receive();
        if (f.type() != type || f.seq() != s) {
            throw new AssertionError("reply type " + f.type() + " seq " + f.seq() + " to request type " + type + " seq " + s);
        }
        return f;
    }

    long open(int pid) throws Exception {
        Frame f = call(Wire.OPEN, le(4).putInt(pid));
        if (f.u32(0) != 0) {
            throw new AssertionError("OPEN failed: " + f.u32(0));
        }
        return f.u64(8);
    }

    int join(int pid, long token) throws Exception {
        return call(Wire.JOIN, le(16).putInt(pid).putInt(0).putLong(token)).u32(0);
    }

    int attach(int pid, int fdToken, long token) throws Exception {
        return call(Wire.ATTACH, le(16).putInt(pid).putInt(fdToken).putLong(token)).u32(0);
    }

    int ioctl(int pid, int cmd, long arg) throws Exception {
        return call(Wire.IOCTL, le(16).putInt(pid).putInt(cmd).putLong(arg)).u32(0);
    }

    /** True when the server closed the connection (end of stream, or a reset). */
    boolean closedByServer() {
        try {
            return channel.read(ByteBuffer.allocate(1)) < 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
