package org.iommufd4j.spi;

import org.iommufd4j.memory.UserMemory;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;

/**
 * An array of driver-defined entries in user memory (Linux {@code struct iommu_user_data_array}):
 * {@link #count()} entries of {@link #entryLength()} bytes each, of a type the driver defines. The
 * driver decodes each entry into its own record with {@link #read}.
 */
public final class UserArray {
    private final int type;
    private final UserMemory memory;
    private final long uptr;
    private final int entryLength;
    private final int count;

    public UserArray(int type, UserMemory memory, long uptr, int entryLength, int count) {
        this.type = type;
        this.memory = memory;
        this.uptr = uptr;
        this.entryLength = entryLength;
        this.count = count;
    }

    /** The data type the user named. */
    public int dataType() {
        return type;
    }

    /** Bytes per entry, as the user declared them. */
    public int entryLength() {
        return entryLength;
    }

    /** Number of entries. */
    public int count() {
        return count;
    }

    /**
     * Entry {@code index} decoded into {@code codec}'s record with the kernel's
     * {@code iommu_copy_struct_from_user_array} rules: an entry length below {@code minLength} is
     * EINVAL, bytes beyond the struct must be zero (E2BIG), a bad pointer is EFAULT.
     */
    public <T extends Record> T read(int index, StructCodec<T> codec, int minLength) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("entry " + index + " of " + count);
        }
        if (entryLength < minLength) {
            throw IommufdException.einval(codec.name() + ": entry_len " + entryLength + " is below the minimum " + minLength);
        }
        return UserData.readAt(memory, uptr + (long) index * entryLength, entryLength, codec, minLength,
                codec.name() + "[" + index + "]");
    }
}
