package org.iommufd4j.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.IommufdUtils;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuOption;
import org.iommufd4j.uapi.IommuOptionId;
import org.iommufd4j.uapi.IommuOptionOps;
import org.iommufd4j.uapi.IommuVfioIoas;
import org.iommufd4j.uapi.IommuVfioIoasOp;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.vfio.VfioExtension;
import org.iommufd4j.uapi.vfio.VfioInfoCapHeader;
import org.iommufd4j.uapi.vfio.VfioIoctl;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaMap;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaUnmap;
import org.iommufd4j.uapi.vfio.VfioIommuType1Info;
import org.iommufd4j.vfio.VfioCompat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * FIXTURE(vfio_compat_mock_domain) of iommufd.c: the VFIO type1 container API on an iommufd with
 * a mock domain.
 */
@Fixture(value = "vfio_compat_mock_domain", variants = VfioCompatMockDomainTest.Variant.class)
@MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN")
final class VfioCompatMockDomainTest {
    /** The FIXTURE_VARIANT_ADD entries; {@code version} is the VFIO_SET_IOMMU type. */
    enum Variant {
        Ver1v2(VfioExtension.TYPE1v2_IOMMU),
        Ver1v0(VfioExtension.TYPE1_IOMMU);

        final int version;

        Variant(int version) {
            this.version = version;
        }
    }

    private static final StructCodec<VfioIommuType1DmaMap> MAP = StructCodec.of(VfioIommuType1DmaMap.class);
    private static final StructCodec<VfioIommuType1DmaUnmap> UNMAP = StructCodec.of(VfioIommuType1DmaUnmap.class);
    private static final StructCodec<VfioIommuType1Info> INFO = StructCodec.of(VfioIommuType1Info.class);
    private static final StructCodec<IommuVfioIoas> VFIO_IOAS = StructCodec.of(IommuVfioIoas.class);
    private static final int RW = VfioIommuType1DmaMap.FLAG_READ | VfioIommuType1DmaMap.FLAG_WRITE;
    private static final long PAGE_SIZE = SelftestMachine.PAGE_SIZE;
    private static final long BUFFER_SIZE = SelftestMachine.BUFFER_SIZE;
    /** offsetof(struct vfio_iommu_type1_info, cap_offset). */
    private static final int INFO_PRE_CAP_SIZE = 16;

    private SelftestMachine machine;
    private Variant variant;
    private int ioasId;

