package org.iommufd4j.vfio;

import static org.iommufd4j.ioas.Testbed.APERTURE_START;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.ioas.CacheCoherency;
import org.iommufd4j.ioas.Testbed;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuVfioIoas;
import org.iommufd4j.uapi.IommuVfioIoasOp;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.vfio.VfioExtension;
import org.iommufd4j.uapi.vfio.VfioIoctl;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaMap;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaUnmap;
import org.iommufd4j.uapi.vfio.VfioIommuType1Info;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The VFIO compatibility tests of the {@code iommufd} fixture (simple_ioctls, unmap_cmd, map_cmd,
 * info_cmd, set_iommu_cmd, vfio_ioas), through the byte API as a C caller makes them, plus the
 * weak-pointer and errno details around them.
 */
class VfioIoctlsTest {
    private static final StructCodec<IommuVfioIoas> VFIO_IOAS = StructCodec.of(IommuVfioIoas.class);

    private Testbed bed;

    @BeforeEach
    void setUp() {
        bed = new Testbed();
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    private int ioctl(int cmd, ByteBuffer arg) {
        return bed.ctx.ioctl(cmd, arg);
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static <T extends Record> ByteBuffer struct(StructCodec<T> codec, T value) {
        return le(codec.toBytes(value));
    }

    private ByteBuffer vfioIoas(int op, int ioasId) {
        return struct(VFIO_IOAS, new IommuVfioIoas(ioasId, op, 0));
    }

    @Test
    void simpleIoctls() {
        assertEquals(VfioIoctl.API_VERSION, ioctl(VfioIoctl.VFIO_GET_API_VERSION, null));
        assertEquals(1, ioctl(VfioIoctl.VFIO_CHECK_EXTENSION, VfioCompat.valueArg(VfioExtension.TYPE1v2_IOMMU)));
        assertEquals(1, ioctl(VfioIoctl.VFIO_CHECK_EXTENSION, VfioCompat.valueArg(VfioExtension.TYPE1_IOMMU)));
        assertEquals(1, ioctl(VfioIoctl.VFIO_CHECK_EXTENSION, VfioCompat.valueArg(VfioExtension.UNMAP_ALL)));
        for (int ext : new int[] {0, VfioExtension.SPAPR_TCE_IOMMU, VfioExtension.EEH, VfioExtension.TYPE1_NESTING_IOMMU,
                VfioExtension.SPAPR_TCE_v2_IOMMU, VfioExtension.NOIOMMU_IOMMU, VfioExtension.UPDATE_VADDR, 1000}) {
            assertEquals(0, ioctl(VfioIoctl.VFIO_CHECK_EXTENSION, VfioCompat.valueArg(ext)), "extension " + ext);
        }
        // A 4-byte argument is the same value.
        assertEquals(1, ioctl(VfioIoctl.VFIO_CHECK_EXTENSION, le(new byte[] {3, 0, 0, 0})));
        // Dirty pages and anything else in the VFIO range: ENOTTY.
        assertEquals(-Errno.ENOTTY.value(), ioctl(VfioIoctl.VFIO_IOMMU_DIRTY_PAGES, ByteBuffer.allocate(64)));
        assertEquals(-Errno.ENOTTY.value(), ioctl(VfioIoctl.io(3), ByteBuffer.allocate(64)));
    }

    @Test
    void dmaCcNeedsACompatIoasAndCoherentDomains() {
        ByteBuffer cc = VfioCompat.valueArg(VfioExtension.DMA_CC_IOMMU);
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_CHECK_EXTENSION, cc));
        int ioasId = bed.ctx.ioasAlloc();
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, vfioIoas(IommuVfioIoasOp.SET, ioasId)));
        assertEquals(1, ioctl(VfioIoctl.VFIO_CHECK_EXTENSION, cc), "no domain: nothing is incoherent");
        var domain = bed.addDomain(ioasId);
        assertEquals(0, ioctl(VfioIoctl.VFIO_CHECK_EXTENSION, cc), "no subsystem vouches for the domain");
        assertEquals(true, CheckExtensionHandler.cacheCoherent(bed.ctx, java.util.Set.<CacheCoherency>of(d -> d == domain)));
        assertEquals(false, CheckExtensionHandler.cacheCoherent(bed.ctx, java.util.Set.<CacheCoherency>of(d -> d != domain)));
    }

    @Test
    void unmapCmd() {
        VfioIommuType1DmaUnmap cmd = new VfioIommuType1DmaUnmap(1, 0, APERTURE_START, PAGE_SIZE);
        StructCodec<VfioIommuType1DmaUnmap> codec = StructCodec.of(VfioIommuType1DmaUnmap.class);
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, struct(codec, cmd)));
        cmd = new VfioIommuType1DmaUnmap(24, 1 << 31, APERTURE_START, PAGE_SIZE);
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, struct(codec, cmd)));
        for (int flag : new int[] {VfioIommuType1DmaUnmap.FLAG_GET_DIRTY_BITMAP, VfioIommuType1DmaUnmap.FLAG_VADDR}) {
            cmd = new VfioIommuType1DmaUnmap(24, flag, APERTURE_START, PAGE_SIZE);
            assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, struct(codec, cmd)));
        }
        cmd = new VfioIommuType1DmaUnmap(24, 0, APERTURE_START, PAGE_SIZE);
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, struct(codec, cmd)));
        // The struct cannot be read: EFAULT.
        assertEquals(-Errno.EFAULT.value(), ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, ByteBuffer.allocate(23)));
        assertEquals(-Errno.EFAULT.value(), ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, null));
    }

    @Test
    void mapCmd() {
        StructCodec<VfioIommuType1DmaMap> codec = StructCodec.of(VfioIommuType1DmaMap.class);
        VfioIommuType1DmaMap cmd = new VfioIommuType1DmaMap(1, 0, bed.buffer, APERTURE_START, PAGE_SIZE);
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, struct(codec, cmd)));
        cmd = new VfioIommuType1DmaMap(32, 1 << 31, bed.buffer, APERTURE_START, PAGE_SIZE);
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, struct(codec, cmd)));
        cmd = new VfioIommuType1DmaMap(32, VfioIommuType1DmaMap.FLAG_VADDR, bed.buffer, APERTURE_START, PAGE_SIZE);
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, struct(codec, cmd)));
        // Requires a compat IOAS
        cmd = new VfioIommuType1DmaMap(32, VfioIommuType1DmaMap.FLAG_READ | VfioIommuType1DmaMap.FLAG_WRITE, bed.buffer, APERTURE_START,
                PAGE_SIZE);
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, struct(codec, cmd)));
        assertEquals(-Errno.EFAULT.value(), ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, ByteBuffer.allocate(31)));
    }

    @Test
    void infoCmd() {
        StructCodec<VfioIommuType1Info> codec = StructCodec.of(VfioIommuType1Info.class);
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_GET_INFO, struct(codec, new VfioIommuType1Info(1, 0, 0, 0, 0))));
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_IOMMU_GET_INFO, struct(codec, new VfioIommuType1Info(15, 0, 0, 0, 0))));
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_IOMMU_GET_INFO, struct(codec, new VfioIommuType1Info(24, 0, 0, 0, 0))));
        assertEquals(-Errno.EFAULT.value(), ioctl(VfioIoctl.VFIO_IOMMU_GET_INFO, ByteBuffer.allocate(15)));
    }

    @Test
    void setIommuCmd() {
        // Requires a compat IOAS
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(VfioExtension.TYPE1v2_IOMMU)));
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(VfioExtension.TYPE1_IOMMU)));
        // Any other type is EINVAL before the IOAS is looked at.
        for (long type : new long[] {0, VfioExtension.SPAPR_TCE_IOMMU, VfioExtension.NOIOMMU_IOMMU, 1L << 32 | 3}) {
            assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(type)), "type " + type);
        }
        assertEquals(-Errno.EINVAL.value(), ioctl(VfioIoctl.VFIO_SET_IOMMU, null));
    }

    /** iommufd.vfio_ioas. */
    @Test
    void vfioIoas() {
        ByteBuffer cmd = vfioIoas(IommuVfioIoasOp.GET, 0);
        // ENODEV if there is no compat ioas
        assertEquals(-Errno.ENODEV.value(), ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, cmd));
        // Invalid id for set
        cmd = vfioIoas(IommuVfioIoasOp.SET, 0);
        assertEquals(-Errno.ENOENT.value(), ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, cmd));
        // Valid id for set
        int ioasId = bed.ctx.ioasAlloc();
        cmd = vfioIoas(IommuVfioIoasOp.SET, ioasId);
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, cmd));
        // Same id comes back from get
        cmd = vfioIoas(IommuVfioIoasOp.GET, 0);
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, cmd));
        assertEquals(ioasId, cmd.getInt(4));
        // Clear works
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, vfioIoas(IommuVfioIoasOp.CLEAR, 0)));
        assertEquals(-Errno.ENODEV.value(), ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, vfioIoas(IommuVfioIoasOp.GET, 0)));
    }

    @Test
    void vfioIoasRejectsReservedAndUnknownOps() {
        int ioasId = bed.ctx.ioasAlloc();
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class,
                () -> bed.ctx.call(new IommuVfioIoas(ioasId, IommuVfioIoasOp.SET, 1))).errno());
        assertEquals(Errno.EOPNOTSUPP, assertThrows(IommufdException.class,
                () -> bed.ctx.call(new IommuVfioIoas(ioasId, 3, 0))).errno());
        assertEquals(Errno.ENODEV, assertThrows(IommufdException.class,
                () -> bed.ctx.call(new IommuVfioIoas(0, IommuVfioIoasOp.GET, 0))).errno());
        // The size rules of cmd_length apply: min_size - 1 is EINVAL, a non-zero tail E2BIG.
        byte[] shortCmd = VFIO_IOAS.toBytes(new IommuVfioIoas(ioasId, IommuVfioIoasOp.SET, 0));
        le(shortCmd).putInt(0, 11);
        assertEquals(-Errno.EINVAL.value(), ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, le(shortCmd)));
        byte[] longCmd = java.util.Arrays.copyOf(VFIO_IOAS.toBytes(new IommuVfioIoas(ioasId, IommuVfioIoasOp.SET, 0)), 13);
        le(longCmd).putInt(0, 13);
        longCmd[12] = (byte) 0xff;
        assertEquals(-Errno.E2BIG.value(), ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, le(longCmd)));
        longCmd[12] = 0;
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, le(longCmd)));
    }

    @Test
    void theCompatIoasIsAWeakPointer() {
        int ioasId = bed.ctx.ioasAlloc();
        bed.ctx.call(new IommuVfioIoas(ioasId, IommuVfioIoasOp.SET, 0));
        // Setting it takes no reference: the IOAS can still be destroyed ...
        bed.ctx.destroy(ioasId);
        assertEquals(Errno.ENODEV, assertThrows(IommufdException.class,
                () -> bed.ctx.call(new IommuVfioIoas(0, IommuVfioIoasOp.GET, 0))).errno());
        // ... and a new IOAS that reuses its ID is not the compat IOAS.
        assertEquals(ioasId, bed.ctx.ioasAlloc());
        assertEquals(Errno.ENODEV, assertThrows(IommufdException.class,
                () -> bed.ctx.call(new IommuVfioIoas(0, IommuVfioIoasOp.GET, 0))).errno());
        assertEquals(-Errno.ENODEV.value(), ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(VfioExtension.TYPE1v2_IOMMU)));
    }

    @Test
    void compatIoasCreateMakesOneIoasAndKeepsIt() {
        VfioCompat compat = VfioCompat.of(bed.ctx);
        int id = compat.createIoas();
        assertEquals(id, compat.createIoas());
        assertEquals(id, bed.ctx.call(new IommuVfioIoas(0, IommuVfioIoasOp.GET, 0)).ioasId());
        assertEquals(1, bed.ctx.objects().size());
        // A normal object: the user may destroy it; the next create makes a new one.
        bed.ctx.destroy(id);
        int again = compat.createIoas();
        assertEquals(again, compat.ioasId());
        assertEquals(1, bed.ctx.objects().size());
    }

    @Test
    void typedIoctlsAndContextsAreIndependent() {
        int ioasId = bed.ctx.ioasAlloc();
        bed.ctx.call(new IommuVfioIoas(ioasId, IommuVfioIoasOp.SET, 0));
        var other = bed.machine.iommufd().open(bed.proc);
        try {
            assertEquals(-Errno.ENODEV.value(), other.ioctl(IommufdIoctl.IOMMU_VFIO_IOAS, vfioIoas(IommuVfioIoasOp.GET, 0)));
        } finally {
            other.close();
        }
        assertEquals(ioasId, VfioCompat.of(bed.ctx).ioasId());
    }
}
