package org.iommufd4j.vfio;

import static org.iommufd4j.ioas.Testbed.APERTURE_START;
import static org.iommufd4j.ioas.Testbed.BUFFER_SIZE;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.ioas.Testbed;
import org.iommufd4j.uapi.IommuVfioIoas;
import org.iommufd4j.uapi.IommuVfioIoasOp;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.vfio.VfioExtension;
import org.iommufd4j.uapi.vfio.VfioIoctl;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaMap;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaUnmap;
import org.iommufd4j.uapi.vfio.VfioIommuType1Info;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A fail_nth sweep over the VFIO compat path (set the compat IOAS, SET_IOMMU, GET_INFO, MAP_DMA,
 * v0 cuts and UNMAP_DMA) with a domain attached: every injected failure must leave nothing
 * behind once the context is closed.
 */
class VfioFailNthTest {
    private static final StructCodec<VfioIommuType1DmaMap> MAP = StructCodec.of(VfioIommuType1DmaMap.class);
    private static final StructCodec<VfioIommuType1DmaUnmap> UNMAP = StructCodec.of(VfioIommuType1DmaUnmap.class);
    private static final StructCodec<VfioIommuType1Info> INFO = StructCodec.of(VfioIommuType1Info.class);

    private Testbed bed;
    private FailNth failNth;

    @BeforeEach
    void setUp() {
        bed = new Testbed();
        failNth = bed.machine.failNth();
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private void check(int rc) {
        if (rc < 0) {
            throw new IommufdException(org.iommufd4j.uapi.Errno.of(-rc), "rc " + rc);
        }
    }

    private void body(int version) {
        int ioasId = bed.ctx.ioasAlloc();
        bed.addDomain(ioasId);
        bed.ctx.call(new IommuVfioIoas(ioasId, IommuVfioIoasOp.SET, 0));
        check(bed.ctx.ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(version)));
        ByteBuffer info = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        info.put(0, INFO.toBytes(new VfioIommuType1Info(128, 0, 0, 0, 0)));
        check(bed.ctx.ioctl(VfioIoctl.VFIO_IOMMU_GET_INFO, info));
        int rw = VfioIommuType1DmaMap.FLAG_READ | VfioIommuType1DmaMap.FLAG_WRITE;
        check(bed.ctx.ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, le(MAP.toBytes(new VfioIommuType1DmaMap(32, rw, bed.buffer, APERTURE_START,
                BUFFER_SIZE)))));
        if (version == VfioExtension.TYPE1_IOMMU) {
            check(bed.ctx.ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, le(UNMAP.toBytes(new VfioIommuType1DmaUnmap(24, 0,
                    APERTURE_START + 4 * PAGE_SIZE, 4 * PAGE_SIZE)))));
        }
        check(bed.ctx.ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, le(UNMAP.toBytes(new VfioIommuType1DmaUnmap(24,
                VfioIommuType1DmaUnmap.FLAG_ALL, 0, 0)))));
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {VfioExtension.TYPE1v2_IOMMU, VfioExtension.TYPE1_IOMMU})
    void sweep(int version) {
        for (int n = 0; n <= 400; n++) {
            if (n > 0) {
                failNth.arm(n);
            }
            try {
                body(version);
            } catch (IommufdException e) {
                assertTrue(n > 0, "the clean run failed: " + e.getMessage());
            }
            int left = failNth.disarm();
            bed.closeContext();
            bed.assertNothingLeaked();
            bed.reopen();
            if (n > 0 && left != 0) {
                assertTrue(n > 10, "the body should reach many injection points, reached " + n);
                return;
            }
        }
        throw new AssertionError("the sweep did not end within 400 passes");
    }
}