    @BeforeEach
    void setup(SelftestMachine machine, Variant variant) {
        this.machine = machine;
        this.variant = variant;
        // The mock driver answers IOMMU_TEST_CMD once it is loaded.
        machine.driverUnderTest();
        IommufdUtils t = new IommufdUtils(machine);
        // Create what VFIO would consider a group
        ioasId = t.ioasAlloc();
        t.mockDomain(ioasId, 0);
        // Attach it to the vfio compat
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, le(VFIO_IOAS.toBytes(new IommuVfioIoas(ioasId, IommuVfioIoasOp.SET, 0)))));
        assertEquals(0, ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(variant.version)));
    }

    @AfterEach
    void teardown() {
        machine.close();
    }

    private int ioctl(int cmd, ByteBuffer arg) {
        return machine.ctx().ioctl(cmd, arg);
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int mapDma(long vaddr, long iova, long size) {
        return ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, le(MAP.toBytes(new VfioIommuType1DmaMap(MAP.size(), RW, vaddr, iova, size))));
    }

    /** VFIO_IOMMU_UNMAP_DMA; returns {rc, the size written back}. */
    private long[] unmapDma(int flags, long iova, long size) {
        ByteBuffer arg = le(UNMAP.toBytes(new VfioIommuType1DmaUnmap(UNMAP.size(), flags, iova, size)));
        int rc = ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, arg);
        return new long[] {rc, arg.getLong(16)};
    }

    @KernelTest
    void simple_close() {
    }

    @KernelTest
    void option_huge_pages() {
        IommuOption out = machine.ctx().call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.GET, 0, ioasId, 3));
        if (variant.version == VfioExtension.TYPE1_IOMMU) {
            assertEquals(0, out.val64());
        } else {
            assertEquals(1, out.val64());
        }
    }

    /**
     * ioctl_check_buf: runs GET_INFO on a command at the start of a {@link SelftestMachine#BUFFER_SIZE}
     * buffer whose bytes past argsz are 0xAA, and checks the call left them alone.
     */
    private ByteBuffer getInfoChecked(int argsz) {
        ByteBuffer buf = ByteBuffer.allocate((int) BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        buf.putInt(0, argsz);
        for (int i = argsz; i < buf.capacity(); i++) {
            buf.put(i, (byte) 0xAA);
        }
        assertEquals(0, ioctl(VfioIoctl.VFIO_IOMMU_GET_INFO, buf));
        for (int i = argsz; i < buf.capacity(); i++) {
            if (buf.get(i) != (byte) 0xAA) {
                throw new AssertionError("argsz " + argsz + ": byte " + i + " past the command was written");
            }
        }
        return buf;
    }

    /** check_vfio_info_cap_chain. */
    private static void checkCapChain(ByteBuffer buf) {
        int argsz = buf.getInt(0);
        int capOffset = buf.getInt(16);
        assertTrue(Integer.toUnsignedLong(argsz) >= capOffset + 8L);
        int cap = capOffset;
        while (true) {
            int next = buf.getInt(cap + 4);
            int capSize = next != 0 ? next - cap : argsz - cap;
            int id = Short.toUnsignedInt(buf.getShort(cap));
            int version = Short.toUnsignedInt(buf.getShort(cap + 2));
            switch (id) {
                case VfioInfoCapHeader.ID_IOVA_RANGE -> {
                    assertEquals(1, version);
                    assertEquals(1, buf.getInt(cap + 8), "nr_iovas");
                    assertEquals(IommufdUtils.MOCK_APERTURE_START, buf.getLong(cap + 16));
                    assertEquals(IommufdUtils.MOCK_APERTURE_LAST, buf.getLong(cap + 24));
                }
                case VfioInfoCapHeader.ID_DMA_AVAIL -> {
                    assertEquals(1, version);
                    // sizeof(struct vfio_iommu_type1_info_dma_avail)
                    assertEquals(12, capSize);
                }
                default -> throw new AssertionError("unknown capability id " + id + " at offset " + cap);
            }
            if (next == 0) {
                break;
            }
            assertTrue(Integer.toUnsignedLong(argsz) >= next + 8L);
            assertTrue(next >= cap);
            cap = next;
        }
    }

    @KernelTest
    void get_info() {
        int flags = VfioIommuType1Info.FLAG_PGSIZES | VfioIommuType1Info.FLAG_CAPS;
        // Pre-cap ABI
        ByteBuffer info = getInfoChecked(INFO_PRE_CAP_SIZE);
        assertNotEquals(0, info.getLong(8), "iova_pgsizes");
        assertEquals(flags, info.getInt(4));

        // Read the cap chain size
        info = getInfoChecked(INFO.size());
        assertNotEquals(0, info.getLong(8), "iova_pgsizes");
        assertEquals(flags, info.getInt(4));
        assertEquals(0, info.getInt(16), "cap_offset");
        assertTrue(INFO.size() < info.getInt(0), "argsz grows to hold the capabilities");

        // Read the caps, kernel should never create a corrupted caps
        int caplen = info.getInt(0);
        for (int i = INFO.size(); i < caplen; i++) {
            info = getInfoChecked(i);
            assertEquals(flags, info.getInt(4));
            if (info.getInt(16) == 0) {
                continue;
            }
            checkCapChain(info);
        }
    }

    /** shuffle_array, with a seeded generator (the C test uses rand() unseeded, so a fixed sequence too). */
    private static void shuffle(long[] array, Random rnd) {
        for (int i = 0; i != array.length; i++) {
            long tmp = array[i];
            int other = rnd.nextInt(array.length - i);
            array[i] = array[other];
            array[other] = tmp;
        }
    }

    @KernelTest
    void map() {
        long buffer = machine.buffer();
        long start = IommufdUtils.MOCK_APERTURE_START;
        // Simple map/unmap
        assertEquals(0, mapDma(buffer, start, BUFFER_SIZE));
        long[] r = unmapDma(0, start, BUFFER_SIZE);
        assertEquals(0, r[0]);
        assertEquals(BUFFER_SIZE, r[1]);
        // Unmap of empty is success
        assertEquals(0, unmapDma(0, start, BUFFER_SIZE)[0]);

        // UNMAP_FLAG_ALL requires 0 iova/size
        assertEquals(0, mapDma(buffer, start, BUFFER_SIZE));
        assertEquals(-Errno.EINVAL.value(), unmapDma(VfioIommuType1DmaUnmap.FLAG_ALL, start, BUFFER_SIZE)[0]);
        r = unmapDma(VfioIommuType1DmaUnmap.FLAG_ALL, 0, 0);
        assertEquals(0, r[0]);
        assertEquals(BUFFER_SIZE, r[1]);

        // Small pages
        long[] pagesIova = new long[(int) (BUFFER_SIZE / PAGE_SIZE)];
        for (int i = 0; i != pagesIova.length; i++) {
            pagesIova[i] = start + i * PAGE_SIZE;
            assertEquals(0, mapDma(buffer + i * PAGE_SIZE, pagesIova[i], PAGE_SIZE));
        }
        shuffle(pagesIova, new Random(1));
        for (long iova : pagesIova) {
            assertEquals(0, unmapDma(0, iova, PAGE_SIZE)[0], "unmap of page at 0x" + Long.toHexString(iova));
        }
    }

    @KernelTest
    void huge_map() {
        long bufSize = SimProcess.HUGEPAGE_SIZE * 2;
        long start = IommufdUtils.MOCK_APERTURE_START;
        // Test huge pages and splitting
        long buf = machine.process().mmap(0, bufSize, SimProcess.PROT_READ | SimProcess.PROT_WRITE,
                SimProcess.MAP_SHARED | SimProcess.MAP_ANONYMOUS | SimProcess.MAP_HUGETLB | SimProcess.MAP_POPULATE, -1, 0);
        assertEquals(0, mapDma(buf, start, bufSize));

        long[] pagesIova = new long[16];
        long piece = bufSize / pagesIova.length;
        for (int i = 0; i != pagesIova.length; i++) {
            pagesIova[i] = start + i * piece;
        }
        shuffle(pagesIova, new Random(2));

        // type1 mode can cut up larger mappings, type1v2 always fails
        for (long iova : pagesIova) {
            long[] r = unmapDma(0, iova, piece);
            if (variant.version == VfioExtension.TYPE1_IOMMU) {
                assertEquals(0, r[0], "type1 unmap of 0x" + Long.toHexString(iova));
            } else {
                assertEquals(-Errno.ENOENT.value(), r[0], "type1v2 unmap of 0x" + Long.toHexString(iova));
            }
        }
    }
}
