package org.iommufd4j.uapi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Builds records whose fields all hold distinct non-zero values that fill their whole width, and
 * checks an encoding byte by byte against the {@link At} offsets read independently of the codec.
 */
public final class RecordSamples {
    private RecordSamples() {
    }

    /**
     * A record whose every field byte is distinct and non-zero: the byte at struct offset o holds
     * {@code 0x80 | (o + 1)}, so a field written at a wrong offset or width shows in the bytes.
     */
    public static <T extends Record> T sample(Class<T> type) {
        RecordComponent[] comps = type.getRecordComponents();
        Object[] args = new Object[comps.length];
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            At at = comps[i].getAnnotation(At.class);
            types[i] = comps[i].getType();
            byte[] raw = new byte[at.bytes()];
            for (int b = 0; b < raw.length; b++) {
                raw[b] = (byte) (0x80 | (at.offset() + b + 1));
            }
            args[i] = fromLittleEndian(types[i], raw);
        }
        try {
            Constructor<T> ctor = type.getDeclaredConstructor(types);
            return ctor.newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    private static Object fromLittleEndian(Class<?> t, byte[] raw) {
        if (t == byte[].class) {
            return raw;
        }
        long v = 0;
        for (int b = raw.length - 1; b >= 0; b--) {
            v = (v << 8) | (raw[b] & 0xffL);
        }
        return t == long.class ? (Object) v : (Object) (int) v;
    }

    /** Asserts that every component of {@code value} sits in {@code bytes} at its @At offset, little-endian. */
    public static void assertLaidOut(Record value, byte[] bytes) {
        for (RecordComponent c : value.getClass().getRecordComponents()) {
            At at = c.getAnnotation(At.class);
            byte[] raw = new byte[at.bytes()];
            System.arraycopy(bytes, at.offset(), raw, 0, at.bytes());
            Object actual;
            try {
                actual = c.getAccessor().invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            Object expected = fromLittleEndian(c.getType(), raw);
            if (actual instanceof byte[]) {
                assertArrayEquals((byte[]) expected, (byte[]) actual, c.getName());
            } else {
                assertEquals(expected, actual, c.getName() + " @" + at.offset());
            }
        }
    }

    /** Asserts that two records of one type have equal components (arrays compared by content). */
    public static void assertSameFields(Record expected, Record actual) {
        assertEquals(expected.getClass(), actual.getClass());
        for (RecordComponent c : expected.getClass().getRecordComponents()) {
            try {
                Object e = c.getAccessor().invoke(expected);
                Object a = c.getAccessor().invoke(actual);
                if (e instanceof byte[]) {
                    assertArrayEquals((byte[]) e, (byte[]) a, c.getName());
                } else {
                    assertEquals(e, a, c.getName());
                }
            } catch (ReflectiveOperationException ex) {
                throw new AssertionError(ex);
            }
        }
    }

    /** A zeroed little-endian buffer of {@code size} bytes. */
    public static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** {@code bytes} viewed little-endian. */
    public static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Encodes {@code value}, checks the bytes against the offsets, decodes again and checks the
     * round trip; for sized structs also that the header holds {@code size}.
     */
    public static <T extends Record> void assertRoundTrip(StructCodec<T> codec, T value) {
        byte[] bytes = codec.toBytes(value);
        assertEquals(codec.size(), bytes.length);
        if (codec.sized()) {
            assertEquals(codec.size(), ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).getInt(0), "size header");
        }
        assertLaidOut(value, bytes);
        assertSameFields(value, codec.decode(bytes));
    }
}
