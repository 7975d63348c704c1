package org.iommufd4j.vfio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;

/** copy_from_user/copy_to_user for the VFIO argsz structs, over the caller's argument buffer. */
final class CompatArgs {
    private CompatArgs() {
    }

    /** Reads the first {@code minsz} bytes of the struct (the rest reads as 0); EFAULT when the buffer is shorter. */
    static <T extends Record> T copyIn(ByteBuffer arg, StructCodec<T> codec, int minsz) {
        if (arg == null || arg.remaining() < minsz) {
            throw new IommufdException(Errno.EFAULT, codec.name() + ": cannot read " + minsz + " bytes from the argument");
        }
        ByteBuffer kernel = ByteBuffer.allocate(codec.size()).order(ByteOrder.LITTLE_ENDIAN);
        kernel.put(0, arg, arg.position(), minsz);
        return codec.decode(kernel);
    }

    /** Writes the first {@code length} bytes of {@code value} back; EFAULT when the buffer is shorter. */
    static <T extends Record> void copyOut(ByteBuffer arg, StructCodec<T> codec, T value, int length) {
        ByteBuffer kernel = ByteBuffer.allocate(codec.size()).order(ByteOrder.LITTLE_ENDIAN);
        codec.encode(value, kernel);
        put(arg, 0, kernel.array(), length);
    }

    /** Writes {@code length} bytes of {@code bytes} at {@code offset} of the argument; EFAULT past its end. */
    static void put(ByteBuffer arg, long offset, byte[] bytes, int length) {
        if (offset < 0 || offset + length > arg.remaining()) {
            throw new IommufdException(Errno.EFAULT, "cannot write " + length + " bytes at offset " + offset + " of a "
                    + arg.remaining() + "-byte argument");
        }
        arg.put(arg.position() + (int) offset, bytes, 0, length);
    }

    /** The by-value {@code unsigned long} argument: 8 little-endian bytes (4 are read as a u32), null is 0. */
    static long value(ByteBuffer arg) {
        if (arg == null) {
            return 0;
        }
        ByteBuffer b = arg.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() >= Long.BYTES) {
            return b.getLong(b.position());
        }
        if (b.remaining() >= Integer.BYTES) {
            return Integer.toUnsignedLong(b.getInt(b.position()));
        }
        throw new IommufdException(Errno.EFAULT, "the by-value argument needs 4 or 8 bytes, got " + b.remaining());
    }
}
