package org.iommufd4j.selftest;

import static org.iommufd4j.selftest.kit.KernelAssertions.expectErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.Ioctls;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.IommufdUtils;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IoctlCatalog;
import org.iommufd4j.uapi.IommuDestroy;
import org.iommufd4j.uapi.IommuOption;
import org.iommufd4j.uapi.IommuOptionId;
import org.iommufd4j.uapi.IommuOptionOps;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.IommuVfioIoas;
import org.iommufd4j.uapi.IommuVfioIoasOp;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.vfio.VfioExtension;
import org.iommufd4j.uapi.vfio.VfioIoctl;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaMap;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaUnmap;
import org.iommufd4j.uapi.vfio.VfioIommuType1Info;
import org.iommufd4j.vfio.VfioCompat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** FIXTURE(iommufd) of tools/testing/selftests/iommu/iommufd.c: the file-level tests that need no device. */
@Fixture("iommufd")
final class IommufdTest {
    private SelftestMachine machine;

    @BeforeEach
    void setup(SelftestMachine machine) {
        // self->fd = open("/dev/iommu")
        this.machine = machine;
    }

    @AfterEach
    void teardown() {
        machine.close();
    }

    private int ioctl(int cmd, ByteBuffer arg) {
        return machine.ctx().ioctl(cmd, arg);
    }

    @KernelTest
    void simple_close() {
        // Setup opened the file and teardown closes it: nothing else may be needed.
        assertEquals(0, machine.ctx().objects().size());
    }

    @KernelTest
    void cmd_fail() {
        // object id is invalid
        assertEquals(-Errno.ENOENT.value(), ioctl(IommufdIoctl.IOMMU_DESTROY, Ioctls.struct(8, 8)));
        // bad pointer
        assertEquals(-Errno.EFAULT.value(), ioctl(IommufdIoctl.IOMMU_DESTROY, null));
        // unknown ioctl: _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE - 1)
        assertEquals(-Errno.ENOTTY.value(), ioctl(IommufdIoctl.io(IommufdIoctl.CMD_BASE - 1), Ioctls.struct(8, 8)));
    }

    /** The 16 ioctls the kernel's cmd_length walks, in its order. */
    private static final List<String> CMD_LENGTH = List.of("IOMMU_DESTROY", "IOMMU_GET_HW_INFO", "IOMMU_HWPT_ALLOC",
            "IOMMU_HWPT_INVALIDATE", "IOMMU_IOAS_ALLOC", "IOMMU_IOAS_IOVA_RANGES", "IOMMU_IOAS_ALLOW_IOVAS",
            "IOMMU_IOAS_MAP", "IOMMU_IOAS_COPY", "IOMMU_IOAS_UNMAP", "IOMMU_OPTION", "IOMMU_VFIO_IOAS",
            "IOMMU_IOAS_MAP_FILE", "IOMMU_VIOMMU_ALLOC", "IOMMU_VDEVICE_ALLOC", "IOMMU_IOAS_CHANGE_PROCESS");

    /**
     * TEST_LENGTH for each ioctl: min_size - 1 is EINVAL, a non-zero byte past the struct is E2BIG,
     * a zero byte past it behaves as the exact size (the same errno, or success). min_size is
     * offsetofend of the kernel's {@code _last} field, taken from the uapi layout, not from the
     * handler under test.
     */
    @KernelTest
    void cmd_length() {
        for (String name : CMD_LENGTH) {
            IoctlCatalog.Entry e = IoctlCatalog.COMMANDS.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
            int size = e.codec().size();
            int minSize = e.offsetOfEndOfMinSizeField();
            ByteBuffer shortCmd = Ioctls.struct(size + 1, minSize - 1);
            shortCmd.put(size, (byte) 0xff);
            assertEquals(-Errno.EINVAL.value(), ioctl(e.command(), shortCmd), name + ": size min_size-1 (" + (minSize - 1) + ")");
            ByteBuffer big = Ioctls.struct(size + 1, size + 1);
            big.put(size, (byte) 0xff);
            assertEquals(-Errno.E2BIG.value(), ioctl(e.command(), big), name + ": non-zero byte past the struct");
            int exact = ioctl(e.command(), Ioctls.struct(size + 1, size));
            int zeroTail = ioctl(e.command(), Ioctls.struct(size + 1, size + 1));
            assertEquals(exact, zeroTail, name + ": a zero tail behaves as the exact size");
        }
    }

    @KernelTest
    void cmd_ex_fail() {
        StructCodec<IommuDestroy> codec = StructCodec.of(IommuDestroy.class);
        // object id is invalid and the command is longer (a zero 'future' u64)
        assertEquals(-Errno.ENOENT.value(), ioctl(IommufdIoctl.IOMMU_DESTROY, Ioctls.struct(16, 16)));
        // the future area is non-zero
        ByteBuffer tail = Ioctls.struct(16, 16);
        tail.putLong(8, 1);
        assertEquals(-Errno.E2BIG.value(), ioctl(IommufdIoctl.IOMMU_DESTROY, tail));
        // the original command "works"
        assertEquals(-Errno.ENOENT.value(), ioctl(IommufdIoctl.IOMMU_DESTROY, Ioctls.struct(16, codec.size())));
        // a short command fails
        assertEquals(-Errno.EINVAL.value(), ioctl(IommufdIoctl.IOMMU_DESTROY, Ioctls.struct(16, codec.size() - 1)));
    }

