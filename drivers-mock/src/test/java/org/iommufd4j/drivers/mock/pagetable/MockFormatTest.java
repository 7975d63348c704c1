package org.iommufd4j.drivers.mock.pagetable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.Leaf;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/**
 * Golden bits of the mock format, written from the AMD IOMMU spec section 2.2.3 (PTE/PDE fields:
 * PR bit 0, D 6, NextLevel 11:9, address 51:12, IR 61, IW 62; table "Example Page Size
 * Encodings" for NextLevel 7) with the 2 KiB granule of Linux's AMDV1_IOMMUFD_SELFTEST build:
 * the address field counts 2 KiB units, so a size-encoded page of 2^n bytes has address-field
 * bits [n-13:0] set.
 */
class MockFormatTest {
    private static final int RW = Prot.READ | Prot.WRITE;
    private static final long PR_IR_IW = 0x6000_0000_0000_0001L;
    private final PhysicalMemory memory = new PhysicalMemory(32L << 20, new FailNth());

    private List<Leaf> leaves(PageTable pt) {
        List<Leaf> out = new ArrayList<>();
        pt.forEachLeaf(0, 1L << 38, out::add);
        return out;
    }

    @Test
    void granuleLeafHoldsTheAddressIn2kUnits() {
        PageTable pt = new PageTable(MockFormat.DEFAULT, memory);
        pt.map(0x80_0800L, 0x1800, 2048, 1, RW);
        Leaf leaf = pt.lookup(0x80_0800L);
        assertEquals(0, leaf.level());
        assertEquals(PR_IR_IW | (3L << 12), leaf.entry()); // 0x1800 / 2K = 3, NextLevel 0
        assertEquals(0x1800 + 0x7ffL, pt.iovaToPhys(0x80_0fffL));
    }

    @Test
    void fourKPageIsTwoReplicatedSizeEncodedItems() {
        PageTable pt = new PageTable(MockFormat.DEFAULT, memory);
        pt.map(0x1000, 0x2000, 4096, 1, Prot.READ);
        Leaf leaf = pt.lookup(0x1800);
        long expected = 0x2000_0000_0000_0001L | 0xe00 | (4L << 12); // IR, NextLevel 7, code 0
        assertEquals(expected, leaf.entry());
        assertEquals(expected, memory.readLong(leaf.itemPa()));
        assertEquals(expected, memory.readLong(leaf.itemPa() - 8)); // 0x1800 is the second item
        assertEquals(12, leaf.pageSizeLg2());
        assertEquals(0x2abcL, pt.iovaToPhys(0x1abc));
    }

    @Test
    void sixtyFourKPageSetsFiveOnesInTheAddressField() {
        PageTable pt = new PageTable(MockFormat.DEFAULT, memory);
        pt.map(0x10000, 0x30000, 0x10000, 1, RW);
        Leaf leaf = pt.lookup(0x10000);
        // 64K = 2^16: field bits [16-13:0] = [3:0] set, address 0x30000 / 2K = 0x60 (bit 4 is 0... 0x60 = 0b1100000).
        assertEquals(PR_IR_IW | 0xe00 | ((0x60L | 0xf) << 12), leaf.entry());
        assertEquals(0x3_0000L, leaf.pa());
        for (int i = 0; i < 32; i++) {
            assertEquals(leaf.entry(), memory.readLong(leaf.itemPa() + 8L * i));
        }
        assertEquals(0, memory.readLong(leaf.itemPa() + 8L * 32));
    }

    @Test
    void megabytePageIsOneLevelOneItemAndTwoMegIsTwo() {
        PageTable pt = new PageTable(MockFormat.DEFAULT, memory);
        pt.map(1L << 20, 1L << 20, 1L << 20, 1, RW);
        Leaf one = pt.lookup(1L << 20);
        assertEquals(1, one.level());
        assertEquals(PR_IR_IW | (0x200L << 12), one.entry()); // 1M / 2K = 0x200
        pt.map(1L << 21, 1L << 21, 1L << 21, 1, RW);
        Leaf two = pt.lookup(1L << 21);
        assertEquals(PR_IR_IW | 0xe00 | ((0x400L | 0x1ff) << 12), two.entry());
        assertEquals(21, two.pageSizeLg2());
    }

