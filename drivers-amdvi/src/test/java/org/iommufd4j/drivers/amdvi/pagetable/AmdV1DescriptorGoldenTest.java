package org.iommufd4j.drivers.amdvi.pagetable;

import static org.iommufd4j.spi.IommuProt.READ;
import static org.iommufd4j.spi.IommuProt.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Raw AMD-Vi v1 entries written by hand from the AMD IOMMU Specification (48882), 2.2.3 "I/O
 * Page Tables for Host Translations": PTE/PDE bit 0 PR, 6 D, 11:9 NextLevel, 51:12 address,
 * 60 FC, 61 IR, 62 IW; Table 14 "Example Page Size Encodings" for NextLevel = 7.
 */
class AmdV1DescriptorGoldenTest {
    private static final long RW = AmdV1Descriptor.leafAttributes(READ | WRITE, false);

    @Test
    void fourKilobytePteIsPresentDefaultSizeWithIrIw() {
        assertEquals(0x6000_0000_1234_5001L, AmdV1Descriptor.leaf(0x1234_5000L, 12, 12, RW));
    }

    @Test
    void permissionsAndForceCoherence() {
        assertEquals(0x2000_0000_1234_5001L, AmdV1Descriptor.leaf(0x1234_5000L, 12, 12, AmdV1Descriptor.leafAttributes(READ, false)));
        assertEquals(0x4000_0000_1234_5001L, AmdV1Descriptor.leaf(0x1234_5000L, 12, 12, AmdV1Descriptor.leafAttributes(WRITE, false)));
        assertEquals(0x7000_0000_1234_5001L, AmdV1Descriptor.leaf(0x1234_5000L, 12, 12, AmdV1Descriptor.leafAttributes(READ | WRITE, true)));
    }

    @Test
    void defaultSizePagesAtHigherLevelsKeepNextLevelZero() {
        // 2 MiB in a level-2 (generic level 1) table, 1 GiB in a level-3 table
        assertEquals(0x6000_0000_4020_0001L, AmdV1Descriptor.leaf(0x4020_0000L, 21, 21, RW));
        assertEquals(0x6000_0000_C000_0001L, AmdV1Descriptor.leaf(0xC000_0000L, 30, 30, RW));
    }

    @Test
    void table14SizeEncodingsForNextLevel7() {
        // 8K: NL=7, bit 12 = 0
        assertEquals(0x6000_0000_1234_4E01L, AmdV1Descriptor.leaf(0x1234_4000L, 13, 12, RW));
        // 16K: bit 12 = 1, bit 13 = 0
        assertEquals(0x6000_0000_1234_5E01L, AmdV1Descriptor.leaf(0x1234_4000L, 14, 12, RW));
        // 64K: bits 14:12 = 111b, bit 15 = 0
        assertEquals(0x6000_0000_4001_7E01L, AmdV1Descriptor.leaf(0x4001_0000L, 16, 12, RW));
        // 1M: bits 18:12 ones, bit 19 = 0
        assertEquals(0x6000_0000_4017_FE01L, AmdV1Descriptor.leaf(0x4010_0000L, 20, 12, RW));
        // 4M in a 2M-item table: bits 20:12 ones, bit 21 = 0
        assertEquals(0x6000_0000_801F_FE01L, AmdV1Descriptor.leaf(0x8000_0000L, 22, 21, RW));
        // 4G: bits 30:12 ones, bit 31 = 0 (the spec's own 4 Gbyte example)
        assertEquals(0x6000_0001_7FFF_FE01L, AmdV1Descriptor.leaf(0x1_0000_0000L, 32, 30, RW));
        // 1T: bits 38:12 ones, bit 39 = 0; address bits 51:32 carry sizes above 4G
        assertEquals(0x6000_017F_FFFF_FE01L, AmdV1Descriptor.leaf(0x100_0000_0000L, 40, 39, RW));
    }

    @Test
    void sizeAndAddressDecodeFromNextLevel7Entries() {
        for (int itemLg2 : new int[] {12, 21, 30, 39, 48}) {
            for (int size = itemLg2; size <= Math.min(51, itemLg2 + 8); size++) {
                long oa = 0x5L << size & AmdV1Descriptor.OA_MASK;
                long entry = AmdV1Descriptor.leaf(oa, size, itemLg2, RW);
                assertEquals(size, AmdV1Descriptor.leafSizeLg2(entry, itemLg2), "size 2^" + size);
                assertEquals(oa, AmdV1Descriptor.leafOa(entry, itemLg2), "oa for size 2^" + size);
                assertFalse(AmdV1Descriptor.isTable(itemLg2 == 12 ? 0 : 1, entry));
            }
        }
    }

    @Test
    void pdeCarriesTheChildsAmdLevelAndGrantsReadWrite() {
        // A PDE in a generic level-1 (AMD level 2) table points at an AMD level-1 table: NL=1.
        long pde = AmdV1Descriptor.table(1, 0x0ABC_D000L);
        assertEquals(0x6000_0000_0ABC_D201L, pde);
        assertTrue(AmdV1Descriptor.isTable(1, pde));
        assertEquals(0x0ABC_D000L, AmdV1Descriptor.tablePa(pde));
        // mode-6 root (generic level 5) pointing at an AMD level-5 table: NL=5
        assertEquals(0x6000_0000_0ABC_DA01L, AmdV1Descriptor.table(5, 0x0ABC_D000L));
    }

    @Test
    void dirtyBitIsBit6() {
        assertEquals(0x40L, AmdV1Descriptor.D);
        assertEquals(0x20L, AmdV1Descriptor.A);
    }
}
