package org.iommufd4j.uapi.vfio;

import static org.iommufd4j.uapi.RecordSamples.assertRoundTrip;
import static org.iommufd4j.uapi.RecordSamples.le;
import static org.iommufd4j.uapi.RecordSamples.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** VFIO type1 compat structs and numbers against include/uapi/linux/vfio.h and vfio_compat.c (minsz). */
class VfioStructsTest {

    static Stream<Arguments> layouts() {
        return Stream.of(
                // class, C name, sizeof, the kernel's minsz
                Arguments.of(VfioIommuType1Info.class, "vfio_iommu_type1_info", 24, 16),
                Arguments.of(VfioIommuType1DmaMap.class, "vfio_iommu_type1_dma_map", 32, 32),
                Arguments.of(VfioIommuType1DmaUnmap.class, "vfio_iommu_type1_dma_unmap", 24, 24),
                Arguments.of(VfioInfoCapHeader.class, "vfio_info_cap_header", 8, 8),
                Arguments.of(VfioIommuType1InfoCapIovaRange.class, "vfio_iommu_type1_info_cap_iova_range", 16, 16),
                Arguments.of(VfioIovaRange.class, "vfio_iova_range", 16, 16),
                Arguments.of(VfioIommuType1InfoDmaAvail.class, "vfio_iommu_type1_info_dma_avail", 12, 12));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("layouts")
    <T extends Record> void buildsWithArgszAsAComponent(Class<T> type, String name, int size, int minSize) {
        StructCodec<T> codec = StructCodec.of(type);
        assertEquals(name, codec.name());
        assertEquals(size, codec.size());
        assertEquals(minSize, codec.minSize());
        assertFalse(codec.sized());
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("layouts")
    <T extends Record> void roundTrips(Class<T> type) {
        assertRoundTrip(StructCodec.of(type), sample(type));
    }

    @Test
    void ioctlNumbersAreIoSemicolonVfioBasePlusN() {
        // vfio.h: VFIO_TYPE ';', VFIO_BASE 100, GET_API_VERSION +0, CHECK_EXTENSION +1, SET_IOMMU +2,
        // IOMMU_GET_INFO +12, IOMMU_MAP_DMA +13, IOMMU_UNMAP_DMA +14, IOMMU_DIRTY_PAGES +17
        assertEquals(0x3B64, VfioIoctl.VFIO_GET_API_VERSION);
        assertEquals(0x3B65, VfioIoctl.VFIO_CHECK_EXTENSION);
        assertEquals(0x3B66, VfioIoctl.VFIO_SET_IOMMU);
        assertEquals(0x3B70, VfioIoctl.VFIO_IOMMU_GET_INFO);
        assertEquals(0x3B71, VfioIoctl.VFIO_IOMMU_MAP_DMA);
        assertEquals(0x3B72, VfioIoctl.VFIO_IOMMU_UNMAP_DMA);
        assertEquals(0x3B75, VfioIoctl.VFIO_IOMMU_DIRTY_PAGES);
        assertEquals(0, VfioIoctl.API_VERSION);
    }

    @Test
    void everyCompatCommandFallsBelowTheIommufdRange() {
        for (VfioIoctl.Entry e : VfioIoctl.COMMANDS) {
            assertEquals(IommufdIoctl.TYPE, IommufdIoctl.type(e.command()), e.name());
            assertTrue(IommufdIoctl.nr(e.command()) < IommufdIoctl.CMD_BASE, e.name());
            if (e.struct() != null) {
                assertFalse(StructCodec.of(e.struct()).sized(), e.name());
            }
        }
    }

    @Test
    void extensionIds() {
        assertEquals(1, VfioExtension.TYPE1_IOMMU);
        assertEquals(3, VfioExtension.TYPE1v2_IOMMU);
        assertEquals(4, VfioExtension.DMA_CC_IOMMU);
        assertEquals(9, VfioExtension.UNMAP_ALL);
        assertEquals(10, VfioExtension.UPDATE_VADDR);
    }

    @Test
    void dmaMapGolden() {
        ByteBuffer b = le(32);
        b.putInt(0, 32).putInt(4, VfioIommuType1DmaMap.FLAG_READ | VfioIommuType1DmaMap.FLAG_WRITE)
                .putLong(8, 0x7f00_0000_0000L).putLong(16, 0x10_0000L).putLong(24, 0x4000L);
        assertEquals(new VfioIommuType1DmaMap(32, 3, 0x7f00_0000_0000L, 0x10_0000L, 0x4000L),
                StructCodec.of(VfioIommuType1DmaMap.class).decode(b));
    }

    @Test
    void infoPgsizesIsAt8AndCapOffsetAt16() {
        byte[] out = StructCodec.of(VfioIommuType1Info.class).toBytes(
                new VfioIommuType1Info(16, 0, 0, 0, 0).withOut(64,
                        VfioIommuType1Info.FLAG_PGSIZES | VfioIommuType1Info.FLAG_CAPS, ~0xfffL, 24));
        ByteBuffer b = le(out);
        assertEquals(64, b.getInt(0));
        assertEquals(3, b.getInt(4));
        assertEquals(~0xfffL, b.getLong(8));
        assertEquals(24, b.getInt(16));
    }

    @Test
    void capHeaderIdAndVersionAreU16() {
        ByteBuffer b = le(12);
        b.putShort(0, (short) VfioInfoCapHeader.ID_DMA_AVAIL).putShort(2, (short) 1).putInt(4, 0).putInt(8, -1);
        VfioIommuType1InfoDmaAvail avail = StructCodec.of(VfioIommuType1InfoDmaAvail.class).decode(b);
        assertEquals(3, avail.id());
        assertEquals(1, avail.version());
        assertEquals(-1, avail.avail()); // U32_MAX
        VfioInfoCapHeader h = StructCodec.of(VfioInfoCapHeader.class).decode(b);
        assertEquals(new VfioInfoCapHeader(3, 1, 0), h);
    }

    @Test
    void unmapSizeIsWrittenBack() {
        VfioIommuType1DmaUnmap u = new VfioIommuType1DmaUnmap(24, VfioIommuType1DmaUnmap.FLAG_ALL, 0, 0).withOutSize(0x20_0000L);
        assertEquals(0x20_0000L, le(StructCodec.of(VfioIommuType1DmaUnmap.class).toBytes(u)).getLong(16));
    }
}
