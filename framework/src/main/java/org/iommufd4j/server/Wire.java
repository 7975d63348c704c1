package org.iommufd4j.server;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SocketChannel;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * Framing of the protocol (docs/uapi-server.md, version 1): a 16-byte little-endian header
 * {@code u32 magic, u16 version, u16 type, u32 length, u32 seq} and {@code length} payload bytes.
 */
final class Wire {
    /** "I4JP" as bytes 49 34 4A 50. */
    static final int MAGIC = 0x504A3449;
    static final int VERSION = 1;
    static final int HEADER = 16;
    /** The largest payload either side accepts. */
    static final int MAX_PAYLOAD = 16 << 20;

    static final int OPEN = 1;
    static final int JOIN = 2;
    static final int ATTACH = 3;
    static final int IOCTL = 16;
    static final int READ = 17;
    static final int WRITE = 18;
    static final int POLL = 19;
    static final int MMAP = 20;
    static final int MUNMAP = 21;
    static final int INSTALL_FD = 64;
    static final int CLOSE_FD = 65;

    private Wire() {
    }

    /** One message: its type, the seq it carries, and its payload (little-endian, position 0). */
    record Frame(int type, int seq, ByteBuffer payload) {
        /** A u32 at {@code offset} of the payload; a payload too short is EINVAL (a truncated request). */
        int u32(int offset) {
            need(offset + 4);
            return payload.getInt(offset);
        }

        long u64(int offset) {
            need(offset + 8);
            return payload.getLong(offset);
        }

        void need(int bytes) {
            if (payload.limit() < bytes) {
                throw IommufdException.einval("message type " + type + " has " + payload.limit() + " payload bytes, needs "
                        + bytes);
            }
        }
    }

    /**
     * A malformed header: the connection cannot be trusted any more. The server answers
     * {@code errno} when it can and closes the connection.
     */
    static final class ProtocolError extends Exception {
        private static final long serialVersionUID = 1L;
        final Errno errno;

        ProtocolError(Errno errno, String message) {
            super(message);
            this.errno = errno;
        }
    }

    /** Reads the next message; null on end of stream between messages. */
    static Frame read(SocketChannel ch) throws IOException, ProtocolError {
        ByteBuffer header = ByteBuffer.allocate(HEADER).order(ByteOrder.LITTLE_ENDIAN);
        if (!fill(ch, header, true)) {
            return null;
        }
        int magic = header.getInt(0);
        int version = Short.toUnsignedInt(header.getShort(4));
        int type = Short.toUnsignedInt(header.getShort(6));
        long length = Integer.toUnsignedLong(header.getInt(8));
        int seq = header.getInt(12);
        if (magic != MAGIC) {
            throw new ProtocolError(Errno.EPROTO, "bad magic 0x" + Integer.toHexString(magic));
        }
        if (version != VERSION) {
            throw new ProtocolError(Errno.EPROTONOSUPPORT, "protocol version " + version + " (this server speaks " + VERSION + ")");
        }
        if (length > MAX_PAYLOAD) {
            throw new ProtocolError(Errno.EPROTO, "payload of " + length + " bytes is above the " + MAX_PAYLOAD + "-byte limit");
        }
        ByteBuffer payload = ByteBuffer.allocate((int) length).order(ByteOrder.LITTLE_ENDIAN);
        if (!fill(ch, payload, false)) {
            throw new ProtocolError(Errno.EPROTO, "truncated payload");
        }
        payload.flip();
        return new Frame(type, seq, payload);
    }

    /** Fills {@code buf}; false on end of stream before the first byte when {@code eofOk}, EOFException/false otherwise. */
    private static boolean fill(SocketChannel ch, ByteBuffer buf, boolean eofOk) throws IOException, ProtocolError {
        boolean any = false;
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                if (!any && eofOk) {
                    return false;
                }
                if (eofOk) {
                    throw new ProtocolError(Errno.EPROTO, "truncated header");
                }
                return false;
            }
            any |= n > 0;
        }
        return true;
    }

    /** Writes one message whose payload is {@code payload}'s remaining bytes. */
    static void write(SocketChannel ch, int type, int seq, ByteBuffer payload) throws IOException {
        ByteBuffer out = ByteBuffer.allocate(HEADER + payload.remaining()).order(ByteOrder.LITTLE_ENDIAN);
        out.putInt(MAGIC).putShort((short) VERSION).putShort((short) type).putInt(payload.remaining()).putInt(seq);
        out.put(payload.duplicate());
        out.flip();
        while (out.hasRemaining()) {
            if (ch.write(out) < 0) {
                throw new EOFException();
            }
        }
    }

    /** A little-endian buffer of {@code size} bytes for a payload. */
    static ByteBuffer payload(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** The payload {@code {i32 result}}. */
    static ByteBuffer result(int result) {
        ByteBuffer b = payload(4).putInt(result);
        b.flip();
        return b;
    }
}
