package org.iommufd4j.selftest.kit;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.uapi.StructCodec;

/** Byte-level helpers for tests that speak the raw ioctl ABI, as the C selftest does. */
public final class Ioctls {
    private Ioctls() {
    }

    /** A zeroed little-endian buffer of {@code bytes} whose size header says {@code size}. */
    public static ByteBuffer struct(int bytes, int size) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, size);
        return b;
    }

    /** The encoded struct in a buffer of {@code bytes} (≥ its size), size header = {@code size}. */
    public static <T extends Record> ByteBuffer struct(StructCodec<T> codec, T value, int bytes, int size) {
        ByteBuffer b = struct(Math.max(bytes, codec.size()), size);
        codec.encode(value, b);
        b.putInt(0, size);
        return b;
    }
}
