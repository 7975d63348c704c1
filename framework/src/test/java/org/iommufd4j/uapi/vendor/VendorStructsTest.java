package org.iommufd4j.uapi.vendor;

import static org.iommufd4j.uapi.RecordSamples.assertRoundTrip;
import static org.iommufd4j.uapi.RecordSamples.le;
import static org.iommufd4j.uapi.RecordSamples.sample;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.stream.Stream;
import org.iommufd4j.uapi.StructCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Vendor user-data structs against pagetable-formats.md §2.6, §3.6, §4.6 (sizes written from the C layouts there). */
class VendorStructsTest {

    static Stream<Arguments> layouts() {
        return Stream.of(
                Arguments.of(IommuHwptVtdS1.class, "iommu_hwpt_vtd_s1", 24),
                Arguments.of(IommuHwInfoVtd.class, "iommu_hw_info_vtd", 24),
                Arguments.of(IommuHwptVtdS1Invalidate.class, "iommu_hwpt_vtd_s1_invalidate", 24),
                Arguments.of(IommuHwInfoArmSmmuv3.class, "iommu_hw_info_arm_smmuv3", 40),
                Arguments.of(IommuHwptArmSmmuv3.class, "iommu_hwpt_arm_smmuv3", 16),
                Arguments.of(IommuViommuArmSmmuv3Invalidate.class, "iommu_viommu_arm_smmuv3_invalidate", 16),
                Arguments.of(IommuVeventArmSmmuv3.class, "iommu_vevent_arm_smmuv3", 32),
                Arguments.of(IommuHwInfoAmd.class, "iommu_hw_info_amd", 16),
                Arguments.of(IommuHwptAmdGuest.class, "iommu_hwpt_amd_guest", 32));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("layouts")
    <T extends Record> void buildsUnsizedWithTheCSize(Class<T> type, String name, int size) {
        StructCodec<T> codec = StructCodec.of(type);
        assertEquals(name, codec.name());
        assertEquals(size, codec.size());
        assertEquals(size, codec.minSize());
        assertFalse(codec.sized());
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("layouts")
    <T extends Record> void roundTrips(Class<T> type) {
        assertRoundTrip(StructCodec.of(type), sample(type));
    }

    @Test
    void vtdS1AddrWidthIsAt16AfterTwoU64s() {
        ByteBuffer b = le(24);
        b.putLong(0, IommuHwptVtdS1Flags.SRE | IommuHwptVtdS1Flags.WPE).putLong(8, 0x1234_5000L).putInt(16, 48);
        assertEquals(new IommuHwptVtdS1(5L, 0x1234_5000L, 48, 0), StructCodec.of(IommuHwptVtdS1.class).decode(b));
    }

    @Test
    void smmuv3IdrArrayStartsAt8AndAidrIsLast() {
        ByteBuffer b = le(40);
        for (int i = 0; i < 6; i++) {
            b.putInt(8 + 4 * i, 0x100 + i);
        }
        b.putInt(32, 0x43b).putInt(36, 0x1);
        IommuHwInfoArmSmmuv3 info = StructCodec.of(IommuHwInfoArmSmmuv3.class).decode(b);
        for (int i = 0; i < 6; i++) {
            assertEquals(0x100 + i, info.idr(i));
        }
        assertEquals(0x43b, info.iidr());
        assertEquals(1, info.aidr());
        assertThrows(IndexOutOfBoundsException.class, () -> info.idr(6));
    }

    @Test
    void leWordArraysKeepTheirOrder() {
        ByteBuffer b = le(32);
        b.putLong(0, 0x10L).putLong(8, -2L).putLong(16, 0x30L).putLong(24, Long.MIN_VALUE);
        assertArrayEquals(new long[] {0x10L, -2L, 0x30L, Long.MIN_VALUE},
                StructCodec.of(IommuHwptAmdGuest.class).decode(b).dte());
        assertArrayEquals(new long[] {0x10L, 0x30L, Long.MIN_VALUE, 0},
                StructCodec.of(IommuVeventArmSmmuv3.class).decode(le(32).putLong(0, 0x10L).putLong(8, 0x30L).putLong(16, Long.MIN_VALUE)).evt());
        assertArrayEquals(new long[] {-2L, 0x10L},
                StructCodec.of(IommuHwptArmSmmuv3.class).decode(le(16).putLong(0, -2L).putLong(8, 0x10L)).ste());
        assertArrayEquals(new long[] {7L, 9L},
                StructCodec.of(IommuViommuArmSmmuv3Invalidate.class).decode(le(16).putLong(0, 7L).putLong(8, 9L)).cmd());
    }

    @Test
    void vendorConstantsAreTheKernels() {
        assertEquals(1, IommuHwInfoVtdFlags.ERRATA_772415_SPR17);
        assertEquals(1, IommuHwInfoArmSmmuv3Flags.ERRATA_REPEAT_TLBI_CFGI);
        assertEquals(1, IommuHwptVtdS1InvalidateFlags.LEAF);
        assertEquals(2L, IommuHwptVtdS1Flags.EAFE);
    }
}
