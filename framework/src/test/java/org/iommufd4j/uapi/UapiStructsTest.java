package org.iommufd4j.uapi;

import static org.iommufd4j.uapi.RecordSamples.assertRoundTrip;
import static org.iommufd4j.uapi.RecordSamples.le;
import static org.iommufd4j.uapi.RecordSamples.sample;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every iommufd.h record against kernel-iommufd.md §2.1/§2.2: the numbers below are copied from
 * the reference, not from the records, so a wrong annotation fails here.
 */
class UapiStructsTest {

    static Stream<Arguments> layouts() {
        return Stream.of(
                // class, C name, sizeof, min_size, starts with u32 size
                Arguments.of(IommuDestroy.class, "iommu_destroy", 8, 8, true),
                Arguments.of(IommuIoasAlloc.class, "iommu_ioas_alloc", 12, 12, true),
                Arguments.of(IommuIoasAllowIovas.class, "iommu_ioas_allow_iovas", 24, 24, true),
                Arguments.of(IommuIoasCopy.class, "iommu_ioas_copy", 40, 40, true),
                Arguments.of(IommuIoasIovaRanges.class, "iommu_ioas_iova_ranges", 32, 32, true),
                Arguments.of(IommuIoasMap.class, "iommu_ioas_map", 40, 40, true),
                Arguments.of(IommuIoasUnmap.class, "iommu_ioas_unmap", 24, 24, true),
                Arguments.of(IommuOption.class, "iommu_option", 24, 24, true),
                Arguments.of(IommuVfioIoas.class, "iommu_vfio_ioas", 12, 12, true),
                Arguments.of(IommuHwptAlloc.class, "iommu_hwpt_alloc", 48, 24, true),
                Arguments.of(IommuHwInfo.class, "iommu_hw_info", 40, 32, true),
                Arguments.of(IommuHwptSetDirtyTracking.class, "iommu_hwpt_set_dirty_tracking", 16, 16, true),
                Arguments.of(IommuHwptGetDirtyBitmap.class, "iommu_hwpt_get_dirty_bitmap", 48, 48, true),
                Arguments.of(IommuHwptInvalidate.class, "iommu_hwpt_invalidate", 32, 32, true),
                Arguments.of(IommuFaultAlloc.class, "iommu_fault_alloc", 16, 16, true),
                Arguments.of(IommuIoasMapFile.class, "iommu_ioas_map_file", 40, 40, true),
                Arguments.of(IommuViommuAlloc.class, "iommu_viommu_alloc", 40, 24, true),
                Arguments.of(IommuVdeviceAlloc.class, "iommu_vdevice_alloc", 24, 24, true),
                Arguments.of(IommuIoasChangeProcess.class, "iommu_ioas_change_process", 8, 8, true),
                Arguments.of(IommuVeventqAlloc.class, "iommu_veventq_alloc", 32, 28, true),
                Arguments.of(IommuHwQueueAlloc.class, "iommu_hw_queue_alloc", 40, 40, true),
                Arguments.of(IommuIovaRange.class, "iommu_iova_range", 16, 16, false),
                Arguments.of(IommuHwptPgfault.class, "iommu_hwpt_pgfault", 40, 40, false),
                Arguments.of(IommuHwptPageResponse.class, "iommu_hwpt_page_response", 8, 8, false),
                Arguments.of(IommufdVeventHeader.class, "iommufd_vevent_header", 8, 8, false));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("layouts")
    <T extends Record> void codecBuildsWithTheKernelSizes(Class<T> type, String name, int size, int minSize, boolean sized) {
        StructCodec<T> codec = StructCodec.of(type);
        assertEquals(name, codec.name());
        assertEquals(size, codec.size(), "sizeof");
        assertEquals(minSize, codec.minSize(), "min_size");
        assertEquals(sized, codec.sized(), "u32 size header");
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("layouts")
    <T extends Record> void roundTripsDistinctValuesAtTheirOffsets(Class<T> type, String name) {
        assertRoundTrip(StructCodec.of(type), sample(type));
    }

    @Test
    void everyCatalogStructAndOtherStructIsInTheLayoutTable() {
        Set<Class<?>> listed = new HashSet<>();
        layouts().forEach(a -> listed.add((Class<?>) a.get()[0]));
        Set<Class<?>> catalogued = new HashSet<>();
        IoctlCatalog.COMMANDS.forEach(e -> catalogued.add(e.struct()));
        catalogued.addAll(IoctlCatalog.OTHER_STRUCTS);
        assertEquals(listed, catalogued);
    }

    // Golden layouts: a value at the offset the reference documents must decode into the field.

    @Test
    void ioasMapIovaIsAt32() {
        ByteBuffer buf = le(40);
        buf.putInt(0, 40).putInt(4, IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.READABLE)
                .putInt(8, 7).putLong(16, 0x7f00_0000_1000L).putLong(24, 0x20_0000L).putLong(32, 0xdead_b000L);
        IommuIoasMap m = StructCodec.of(IommuIoasMap.class).decode(buf);
        assertEquals(new IommuIoasMap(5, 7, 0, 0x7f00_0000_1000L, 0x20_0000L, 0xdead_b000L), m);
    }

    @Test
    void hwInfoMaxPasidIsTheByteAt28AndReservedTheThreeAfter() {
        ByteBuffer buf = le(40);
        buf.putInt(24, IommuHwInfoType.ARM_SMMUV3).put(28, (byte) 20).put(29, (byte) 1).put(31, (byte) 0x80)
                .putLong(32, IommuHwCapabilities.DIRTY_TRACKING | IommuHwCapabilities.PCI_PASID_PRIV);
        IommuHwInfo info = StructCodec.of(IommuHwInfo.class).decode(buf);
        assertEquals(IommuHwInfoType.ARM_SMMUV3, info.dataType());
        assertEquals(20, info.outMaxPasidLog2());
        assertEquals(0x80_0001, info.reserved());
        assertEquals(0b101L, info.outCapabilities());
    }

    @Test
    void hwInfoWithOutWritesPasidAsOneByteLeavingReservedZero() {
        IommuHwInfo answered = new IommuHwInfo(0, 3, 64, 0x1000, 0, 0, 0, 0).withOut(24, IommuHwInfoType.INTEL_VTD, 20, 1L);
        byte[] b = StructCodec.of(IommuHwInfo.class).toBytes(answered);
        assertEquals(24, b[12]);
        assertEquals(IommuHwInfoType.INTEL_VTD, b[24]);
        assertEquals(20, b[28]);
        assertEquals(0, b[29] | b[30] | b[31]);
        assertEquals(1, b[32]);
    }

    @Test
    void hwptAllocFaultIdIsAt40AfterTheU64DataPointer() {
        ByteBuffer buf = le(48);
        buf.putInt(4, IommuHwptAllocFlags.FAULT_ID_VALID).putInt(24, IommuHwptDataType.VTD_S1).putInt(28, 24)
                .putLong(32, 0x5555_0000L).putInt(40, 9).putInt(44, 1);
        IommuHwptAlloc a = StructCodec.of(IommuHwptAlloc.class).decode(buf);
        assertEquals(IommuHwptAllocFlags.FAULT_ID_VALID, a.flags());
        assertEquals(0x5555_0000L, a.dataUptr());
        assertEquals(9, a.faultId());
        assertEquals(1, a.reserved2());
    }

    @Test
    void optionOpAndReservedAreU16() {
        ByteBuffer buf = le(24);
        buf.putInt(4, IommuOptionId.HUGE_PAGES).putShort(8, (short) IommuOptionOps.GET).putShort(10, (short) 0xffff)
                .putInt(12, 3).putLong(16, -1L);
        IommuOption o = StructCodec.of(IommuOption.class).decode(buf);
        assertEquals(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.GET, 0xffff, 3, -1L), o);
    }

    @Test
    void mapFileFdIsSigned() {
        ByteBuffer buf = le(40);
        buf.putInt(12, -1);
        assertEquals(-1, StructCodec.of(IommuIoasMapFile.class).decode(buf).fd());
    }

    @Test
    void unmapLengthAndInvalidateEntryNumAreWrittenBack() {
        byte[] u = StructCodec.of(IommuIoasUnmap.class).toBytes(new IommuIoasUnmap(1, 0, -1L).withOutLength(0x3000));
        assertEquals(0x3000L, le(u).getLong(16));
        byte[] inv = StructCodec.of(IommuHwptInvalidate.class)
                .toBytes(new IommuHwptInvalidate(2, 0x1000, 0, 16, 4, 0).withOutEntryNum(3));
        assertEquals(3, le(inv).getInt(24));
    }

    @Test
    void withOutCopiesChangeOnlyTheOutputFields() {
        assertEquals(new IommuIoasMap(6, 1, 0, 0x1000, 0x2000, 0x4000),
                new IommuIoasMap(6, 1, 0, 0x1000, 0x2000, 0).withOutIova(0x4000));
        assertEquals(new IommuIoasCopy(2, 1, 3, 0x1000, 0x9000, 0x5000),
                new IommuIoasCopy(2, 1, 3, 0x1000, 0, 0x5000).withOutDstIova(0x9000));
        assertEquals(new IommuIoasIovaRanges(1, 4, 0, 0x100, 4096),
                new IommuIoasIovaRanges(1, 2, 0, 0x100, 0).withOut(4, 4096));
        assertEquals(new IommuOption(0, 1, 0, 0, 1), new IommuOption(0, 1, 0, 0, 0).withOutVal64(1));
        assertEquals(new IommuVfioIoas(5, 0, 0), new IommuVfioIoas(0, 0, 0).withOutIoasId(5));
        assertEquals(new IommuFaultAlloc(0, 4, 9), new IommuFaultAlloc(0, 0, 0).withOut(4, 9));
        assertEquals(new IommuVeventqAlloc(0, 2, 1, 8, 3, 11, 0), new IommuVeventqAlloc(0, 2, 1, 8, 0, 0, 0).withOut(3, 11));
        assertEquals(7, new IommuHwptAlloc(0, 1, 2, 0, 0, 0, 0, 0, 0, 0).withOutHwptId(7).outHwptId());
        assertEquals(7, new IommuViommuAlloc(0, 1, 1, 2, 0, 0, 0, 0).withOutViommuId(7).outViommuId());
        assertEquals(7, new IommuVdeviceAlloc(1, 2, 0, 0x10).withOutVdeviceId(7).outVdeviceId());
        assertEquals(7, new IommuHwQueueAlloc(0, 1, 1, 0, 0, 0x1000, 0x1000).withOutHwQueueId(7).outHwQueueId());
    }

    @Test
    void mapFlagValuesAreTheKernels() {
        // enum iommufd_ioas_map_flags (kernel-iommufd.md §2.2)
        assertEquals(1, IommuIoasMapFlags.FIXED_IOVA);
        assertEquals(2, IommuIoasMapFlags.WRITEABLE);
        assertEquals(4, IommuIoasMapFlags.READABLE);
        assertEquals(8, IommuHwptAllocFlags.PASID);
        assertEquals(4, IommuHwptAllocFlags.FAULT_ID_VALID);
        assertEquals(2, IommuVfioIoasOp.CLEAR);
        assertEquals(1, IommuOptionOps.GET);
        assertEquals(4, IommuHwInfoType.AMD);
        assertEquals(3, IommuHwptDataType.AMD_GUEST);
        assertEquals(8L, IommuHwCapabilities.PCI_ATS_NOT_SUPPORTED);
        assertEquals(1, IommuHwptInvalidateDataType.VIOMMU_ARM_SMMUV3);
        assertEquals(8, IommuHwptPgfaultPerm.PRIV);
        assertEquals(2, IommuHwptPgfaultFlags.LAST_PAGE);
        assertEquals(1, IommuPageResponseCode.INVALID);
        assertEquals(2, IommuViommuType.TEGRA241_CMDQV);
        assertEquals(2, IommuVeventqType.TEGRA241_CMDQV);
        assertEquals(1, IommuHwQueueType.TEGRA241_CMDQV);
    }
}
