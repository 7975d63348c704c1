package org.iommufd4j.vfio;

import static org.iommufd4j.ioas.Testbed.APERTURE_LAST;
import static org.iommufd4j.ioas.Testbed.APERTURE_START;
import static org.iommufd4j.ioas.Testbed.BUFFER_SIZE;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.iommufd4j.ioas.Testbed;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuVfioIoas;
import org.iommufd4j.uapi.IommuVfioIoasOp;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.vfio.VfioExtension;
import org.iommufd4j.uapi.vfio.VfioInfoCapHeader;
import org.iommufd4j.uapi.vfio.VfioIoctl;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaMap;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaUnmap;
import org.iommufd4j.uapi.vfio.VfioIommuType1Info;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The vfio_compat_mock_domain fixture (variants Ver1v2 and Ver1v0) without a device: the compat
 * IOAS has a paging domain shaped like the mock's (aperture [16 MiB, 2 GiB-1]) attached straight
 * to its io_pagetable, then VFIO_SET_IOMMU picks the type1 version.
 */
class VfioCompatDomainTest {
    private static final StructCodec<VfioIommuType1Info> INFO = StructCodec.of(VfioIommuType1Info.class);
    private static final StructCodec<VfioIommuType1DmaMap> MAP = StructCodec.of(VfioIommuType1DmaMap.class);
    private static final StructCodec<VfioIommuType1DmaUnmap> UNMAP = StructCodec.of(VfioIommuType1DmaUnmap.class);

    private Testbed bed;
    private int ioasId;
    private PageTableDomain domain;

