package org.iommufd4j.ioas;

import static org.iommufd4j.ioas.Testbed.APERTURE_START;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iommufd4j.memory.DmaBuf;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasMapFile;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/**
 * IOMMU_IOAS_MAP_FILE of a dma-buf (the equivalent of the selftest's iommufd_ioas dmabuf_simple and
 * dmabuf_revoke, written against the framework's {@link DmaBuf} until the mock's DMABUF_GET and
 * DMABUF_REVOKE ops exist): the exporter's frames are mapped as they are; a revoke unmaps them from
 * every domain of every IOAS at once; mapping a revoked buffer is ENODEV; un-revoking allows new maps.
 */
class DmaBufMapTest {
    private static final long LEN = 4 * PAGE_SIZE;
    private static final int RW = IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE;

    private static long mapFixed(Testbed bed, int ioasId, int fd, long start, long length, long iova) {
        return bed.ctx.call(new IommuIoasMapFile(RW | IommuIoasMapFlags.FIXED_IOVA, ioasId, fd, start, length, iova)).iova();
    }

    @Test
    void aRevokeUnmapsTheBufferFromEveryDomainAndBlocksNewMapsUntilUnrevoked() {
        try (Testbed bed = new Testbed()) {
            long pa = bed.memory.allocate(2);
            boolean[] returned = {false};
            DmaBuf buf = DmaBuf.export(this, pa, LEN, () -> {
                bed.memory.free(pa, 2);
                returned[0] = true;
            });
            int fd = bed.proc.installFile("dmabuf", buf);
            int ioasA = bed.ctx.ioasAlloc();
            int ioasB = bed.ctx.ioasAlloc();
            PageTableDomain a1 = bed.addDomain(ioasA);
            PageTableDomain a2 = bed.addDomain(ioasA);
            PageTableDomain b1 = bed.addDomain(ioasB);

            // dmabuf_simple: the whole buffer, and a page-offset part of it
            mapFixed(bed, ioasA, fd, 0, LEN, APERTURE_START);
            mapFixed(bed, ioasB, fd, PAGE_SIZE, 2 * PAGE_SIZE, APERTURE_START);
            assertEquals(pa + PAGE_SIZE + 8, a1.iovaToPhys(APERTURE_START + PAGE_SIZE + 8));
            assertEquals(pa + 3 * PAGE_SIZE, a2.iovaToPhys(APERTURE_START + 3 * PAGE_SIZE));
            assertEquals(pa + PAGE_SIZE, b1.iovaToPhys(APERTURE_START));
            assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                    () -> mapFixed(bed, ioasA, fd, PAGE_SIZE, LEN, APERTURE_START + LEN)).errno(), "past the buffer's end");

            // dmabuf_revoke
            buf.setRevoked(true);
            assertEquals(0, a1.iovaToPhys(APERTURE_START));
            assertEquals(0, a2.iovaToPhys(APERTURE_START + 3 * PAGE_SIZE));
            assertEquals(0, b1.iovaToPhys(APERTURE_START));
            assertEquals(Errno.ENODEV, assertThrows(IommufdException.class,
                    () -> mapFixed(bed, ioasA, fd, 0, LEN, APERTURE_START + LEN)).errno());
            // A domain added while revoked does not get the revoked area either.
            PageTableDomain b2 = bed.addDomain(ioasB);
            assertEquals(0, b2.iovaToPhys(APERTURE_START));

            buf.setRevoked(false);
            long iova = mapFixed(bed, ioasA, fd, 0, LEN, APERTURE_START + LEN);
            assertEquals(pa, a1.iovaToPhys(iova));
            assertEquals(0, a1.iovaToPhys(APERTURE_START), "the revoked area stays unmapped");

            assertEquals(LEN, bed.unmap(ioasA, APERTURE_START, LEN));
            assertEquals(LEN, bed.unmap(ioasA, iova, LEN));
            assertEquals(2 * PAGE_SIZE, bed.unmap(ioasB, APERTURE_START, 2 * PAGE_SIZE));
            bed.proc.close(fd);
            assertEquals(true, returned[0], "the exporter gets its frames back once unused and closed");
        }
    }

    @Test
    void theFramesGoBackOnlyWhenTheFdIsClosedAndTheLastMapIsGone() {
        try (Testbed bed = new Testbed()) {
            long pa = bed.memory.allocate(2);
            boolean[] returned = {false};
            DmaBuf buf = DmaBuf.export(this, pa, LEN, () -> {
                bed.memory.free(pa, 2);
                returned[0] = true;
            });
            int fd = bed.proc.installFile("dmabuf", buf);
            int ioas = bed.ctx.ioasAlloc();
            bed.addDomain(ioas);
            mapFixed(bed, ioas, fd, 0, LEN, APERTURE_START);
            bed.proc.close(fd);
            assertEquals(false, returned[0], "the IOAS still maps it");
            assertEquals(LEN, bed.unmap(ioas, APERTURE_START, LEN));
            assertEquals(true, returned[0]);
        }
    }
}
