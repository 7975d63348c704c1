package org.iommufd4j.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.List;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuDestroy;
import org.iommufd4j.uapi.IommuIoasAlloc;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * FIXTURE(iommufd) of tools/testing/selftests/iommu/iommufd.c: the file-level tests that need no
 * device. Method names are the kernel's test names.
 */
@DisplayName("iommufd")
class IommufdTest {
    private final SelftestMachine machine = new SelftestMachine();

    @AfterEach
    void teardown() {
        machine.close();
    }

    private int ioctl(int cmd, ByteBuffer arg) {
        return machine.ctx().ioctl(cmd, arg);
    }

    @Test
    void simple_close() {
        // Setup opened the file and teardown closes it: nothing else may be needed.
        assertEquals(0, machine.ctx().objects().size());
    }

    @Test
    void cmd_fail() {
        // object id is invalid
        assertEquals(-Errno.ENOENT.value(), ioctl(IommufdIoctl.IOMMU_DESTROY, Ioctls.struct(8, 8)));
        // bad pointer
        assertEquals(-Errno.EFAULT.value(), ioctl(IommufdIoctl.IOMMU_DESTROY, null));
        // unknown ioctl
        assertEquals(-Errno.ENOTTY.value(), ioctl(IommufdIoctl.io(0x7f), Ioctls.struct(8, 8)));
    }

    @Test
    void cmd_ex_fail() {
        StructCodec<IommuDestroy> codec = StructCodec.of(IommuDestroy.class);
        // a longer struct with a zero tail is the ordinary call: the id does not exist
        assertEquals(-Errno.ENOENT.value(), ioctl(IommufdIoctl.IOMMU_DESTROY, Ioctls.struct(16, 16)));
        // a non-zero byte past the kernel's struct
        ByteBuffer tail = Ioctls.struct(16, 16);
        tail.putLong(8, 0xffL);
        assertEquals(-Errno.E2BIG.value(), ioctl(IommufdIoctl.IOMMU_DESTROY, tail));
        // shorter than the kernel's minimum
        assertEquals(-Errno.EINVAL.value(), ioctl(IommufdIoctl.IOMMU_DESTROY, Ioctls.struct(8, codec.minSize() - 1)));
    }

    /** One ioctl of the kernel's cmd_length list: its number and its struct. */
    private record Length(int command, StructCodec<?> codec) {
    }

    /** The kernel walks 16 ioctls; this list grows as their handlers land. */
    private static final List<Length> CMD_LENGTH = List.of(
            new Length(IommufdIoctl.IOMMU_DESTROY, StructCodec.of(IommuDestroy.class)),
            new Length(IommufdIoctl.IOMMU_IOAS_ALLOC, StructCodec.of(IommuIoasAlloc.class)));

    @Test
    void cmd_length() {
        for (Length l : CMD_LENGTH) {
            String name = l.codec().name();
            int size = l.codec().size();
            assertEquals(-Errno.EINVAL.value(), ioctl(l.command(), Ioctls.struct(size, l.codec().minSize() - 1)),
                    name + ": one byte below min_size");
            ByteBuffer big = Ioctls.struct(size + 1, size + 1);
            big.put(size, (byte) 0xaa);
            assertEquals(-Errno.E2BIG.value(), ioctl(l.command(), big), name + ": non-zero byte past the struct");
            int exact = ioctl(l.command(), Ioctls.struct(size, size));
            int zeroTail = ioctl(l.command(), Ioctls.struct(size + 1, size + 1));
            assertEquals(exact, zeroTail, name + ": a zero tail behaves as the exact size");
        }
    }
}
