package org.iommufd4j.uapi;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decodes and encodes one kernel struct, built from the {@link KernelStruct} and {@link At}
 * annotations of its record. Every codec is checked when built: offsets inside the struct,
 * no overlap, widths that fit the component type.
 *
 * @param <T> the record type
 */
public final class StructCodec<T extends Record> {
    private static final ConcurrentHashMap<Class<?>, StructCodec<?>> CACHE = new ConcurrentHashMap<>();

    private final Class<T> type;
    private final String name;
    private final int size;
    private final int minSize;
    private final boolean sized;
    private final Field[] fields;
    private final MethodHandle constructor;

    private record Field(String name, int offset, int bytes, Class<?> javaType, MethodHandle accessor) {
    }

    private StructCodec(Class<T> type) {
        KernelStruct ks = type.getAnnotation(KernelStruct.class);
        if (ks == null) {
            throw new IllegalArgumentException(type.getName() + " lacks @KernelStruct");
        }
        this.type = type;
        this.name = ks.name();
        this.size = ks.size();
        this.minSize = ks.minSize() < 0 ? ks.size() : ks.minSize();
        this.sized = ks.sized();
        RecordComponent[] comps = type.getRecordComponents();
        this.fields = new Field[comps.length];
        Class<?>[] ctorTypes = new Class<?>[comps.length];
        boolean[] covered = new boolean[size];
        if (sized) {
            Arrays.fill(covered, 0, 4, true);
        }
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        try {
            for (int i = 0; i < comps.length; i++) {
                RecordComponent c = comps[i];
                At at = c.getAnnotation(At.class);
                if (at == null) {
                    throw new IllegalArgumentException(name + "." + c.getName() + " lacks @At");
                }
                checkWidth(c, at);
                for (int b = at.offset(); b < at.offset() + at.bytes(); b++) {
                    if (b < 0 || b >= size || covered[b]) {
                        throw new IllegalArgumentException(name + "." + c.getName() + " overlaps or leaves the struct");
                    }
                    covered[b] = true;
                }
                fields[i] = new Field(c.getName(), at.offset(), at.bytes(), c.getType(), lookup.unreflect(c.getAccessor()));
                ctorTypes[i] = c.getType();
            }
            this.constructor = lookup.findConstructor(type, MethodType.methodType(void.class, ctorTypes))
                    .asSpreader(Object[].class, comps.length);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot access " + type.getName() + ": it must be a public record", e);
        }
    }

    private void checkWidth(RecordComponent c, At at) {
        Class<?> t = c.getType();
        boolean ok = (t == int.class && (at.bytes() == 1 || at.bytes() == 2 || at.bytes() == 3 || at.bytes() == 4))
                || (t == long.class && at.bytes() == 8)
                || (t == byte[].class && at.bytes() > 0);
        if (!ok) {
            throw new IllegalArgumentException(name + "." + c.getName() + ": " + t + " cannot hold " + at.bytes() + " bytes");
        }
    }

    /** The codec of a {@link KernelStruct} record; built once per type. */
    @SuppressWarnings("unchecked")
    public static <T extends Record> StructCodec<T> of(Class<T> type) {
        return (StructCodec<T>) CACHE.computeIfAbsent(type, t -> new StructCodec<>((Class<T>) t));
    }

    public Class<T> type() {
        return type;
    }

    /** The C struct name. */
    public String name() {
        return name;
    }

    /** {@code sizeof} the kernel struct. */
    public int size() {
        return size;
    }

    /** The smallest {@code size} the kernel accepts. */
    public int minSize() {
        return minSize;
    }

    /** Whether the struct begins with the {@code u32 size} header. */
    public boolean sized() {
        return sized;
    }

    /**
     * Decodes from {@code buf} starting at its position; the buffer must hold {@link #size()} bytes
     * (the dispatcher hands in a zero-extended copy). The position is not moved.
     */
    public T decode(ByteBuffer buf) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = b.position();
        Object[] args = new Object[fields.length];
        for (int i = 0; i < fields.length; i++) {
            Field f = fields[i];
            int at = base + f.offset;
            if (f.javaType == long.class) {
                args[i] = b.getLong(at);
            } else if (f.javaType == int.class) {
                args[i] = (int) readUnsigned(b, at, f.bytes);
            } else {
                byte[] raw = new byte[f.bytes];
                b.get(at, raw);
                args[i] = raw;
            }
        }
        try {
            @SuppressWarnings("unchecked")
            T value = (T) constructor.invoke(args);
            return value;
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Decodes a whole struct from a little-endian byte array of at least {@link #size()} bytes. */
    public T decode(byte[] bytes) {
        return decode(ByteBuffer.wrap(bytes));
    }

    /**
     * Writes every field of {@code value} at its offset from {@code buf}'s position. The
     * {@code size} header and padding are left untouched. The position is not moved.
     */
    public void encode(T value, ByteBuffer buf) {
        ByteBuffer b = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int base = b.position();
        try {
            for (Field f : fields) {
                int at = base + f.offset;
                Object v = f.accessor.invoke(value);
                if (f.javaType == long.class) {
                    b.putLong(at, (Long) v);
                } else if (f.javaType == int.class) {
                    writeUnsigned(b, at, f.bytes, (Integer) v);
                } else {
                    byte[] raw = (byte[]) v;
                    if (raw.length != f.bytes) {
                        throw new IllegalArgumentException(name + "." + f.name + " must be " + f.bytes + " bytes");
                    }
                    b.put(at, raw);
                }
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** The struct as a fresh {@link #size()}-byte array, with the {@code size} header set when it has one. */
    public byte[] toBytes(T value) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        if (sized) {
            b.putInt(0, size);
        }
        encode(value, b);
        return b.array();
    }

    /** "field@offset" of the component, for error messages and dumps. */
    public String describe(String component) {
        for (Field f : fields) {
            if (f.name.equals(component)) {
                return name + "." + f.name + "@" + f.offset;
            }
        }
        throw new IllegalArgumentException(component);
    }

    private static long readUnsigned(ByteBuffer b, int at, int bytes) {
        switch (bytes) {
            case 1:
                return b.get(at) & 0xffL;
            case 2:
                return b.getShort(at) & 0xffffL;
            case 4:
                return b.getInt(at) & 0xffff_ffffL;
            default:
                long v = 0;
                for (int i = bytes - 1; i >= 0; i--) {
                    v = (v << 8) | (b.get(at + i) & 0xffL);
                }
                return v;
        }
    }

    private static void writeUnsigned(ByteBuffer b, int at, int bytes, int v) {
        switch (bytes) {
            case 1:
                b.put(at, (byte) v);
                break;
            case 2:
                b.putShort(at, (short) v);
                break;
            case 4:
                b.putInt(at, v);
                break;
            default:
                for (int i = 0; i < bytes; i++) {
                    b.put(at + i, (byte) (v >>> (8 * i)));
                }
        }
    }
}