    private void setUp(int version) {
        bed = new Testbed();
        ioasId = bed.ctx.ioasAlloc();
        domain = bed.addDomain(ioasId);
        bed.ctx.call(new IommuVfioIoas(ioasId, IommuVfioIoasOp.SET, 0));
        assertEquals(0, bed.ctx.ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(version)));
    }

    @AfterEach
    void tearDown() {
        if (bed != null) {
            bed.close();
        }
    }

    private static ByteBuffer le(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private int mapDma(long vaddr, long iova, long size) {
        return bed.ctx.ioctl(VfioIoctl.VFIO_IOMMU_MAP_DMA, le(MAP.toBytes(new VfioIommuType1DmaMap(32,
                VfioIommuType1DmaMap.FLAG_READ | VfioIommuType1DmaMap.FLAG_WRITE, vaddr, iova, size))));
    }

    /** VFIO_IOMMU_UNMAP_DMA; returns {rc, size written back}. */
    private long[] unmapDma(int flags, long iova, long size) {
        ByteBuffer arg = le(UNMAP.toBytes(new VfioIommuType1DmaUnmap(24, flags, iova, size)));
        int rc = bed.ctx.ioctl(VfioIoctl.VFIO_IOMMU_UNMAP_DMA, arg);
        return new long[] {rc, arg.getLong(16)};
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {VfioExtension.TYPE1v2_IOMMU, VfioExtension.TYPE1_IOMMU})
    void simpleClose(int version) {
        setUp(version);
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {VfioExtension.TYPE1v2_IOMMU, VfioExtension.TYPE1_IOMMU})
    void optionHugePages(int version) {
        setUp(version);
        assertEquals(version == VfioExtension.TYPE1_IOMMU ? 0 : 1, bed.hugePages(ioasId));
    }

    /** The selftest's ioctl_check_buf: run GET_INFO in a 0xAA-filled buffer and check nothing past argsz changed. */
    private ByteBuffer getInfoChecked(int argsz) {
        ByteBuffer buf = ByteBuffer.allocate((int) BUFFER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < buf.capacity(); i++) {
            buf.put(i, (byte) 0xAA);
        }
        buf.put(0, INFO.toBytes(new VfioIommuType1Info(argsz, 0, 0, 0, 0)), 0, Math.min(argsz, INFO.size()));
        assertEquals(0, bed.ctx.ioctl(VfioIoctl.VFIO_IOMMU_GET_INFO, buf));
        for (int i = argsz; i < buf.capacity(); i++) {
            assertEquals((byte) 0xAA, buf.get(i), "argsz " + argsz + ": byte " + i + " past argsz was written");
        }
        return buf;
    }

    /** check_vfio_info_cap_chain. */
    private static void checkCapChain(ByteBuffer buf) {
        int argsz = buf.getInt(0);
        int capOffset = buf.getInt(16);
        assertTrue(argsz >= capOffset + 8);
        int cap = capOffset;
        int seen = 0;
        while (true) {
            int next = buf.getInt(cap + 4);
            int capSize = next != 0 ? next - cap : argsz - cap;
            int id = Short.toUnsignedInt(buf.getShort(cap));
            int version = Short.toUnsignedInt(buf.getShort(cap + 2));
            assertEquals(1, version);
            switch (id) {
                case VfioInfoCapHeader.ID_IOVA_RANGE -> {
                    assertEquals(1, buf.getInt(cap + 8), "nr_iovas");
                    assertEquals(APERTURE_START, buf.getLong(cap + 16));
                    assertEquals(APERTURE_LAST, buf.getLong(cap + 24));
                }
                case VfioInfoCapHeader.ID_DMA_AVAIL -> {
                    assertEquals(12, capSize);
                    assertEquals(-1, buf.getInt(cap + 8), "avail is U32_MAX");
                }
                default -> throw new AssertionError("unknown capability " + id);
            }
            seen++;
            if (next == 0) {
                break;
            }
            assertTrue(argsz >= next + 8);
            assertTrue(next >= cap);
            cap = next;
        }
        assertEquals(2, seen);
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {VfioExtension.TYPE1v2_IOMMU, VfioExtension.TYPE1_IOMMU})
    void getInfo(int version) {
        setUp(version);
        int flags = VfioIommuType1Info.FLAG_PGSIZES | VfioIommuType1Info.FLAG_CAPS;
        // Pre-cap ABI
        ByteBuffer buf = getInfoChecked(16);
        assertNotEquals(0, buf.getLong(8));
        assertEquals(flags, buf.getInt(4));

        // Read the cap chain size
        buf = getInfoChecked(24);
        assertNotEquals(0, buf.getLong(8));
        assertEquals(flags, buf.getInt(4));
        assertEquals(0, buf.getInt(16), "cap_offset");
        int caplen = buf.getInt(0);
        assertTrue(caplen > 24);
        assertEquals(24 + 12 + 16 + 16, caplen, "info, DMA_AVAIL, IOVA_RANGE with one range");

        // Read the caps at every size: never a corrupted chain
        int chains = 0;
        for (int argsz = 24; argsz < caplen + 8; argsz++) {
            buf = getInfoChecked(argsz);
            assertEquals(flags, buf.getInt(4));
            assertEquals(caplen, buf.getInt(0), "argsz is written back with the size needed");
            if (buf.getInt(16) == 0) {
                assertTrue(argsz < caplen);
                continue;
            }
            checkCapChain(buf);
            chains++;
        }
        assertEquals(8, chains, "the chain is reported exactly when it fits");
    }

    @Test
    void pageSizesFollowTheDomainsAndTheAlignment() {
        setUp(VfioExtension.TYPE1v2_IOMMU);
        ByteBuffer buf = getInfoChecked(16);
        assertEquals(domain.pgsizeBitmap(), buf.getLong(8));
        bed.removeDomain(ioasId, domain);
        buf = getInfoChecked(16);
        assertEquals(-PAGE_SIZE, buf.getLong(8), "no domain: every size from PAGE_SIZE up");
        // The iova range without a domain is all of it.
        buf = getInfoChecked(68);
        assertEquals(0, buf.getLong(36 + 16));
        assertEquals(-1L, buf.getLong(36 + 24));
    }

    @Test
    void getInfoPastTheCallersBufferIsEfault() {
        setUp(VfioExtension.TYPE1v2_IOMMU);
        ByteBuffer small = le(java.util.Arrays.copyOf(INFO.toBytes(new VfioIommuType1Info(68, 0, 0, 0, 0)), 40));
        assertEquals(-Errno.EFAULT.value(), bed.ctx.ioctl(VfioIoctl.VFIO_IOMMU_GET_INFO, small));
    }

    private static void shuffle(long[] array, Random rnd) {
        for (int i = 0; i != array.length; i++) {
            long tmp = array[i];
            int other = rnd.nextInt(array.length - i);
            array[i] = array[other];
            array[other] = tmp;
        }
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {VfioExtension.TYPE1v2_IOMMU, VfioExtension.TYPE1_IOMMU})
    void map(int version) {
        setUp(version);
        // Simple map/unmap
        assertEquals(0, mapDma(bed.buffer, APERTURE_START, BUFFER_SIZE));
        assertEquals(bed.frame(bed.buffer) << PAGE_SHIFT, domain.iovaToPhys(APERTURE_START));
        assertEquals(-Errno.EEXIST.value(), mapDma(bed.buffer, APERTURE_START + PAGE_SIZE, PAGE_SIZE));
        long[] r = unmapDma(0, APERTURE_START, BUFFER_SIZE);
        assertEquals(0, r[0]);
        assertEquals(BUFFER_SIZE, r[1]);
        assertEquals(0, domain.iovaToPhys(APERTURE_START));

        // UNMAP_FLAG_ALL requires 0 iova/size
        assertEquals(0, mapDma(bed.buffer, APERTURE_START, BUFFER_SIZE));
        assertEquals(-Errno.EINVAL.value(), unmapDma(VfioIommuType1DmaUnmap.FLAG_ALL, APERTURE_START, BUFFER_SIZE)[0]);
        assertEquals(-Errno.EINVAL.value(), unmapDma(VfioIommuType1DmaUnmap.FLAG_ALL, 0, BUFFER_SIZE)[0]);
        r = unmapDma(VfioIommuType1DmaUnmap.FLAG_ALL, 0, 0);
        assertEquals(0, r[0]);
        assertEquals(BUFFER_SIZE, r[1]);
        r = unmapDma(VfioIommuType1DmaUnmap.FLAG_ALL, 0, 0);
        assertEquals(0, r[0], "unmap all of nothing works");
        assertEquals(0, r[1]);

        // Small pages
        long[] pagesIova = new long[(int) (BUFFER_SIZE / PAGE_SIZE)];
        for (int i = 0; i != pagesIova.length; i++) {
            pagesIova[i] = APERTURE_START + (long) i * PAGE_SIZE;
            assertEquals(0, mapDma(bed.buffer + (long) i * PAGE_SIZE, pagesIova[i], PAGE_SIZE));
        }
        shuffle(pagesIova, new Random(version));
        for (long iova : pagesIova) {
            r = unmapDma(0, iova, PAGE_SIZE);
            assertEquals(0, r[0]);
            assertEquals(PAGE_SIZE, r[1]);
            assertEquals(0, domain.iovaToPhys(iova));
        }
        assertEquals(0, bed.ioas(ioasId).iopt().areaCount());
        // Unmap of empty is success, with 0 bytes unmapped (type1's behaviour; Linux 6.18 fix)
        r = unmapDma(0, APERTURE_START, PAGE_SIZE);
        assertEquals(0, r[0]);
        assertEquals(0, r[1]);
        assertEquals(-Errno.EINVAL.value(), unmapDma(0, APERTURE_START, 0)[0]);
    }

    @ParameterizedTest(name = "type {0}")
    @ValueSource(ints = {VfioExtension.TYPE1v2_IOMMU, VfioExtension.TYPE1_IOMMU})
    void hugeMap(int version) {
        setUp(version);
        long bufSize = 2L * (2L << 20);
        long buf = bed.mmapTouched(bufSize);
        assertEquals(0, mapDma(buf, APERTURE_START, bufSize));
        long[] pagesIova = new long[16];
        long piece = bufSize / pagesIova.length;
        for (int i = 0; i != pagesIova.length; i++) {
            pagesIova[i] = APERTURE_START + i * piece;
        }
        shuffle(pagesIova, new Random(version + 100));
        // type1 mode can cut up larger mappings, type1v2 always fails
        for (long iova : pagesIova) {
            long[] r = unmapDma(0, iova, piece);
            if (version == VfioExtension.TYPE1_IOMMU) {
                assertEquals(0, r[0]);
                assertEquals(piece, r[1]);
                assertEquals(0, domain.iovaToPhys(iova));
                assertEquals(0, bed.proc.pinCountAt(buf + (iova - APERTURE_START)), "the piece's pages are unpinned");
            } else {
                assertEquals(-Errno.ENOENT.value(), r[0]);
                assertEquals(bed.frame(buf + (iova - APERTURE_START)) << PAGE_SHIFT, domain.iovaToPhys(iova));
            }
        }
        if (version == VfioExtension.TYPE1_IOMMU) {
            assertEquals(0, bed.ioas(ioasId).iopt().areaCount());
            assertEquals(0, bed.memory.pinnedFrames());
        } else {
            assertEquals(1, bed.ioas(ioasId).iopt().areaCount());
            assertEquals(bufSize, unmapDma(0, APERTURE_START, bufSize)[1]);
        }
    }

    @Test
    void typeOneCutsInsideAMappingButNotAcrossAnAccessPin() {
        setUp(VfioExtension.TYPE1_IOMMU);
        assertEquals(0, mapDma(bed.buffer, APERTURE_START, BUFFER_SIZE));
        // A middle piece: the mapping becomes [start, +4 pages) and [+8 pages, end).
        long[] r = unmapDma(0, APERTURE_START + 4 * PAGE_SIZE, 4 * PAGE_SIZE);
        assertEquals(0, r[0]);
        assertEquals(4 * PAGE_SIZE, r[1]);
        assertEquals(2, bed.ioas(ioasId).iopt().areaCount());
        assertEquals(BUFFER_SIZE / PAGE_SIZE - 4, bed.memory.pinnedFrames());
        assertEquals(bed.frame(bed.buffer + 9 * PAGE_SIZE) << PAGE_SHIFT, domain.iovaToPhys(APERTURE_START + 9 * PAGE_SIZE));
        // An unaligned cut is refused.
        assertEquals(-Errno.EINVAL.value(), unmapDma(0, APERTURE_START + 100, PAGE_SIZE)[0]);
        // A pinned area cannot be cut.
        var st = org.iommufd4j.ioas.SelftestAccess.create(bed.ctx, ioasId, org.iommufd4j.ioas.SelftestAccess.CREATE_NEEDS_PIN_PAGES);
        int item = st.pinPages(bed.proc, APERTURE_START, PAGE_SIZE, bed.buffer, 0);
        assertEquals(-Errno.EINVAL.value(), unmapDma(0, APERTURE_START + PAGE_SIZE, PAGE_SIZE)[0]);
        st.destroyPages(item);
        assertEquals(0, unmapDma(0, APERTURE_START + PAGE_SIZE, PAGE_SIZE)[0]);
        st.destroy();
        assertEquals(BUFFER_SIZE - 5 * PAGE_SIZE, unmapDma(VfioIommuType1DmaUnmap.FLAG_ALL, 0, 0)[1]);
    }

    @Test
    void setIommuTypeOneFailsWhenTheDomainAlreadyHoldsMappings() {
        setUp(VfioExtension.TYPE1v2_IOMMU);
        assertEquals(0, mapDma(bed.buffer, APERTURE_START, PAGE_SIZE));
        assertEquals(-Errno.EINVAL.value(), bed.ctx.ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(VfioExtension.TYPE1_IOMMU)));
        assertEquals(1, bed.hugePages(ioasId));
        assertEquals(0, bed.ctx.ioctl(VfioIoctl.VFIO_SET_IOMMU, VfioCompat.valueArg(VfioExtension.TYPE1v2_IOMMU)));
    }

    @Test
    void mapDmaPinsThroughTheDomainAndChecksTheUserAddress() {
        setUp(VfioExtension.TYPE1v2_IOMMU);
        assertEquals(-Errno.EFAULT.value(), mapDma(0x1000, APERTURE_START, PAGE_SIZE));
        assertEquals(-Errno.EINVAL.value(), mapDma(bed.buffer, APERTURE_START, 0));
        // Outside the domain's aperture is reserved.
        assertEquals(-Errno.EINVAL.value(), mapDma(bed.buffer, APERTURE_START - PAGE_SIZE, PAGE_SIZE));
        assertEquals(0, bed.memory.pinnedFrames());
        assertEquals(0, mapDma(bed.buffer, APERTURE_START, 2 * PAGE_SIZE));
        assertEquals(2, bed.proc.pinCountAt(bed.buffer) + bed.proc.pinCountAt(bed.buffer + PAGE_SIZE));
    }

    @Test
    void typedContainerReachesTheSameHandlers() {
        setUp(VfioExtension.TYPE1v2_IOMMU);
        VfioContainer container = new VfioContainer(bed.ctx);
        assertEquals(VfioIoctl.API_VERSION, container.apiVersion());
        assertTrue(container.checkExtension(VfioExtension.UNMAP_ALL));
        assertTrue(!container.checkExtension(VfioExtension.UPDATE_VADDR));
        ByteBuffer buf = container.infoBuffer(68);
        VfioIommuType1Info info = VfioContainer.info(buf);
        assertEquals(68, info.argsz());
        assertEquals(24, info.capOffset());
        assertEquals(domain.pgsizeBitmap(), info.iovaPgsizes());
        checkCapChain(buf);
        int rw = VfioIommuType1DmaMap.FLAG_READ | VfioIommuType1DmaMap.FLAG_WRITE;
        container.mapDma(rw, bed.buffer, APERTURE_START, BUFFER_SIZE);
        assertEquals(Errno.EEXIST, org.junit.jupiter.api.Assertions.assertThrows(org.iommufd4j.uapi.IommufdException.class,
                () -> container.mapDma(rw, bed.buffer, APERTURE_START, PAGE_SIZE)).errno());
        assertEquals(BUFFER_SIZE, container.unmapDma(0, APERTURE_START, BUFFER_SIZE));
        assertEquals(0, container.unmapDma(0, APERTURE_START, BUFFER_SIZE), "unmap of empty is success");
        assertEquals(Errno.EINVAL, org.junit.jupiter.api.Assertions.assertThrows(org.iommufd4j.uapi.IommufdException.class,
                () -> container.setIommu(VfioExtension.SPAPR_TCE_IOMMU)).errno());
    }
}