    @Test
    void tableItemsNameTheirLevelAndGrantEverything() {
        PageTable pt = new PageTable(MockFormat.DEFAULT, memory);
        pt.map(0, 0x800, 2048, 1, RW);
        long level2 = memory.readLong(pt.topPa());
        assertEquals(PR_IR_IW | (2L << 9), level2 & ~MockFormat.OA_FIELD);
        long level1Pa = (level2 & MockFormat.OA_FIELD) >>> 1;
        assertEquals(PR_IR_IW | (1L << 9), memory.readLong(level1Pa) & ~MockFormat.OA_FIELD);
    }

    @Test
    void defaultTableTranslates38Bits() {
        PageTable pt = new PageTable(MockFormat.DEFAULT, memory);
        assertEquals(38, pt.vaBits());
        assertEquals(Errno.ERANGE, assertThrows(IommufdException.class,
                () -> pt.map(1L << 38, 0, 2048, 1, RW)).errno());
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                () -> pt.map(0x400, 0, 2048, 1, RW)).errno());
    }

    @Test
    void hugeVariantOffersOnly1mAnd4k() {
        PageTable pt = new PageTable(MockFormat.HUGE, memory);
        assertEquals(MockFormat.HUGE_PAGE_SIZES, pt.pgsizeBitmap());
        pt.map(0, 0, 4096, 512, RW); // 2M: two 1M leaves, not one 2M entry
        assertEquals(List.of(20, 20), leaves(pt).stream().map(Leaf::pageSizeLg2).toList());
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                () -> pt.map(1L << 22, 0, 2048, 1, RW)).errno());
    }

    @Test
    void dirtyInOneReplicaMakesTheWholeEntryDirty() {
        PageTable pt = new PageTable(MockFormat.DEFAULT, memory);
        pt.map(0x10000, 0x30000, 0x10000, 1, RW);
        Leaf leaf = pt.lookup(0x10000);
        long seventh = leaf.itemPa() + 7 * 8;
        memory.writeLong(seventh, memory.readLong(seventh) | MockFormat.D); // hardware dirtied one item
        List<long[]> seen = new ArrayList<>();
        pt.readAndClearDirty(0, 1L << 20, false, (iova, len) -> seen.add(new long[] {iova, len}), null);
        assertEquals(1, seen.size());
        assertEquals(0x10000L, seen.get(0)[0]);
        assertEquals(0x10000L, seen.get(0)[1]);
        assertEquals(leaf.entry(), memory.readLong(seventh));
    }

    @Test
    void growableTopAddsLevelsAndTellsTheDriver() {
        long[] told = new long[2];
        PageTable pt = new PageTable(MockFormat.GROWABLE, memory, -1L, (pa, level) -> {
            told[0] = pa;
            told[1] = level;
        });
        assertEquals(2, pt.topLevel());
        pt.map(0x800, 0x800, 2048, 1, RW);
        long oldTop = pt.topPa();
        pt.map(1L << 40, 0x1000, 2048, 1, RW); // needs level 3 (256 GiB items) above the old top
        assertEquals(3, pt.topLevel());
        assertEquals(pt.topPa(), told[0]);
        assertEquals(3, told[1]);
        // The old top hangs at index 0 of the new one.
        assertEquals(oldTop, (memory.readLong(pt.topPa()) & MockFormat.OA_FIELD) >>> 1);
        assertEquals(0x800L, pt.iovaToPhys(0x800));
        assertEquals(0x1000L, pt.iovaToPhys(1L << 40));
        pt.map(1L << 50, 0x2000, 2048, 1, RW);
        assertEquals(4, pt.topLevel());
        assertEquals(Errno.ERANGE, assertThrows(IommufdException.class,
                () -> pt.map(1L << 56, 0, 2048, 1, RW)).errno());
    }
}
