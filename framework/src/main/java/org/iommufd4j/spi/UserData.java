package org.iommufd4j.spi;

import org.iommufd4j.memory.UserMemory;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;

/**
 * Driver-specific data a user passed with an ioctl (Linux {@code struct iommu_user_data}): a type
 * the driver defines (e.g. IOMMU_HWPT_DATA_VTD_S1) and {@code length} bytes at a user pointer. The
 * framework never interprets it; the driver checks {@link #type()} and decodes the bytes into its
 * own {@code @KernelStruct} record with {@link #read}.
 */
public final class UserData {
    private final int type;
    private final UserMemory memory;
    private final long uptr;
    private final int length;

    public UserData(int type, UserMemory memory, long uptr, int length) {
        if (length < 0) {
            throw new IllegalArgumentException("length " + length);
        }
        this.type = type;
        this.memory = memory;
        this.uptr = uptr;
        this.length = length;
    }

    /** The data type the user named. */
    public int type() {
        return type;
    }

    /** The number of bytes the user passed. */
    public int length() {
        return length;
    }

    /**
     * Copies the data into {@code codec}'s record with the kernel's {@code iommu_copy_struct_from_user}
     * rules: fewer than {@code minLength} bytes is EINVAL; more than the struct's size must be zero
     * past it (else E2BIG); fewer is zero-extended; an unreadable pointer is EFAULT.
     */
    public <T extends Record> T read(StructCodec<T> codec, int minLength) {
        return readAt(memory, uptr, length, codec, minLength, codec.name());
    }

    static <T extends Record> T readAt(UserMemory memory, long uptr, int length, StructCodec<T> codec, int minLength,
            String what) {
        if (length < minLength) {
            throw IommufdException.einval(what + ": " + length + " bytes of user data, at least " + minLength + " needed");
        }
        if (uptr == 0) {
            throw new IommufdException(Errno.EFAULT, what + ": user data pointer is NULL");
        }
        byte[] struct = new byte[codec.size()];
        int copied = Math.min(length, codec.size());
        memory.read(uptr, struct, 0, copied);
        if (length > codec.size()) {
            byte[] tail = new byte[length - codec.size()];
            memory.read(uptr + codec.size(), tail, 0, tail.length);
            for (int i = 0; i < tail.length; i++) {
                if (tail[i] != 0) {
                    throw new IommufdException(Errno.E2BIG, what + ": byte " + (codec.size() + i)
                            + " beyond the " + codec.size() + "-byte struct is not zero");
                }
            }
        }
        return codec.decode(struct);
    }

    /**
     * Copies {@code value} back to the user's buffer ({@code iommu_copy_struct_to_user}): at most
     * {@link #length()} bytes, so a user with an older, shorter struct gets its prefix. EFAULT on a
     * bad pointer.
     */
    public <T extends Record> void write(StructCodec<T> codec, T value) {
        byte[] struct = new byte[codec.size()];
        codec.encode(value, java.nio.ByteBuffer.wrap(struct).order(java.nio.ByteOrder.LITTLE_ENDIAN));
        memory.write(uptr, struct, 0, Math.min(length, struct.length));
    }

    @Override
    public String toString() {
        return "UserData[type 0x" + Integer.toHexString(type) + ", " + length + " bytes at 0x" + Long.toHexString(uptr) + "]";
    }
}