    @KernelTest
    void global_options() {
        IommufdContext c = machine.ctx();
        IommuOption get = new IommuOption(IommuOptionId.RLIMIT_MODE, IommuOptionOps.GET, 0, 0, 1);
        assertEquals(0, c.call(get).val64());
        // This requires root
        c.call(new IommuOption(IommuOptionId.RLIMIT_MODE, IommuOptionOps.SET, 0, 0, 1));
        expectErrno(Errno.EINVAL, () -> c.call(new IommuOption(IommuOptionId.RLIMIT_MODE, IommuOptionOps.SET, 0, 0, 2)));
        assertEquals(1, c.call(get).val64());
        c.call(new IommuOption(IommuOptionId.RLIMIT_MODE, IommuOptionOps.SET, 0, 0, 0));
        expectErrno(Errno.ENOENT, () -> c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.GET, 0, 0, 0)));
        expectErrno(Errno.ENOENT, () -> c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.SET, 0, 0, 0)));
    }

    // ------------------------------------------------------------ VFIO compatibility IOCTLs

    private static final StructCodec<VfioIommuType1DmaUnmap> UNMAP = StructCodec.of(VfioIommuType1DmaUnmap.class);
    private static final StructCodec<VfioIommuType1DmaMap> MAP = StructCodec.of(VfioIommuType1DmaMap.class);
    private static final StructCodec<VfioIommuType1Info> INFO = StructCodec.of(VfioIommuType1Info.class);
    private static final StructCodec<IommuVfioIoas> VFIO_IOAS = StructCodec.of(IommuVfioIoas.class);

    private static <T extends Record> ByteBuffer bytes(StructCodec<T> codec, T value) {
        return ByteBuffer.wrap(codec.toBytes(value)).order(ByteOrder.LITTLE_ENDIAN);
    }

    @KernelTest
    void simple_ioctls() {
        assertEquals(VfioIoctl.API_VERSION, ioctl(VfioIoctl.VFIO_GET_API_VERSION, null));
        assertEquals(1, ioctl(VfioIoctl.VFIO_CHECK_EXTENSION, VfioCompat.valueArg(VfioExtension.TYPE1v2_IOMMU)));
    }

    @KernelTest
    void unmap_cmd() {
        long iova = IommufdUtils.MOCK_APERTURE_START;
        long size = IommufdUtils.PAGE_SIZE;
        // argsz = 1
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, bytes(UNMAP, new VfioIommuType1DmaUnmap(1, 0, iova, size))));
        int argsz = UNMAP.size();
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA,
                bytes(UNMAP, new VfioIommuType1DmaUnmap(argsz, 1 << 31, iova, size))));
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, bytes(UNMAP, new VfioIommuType1DmaUnmap(argsz, 0, iova, size))));
    }

    @KernelTest
    void map_cmd() {
        long iova = IommufdUtils.MOCK_APERTURE_START;
        long size = IommufdUtils.PAGE_SIZE;
        long vaddr = machine.buffer();
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, bytes(MAP, new VfioIommuType1DmaMap(1, 0, vaddr, iova, size))));
        int argsz = MAP.size();
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, bytes(MAP, new VfioIommuType1DmaMap(argsz, 1 << 31, vaddr, iova, size))));
        // Requires a domain to be attached
        int rw = VfioIommuType1DmaMap.FLAG_READ | VfioIommuType1DmaMap.FLAG_WRITE;
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, bytes(MAP, new VfioIommuType1DmaMap(argsz, rw, vaddr, iova, size))));
    }

    @KernelTest
    void info_cmd() {
        // Invalid argsz
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_GET_INFO, bytes(INFO, new VfioIommuType1Info(1, 0, 0, 0, 0))));
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_IOMMU_GET_INFO,
                bytes(INFO, new VfioIommuType1Info(INFO.size(), 0, 0, 0, 0))));
    }

    @KernelTest
    void set_iommu_cmd() {
        // Requires a domain to be attached
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(VfioExtension.TYPE1v2_IOMMU)));
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(VfioExtension.TYPE1_IOMMU)));
    }

    @KernelTest
    void vfio_ioas() {
        // ENODEV if there is no compat ioas
        assertEquals(-Errno.ENODEV.value(), ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, bytes(VFIO_IOAS, new IommuVfioIoas(0, IommuVfioIoasOp.GET, 0))));
        // Invalid id for set
        assertEquals(-Errno.ENOENT.value(), ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, bytes(VFIO_IOAS, new IommuVfioIoas(0, IommuVfioIoasOp.SET, 0))));
        // Valid id for set
        int ioasId = new IommufdUtils(machine).ioasAlloc();
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, bytes(VFIO_IOAS, new IommuVfioIoas(ioasId, IommuVfioIoasOp.SET, 0))));
        // Same id comes back from get
        ByteBuffer get = bytes(VFIO_IOAS, new IommuVfioIoas(0, IommuVfioIoasOp.GET, 0));
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, get));
        assertEquals(ioasId, VFIO_IOAS.decode(get.array()).ioasId());
        // Clear works
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, bytes(VFIO_IOAS, new IommuVfioIoas(0, IommuVfioIoasOp.CLEAR, 0))));
        assertEquals(-Errno.ENODEV.value(), ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, bytes(VFIO_IOAS, new IommuVfioIoas(0, IommuVfioIoasOp.GET, 0))));
    }
}
