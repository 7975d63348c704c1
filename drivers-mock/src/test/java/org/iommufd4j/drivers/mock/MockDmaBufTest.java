package org.iommufd4j.drivers.mock;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.hwpt.HwptPaging;
import org.iommufd4j.memory.DmaBuf;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasMapFile;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.selftest.IommuTestCmd;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.DmabufGet;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.DmabufRevoke;
import org.junit.jupiter.api.Test;

/**
 * The mock's DMABUF_GET/DMABUF_REVOKE as a plugin: its length bounds, and that a revoke reaches
 * the mock's paging domains. The kernel's iommufd_ioas dmabuf_simple and dmabuf_revoke cases are
 * ported in the selftest suite (IommufdIoasTest).
 */
class MockDmaBufTest {
    private static final long BUF = 4 * PAGE_SIZE;
    private static final int RW = IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE;

    /** _test_cmd_get_dmabuf: the ioctl's value is the fd. */
    private static int getDmabuf(MockKselftest t, long len) {
        byte[] p = new byte[IommuTestCmd.PAYLOAD_SIZE];
        StructCodec.of(DmabufGet.class).encode(new DmabufGet((int) len, 0), ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN));
        byte[] cmd = StructCodec.of(IommuTestCmd.class).toBytes(new IommuTestCmd(IommuTestOp.DMABUF_GET, 0, 0, p, 0));
        return t.ctx.ioctl(IommufdIoctl.IOMMU_TEST_CMD, ByteBuffer.wrap(cmd).order(ByteOrder.LITTLE_ENDIAN));
    }

    private static int revoke(MockKselftest t, int fd, boolean revoked) {
        return t.testCmd(IommuTestOp.DMABUF_REVOKE, 0, new DmabufRevoke(fd, revoked ? 1 : 0), null);
    }

    private static int mapFile(MockKselftest t, int ioas, int fd, long start, long length, long[] iova) {
        Object[] out = new Object[1];
        int rc = t.ioctl(IommufdIoctl.IOMMU_IOAS_MAP_FILE, new IommuIoasMapFile(RW, ioas, fd, start, length, 0), out);
        if (rc == 0 && iova != null) {
            iova[0] = ((IommuIoasMapFile) out[0]).iova();
        }
        return rc;
    }

    /** DMABUF_GET's own bounds (the suite's iommufd_ioas.dmabuf_simple covers the MAP_FILE rules). */
    @Test
    void dmabufGetRejectsZeroAndOversizedLengths() {
        try (MockKselftest t = new MockKselftest()) {
            int dfd = getDmabuf(t, BUF);
            assertTrue(dfd >= 3, "DMABUF_GET returns an fd, got " + dfd);
            t.process.close(dfd);
            assertEquals(-Errno.EINVAL.value(), getDmabuf(t, 0));
            assertEquals(-Errno.EINVAL.value(), getDmabuf(t, 513 * PAGE_SIZE));
        }
    }

    @Test
    void dmabufRevokeUnmapsFromTheMockDomainAndBlocksMapsUntilUnrevoked() {
        try (MockKselftest t = new MockKselftest()) {
            int ioas = t.ioasAlloc();
            int[] dev = t.mockDomain(ioas, 0);
            int dfd = getDmabuf(t, BUF);
            long[] iova = new long[1];
            assertEquals(0, mapFile(t, ioas, dfd, 0, BUF, iova));
            DmaBuf buf = (DmaBuf) t.process.specialFile(dfd);
            HwptPaging hwpt = t.ctx.get(dev[1], HwptPaging.class);
            try {
                assertEquals(buf.physicalAddress() + PAGE_SIZE, hwpt.pagingDomain().iovaToPhys(iova[0] + PAGE_SIZE));
                assertEquals(0, revoke(t, dfd, true));
                assertEquals(0, hwpt.pagingDomain().iovaToPhys(iova[0] + PAGE_SIZE), "a revoke unmaps it from the domain");
            } finally {
                t.ctx.put(hwpt);
            }
            assertEquals(Errno.ENODEV.value(), mapFile(t, ioas, dfd, 0, BUF, null));
            // A HWPT allocated while revoked does not get the revoked area.
            int hwpt2 = t.hwptAlloc(dev[2], ioas, 0);
            HwptPaging second = t.ctx.get(hwpt2, HwptPaging.class);
            try {
                assertEquals(0, second.pagingDomain().iovaToPhys(iova[0] + PAGE_SIZE));
            } finally {
                t.ctx.put(second);
            }
            assertEquals(0, revoke(t, dfd, false));
            long[] iova2 = new long[1];
            assertEquals(0, mapFile(t, ioas, dfd, 0, BUF, iova2));
            assertEquals(0, t.ioasUnmap(ioas, iova[0], BUF), "the revoked area can still be unmapped");
            assertEquals(0, t.ioasUnmap(ioas, iova2[0], BUF));
            // Restore the IOVA back
            assertEquals(0, t.ioctl(IommufdIoctl.IOMMU_IOAS_MAP_FILE,
                    new IommuIoasMapFile(RW | IommuIoasMapFlags.FIXED_IOVA, ioas, dfd, 0, BUF, iova[0]), null));
            t.process.close(dfd);
            int mfd = t.process.memfdCreate("not-a-dmabuf");
            assertEquals(Errno.EINVAL.value(), revoke(t, mfd, true));
            assertEquals(Errno.EBADF.value(), revoke(t, 1000, true));
            t.process.close(mfd);
            assertEquals(0, t.destroy(hwpt2));
        }
    }
}
