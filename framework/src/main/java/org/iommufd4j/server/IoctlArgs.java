package org.iommufd4j.server;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.memory.UserMemory;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.vfio.VfioIoctl;

/**
 * The third argument of an ioctl, brought from the caller's memory into the buffer the
 * framework's byte API takes, and the changed bytes written back. The server needs no struct
 * knowledge: an iommufd struct starts with its u32 {@code size}, a VFIO type1 struct with its u32
 * {@code argsz}; three VFIO commands take the argument by value (vfio_compat.c).
 *
 * <p>The struct is read as far as the caller's memory allows, so a pointer that fails gives the
 * errno the kernel would (main.c iommufd_fops_ioctl: EINVAL for a size below the minimum before
 * anything else is read, EFAULT for a struct that runs into unmapped memory, E2BIG for non-zero
 * bytes past the kernel's struct).
 */
final class IoctlArgs {
    /** The most bytes of a struct brought over; beyond it only the kernel's zero check is done. */
    static final int MAX_STRUCT = 1 << 20;
    private static final int SCAN_CHUNK = 64 << 10;

    private final UserMemory user;
    private final long arg;
    private final ByteBuffer buffer;
    private final byte[] before;
    private final boolean pointer;

    private IoctlArgs(UserMemory user, long arg, ByteBuffer buffer, boolean pointer) {
        this.user = user;
        this.arg = arg;
        this.buffer = buffer;
        this.pointer = pointer;
        this.before = pointer ? buffer.array().clone() : null;
    }

    /** Brings {@code cmd}'s argument over. Never throws: what cannot be read is left out. */
    static IoctlArgs read(UserMemory user, int cmd, long arg) {
        if (cmd == VfioIoctl.VFIO_GET_API_VERSION || cmd == VfioIoctl.VFIO_CHECK_EXTENSION || cmd == VfioIoctl.VFIO_SET_IOMMU) {
            ByteBuffer value = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, arg);
            return new IoctlArgs(user, arg, value, false);
        }
        if (!sizedStruct(cmd)) {
            // Not a command of /dev/iommu: nothing to read; the dispatcher answers ENOTTY.
            return new IoctlArgs(user, arg, ByteBuffer.allocate(0), false);
        }
        byte[] size = readable(user, arg, 4);
        if (size.length < 4) {
            // get_user(size) failed: an empty buffer makes a known command EFAULT, an unknown ENOTTY.
            return new IoctlArgs(user, arg, ByteBuffer.allocate(0), true);
        }
        long declared = Integer.toUnsignedLong(ByteBuffer.wrap(size).order(ByteOrder.LITTLE_ENDIAN).getInt());
        byte[] struct;
        if (declared > MAX_STRUCT) {
            checkZeroed(user, arg + MAX_STRUCT, declared - MAX_STRUCT);
            struct = readable(user, arg, MAX_STRUCT);
            if (struct.length == MAX_STRUCT) {
                // The tail is all zero (copy_struct_from_user's check): what the kernel sees is the same.
                ByteBuffer.wrap(struct).order(ByteOrder.LITTLE_ENDIAN).putInt(0, MAX_STRUCT);
            }
        } else {
            struct = readable(user, arg, (int) Math.max(declared, 4));
        }
        return new IoctlArgs(user, arg, ByteBuffer.wrap(struct), true);
    }

    /** iommufd commands (';' 0x80..0xff) and VFIO type1 struct commands (';' 100..127): a pointer to a sized struct. */
    private static boolean sizedStruct(int cmd) {
        if ((cmd & ~0xffff) != 0 || (cmd >>> 8) != VfioIoctl.TYPE) {
            return false;
        }
        int nr = cmd & 0xff;
        return nr >= VfioIoctl.BASE;
    }

    /** Up to {@code len} bytes at {@code va}, stopping at the first page the caller cannot read. */
    private static byte[] readable(UserMemory user, long va, int len) {
        byte[] out = new byte[len];
        int done = 0;
        while (done < len) {
            long a = va + done;
            int n = (int) Math.min(len - done, PAGE_SIZE - (a & (PAGE_SIZE - 1)));
            try {
                user.read(a, out, done, n);
            } catch (IommufdException e) {
                break;
            }
            done += n;
        }
        return done == len ? out : java.util.Arrays.copyOf(out, done);
    }

    /** check_zeroed_user over [va, va+len): E2BIG at a non-zero byte, EFAULT at an unreadable one. */
    private static void checkZeroed(UserMemory user, long va, long len) {
        byte[] chunk = new byte[SCAN_CHUNK];
        for (long off = 0; off < len; off += SCAN_CHUNK) {
            int n = (int) Math.min(SCAN_CHUNK, len - off);
            user.read(va + off, chunk, 0, n);
            for (int i = 0; i < n; i++) {
                if (chunk[i] != 0) {
                    throw new IommufdException(Errno.E2BIG, "byte " + (MAX_STRUCT + off + i)
                            + " of the ioctl struct, beyond the kernel's struct, is not zero");
                }
            }
        }
    }

    /** The buffer for {@code IommufdContext.ioctlOrThrow}. */
    ByteBuffer buffer() {
        return buffer;
    }

    /**
     * copy_to_user of what the ioctl changed. Only the changed bytes are written: a struct the
     * kernel only reads may live in read-only memory. EFAULT when the caller cannot take them.
     */
    void writeBack() {
        if (!pointer) {
            return;
        }
        byte[] after = buffer.array();
        int first = 0;
        while (first < after.length && after[first] == before[first]) {
            first++;
        }
        if (first == after.length) {
            return;
        }
        int last = after.length - 1;
        while (after[last] == before[last]) {
            last--;
        }
        user.write(arg + first, after, first, last - first + 1);
    }
}
