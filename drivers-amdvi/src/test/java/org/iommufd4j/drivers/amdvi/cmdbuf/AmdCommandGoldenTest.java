package org.iommufd4j.drivers.amdvi.cmdbuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Raw command words for given fields, laid out by hand from spec 48882 §2.4 / Linux amd_iommu_types.h. */
class AmdCommandGoldenTest {
    @Test
    void completionWaitWithStore() {
        // data[0] = addr[31:3] | S; data[1] = addr[51:32] | opcode 1 << 28; data[3]:data[2] = store data
        assertArrayEquals(new long[] {0x1000_0012_3456_7891L, 0x1122_3344_5566_7788L},
                AmdCommand.completionWait(0x12_3456_7890L, 0x1122_3344_5566_7788L));
        assertThrows(IllegalArgumentException.class, () -> AmdCommand.completionWait(0x1004, 1));
    }

    @Test
    void invalidateDevtabEntry() {
        assertArrayEquals(new long[] {0x2000_0000_0000_0010L, 0}, AmdCommand.invalidateDevtabEntry(0x0010));
        assertArrayEquals(new long[] {0x2000_0000_0000_ffffL, 0}, AmdCommand.invalidateDevtabEntry(0xffff));
    }

    @Test
    void invalidateIommuPagesSinglePage() {
        // data[1] DomainID 5 | opcode 3; data[2] addr[31:12] | PDE; S = 0 for one page
        assertArrayEquals(new long[] {0x3000_0005_0000_0000L, 0x0000_0000_1234_5002L},
                AmdCommand.invalidateIommuPages(5, 0x1234_5000L, 4096, true));
        assertArrayEquals(new long[] {0x3000_0005_0000_0000L, 0x0000_00ab_1234_5000L},
                AmdCommand.invalidateIommuPages(5, 0xab_1234_5000L, 4096, false));
    }

    @Test
    void invalidateIommuPagesSizeEncoding() {
        // [0x1000, 0x2fff]: start and end differ first at bit 13 → bits 12 set, bit 13 clear: 16 KiB at 0
        assertArrayEquals(new long[] {0x3000_0001_0000_0000L, 0x0000_0000_0000_1003L},
                AmdCommand.invalidateIommuPages(1, 0x1000, 0x2000, true));
        // one 2 MiB page: bits 19:12 set, bit 20 clear
        assertEquals(0x2f_f001L, AmdCommand.invAddress(0x20_0000, 0x20_0000));
        // past bit 51: CMD_INV_IOMMU_ALL_PAGES_ADDRESS
        assertArrayEquals(new long[] {0x3000_0007_0000_0000L, 0x7fff_ffff_ffff_f003L},
                AmdCommand.invalidateIommuPages(7, 0, AmdCommand.ALL_PAGES_ADDRESS, true));
        assertArrayEquals(new long[] {0x8000_0000_0000_0000L, 0}, AmdCommand.invalidateIommuAll());
    }

    @Test
    void theHardwareDecodesTheBlockTheDriverEncoded() {
        assertArrayEquals(new long[] {0x1000, 0x1fff}, AmdCommand.decodeRange(0x1002));
        assertArrayEquals(new long[] {0, 0x3fff}, AmdCommand.decodeRange(0x1003));
        assertArrayEquals(new long[] {0x20_0000, 0x3f_ffff}, AmdCommand.decodeRange(0x2f_f001));
        assertArrayEquals(new long[] {0, -1L}, AmdCommand.decodeRange(0x7fff_ffff_ffff_f001L));
        // Every encoded range decodes to a block that covers it.
        long[][] ranges = {{0x5000, 0x3000}, {0x7fff_f000L, 0x2000}, {0x1_0000_0000L, 0x40_0000}, {0xff_f000L, 0x1000}};
        for (long[] r : ranges) {
            long[] block = AmdCommand.decodeRange(AmdCommand.invAddress(r[0], r[1]));
            assertEquals(true, Long.compareUnsigned(block[0], r[0]) <= 0
                    && Long.compareUnsigned(block[1], r[0] + r[1] - 1) >= 0, () -> java.util.Arrays.toString(r));
        }
    }
}
