package org.iommufd4j.drivers.mock.pagetable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableDump;
import org.iommufd4j.pt.PageTableDump.DirtyState;
import org.iommufd4j.pt.PageTableDump.Item;
import org.iommufd4j.pt.Prot;
import org.junit.jupiter.api.Test;

/**
 * The dump of the mock (AMD-Vi v1 with a 2 KiB granule) table, against entries written from the
 * AMD IOMMU spec section 2.2.3: PR bit 0, D 6, NextLevel 11:9, address 51:12 (here in 2 KiB
 * units), IR 61, IW 62; a non-default page size is NextLevel 7 with the size as a run of ones in
 * the low address bits, replicated into every item it spans.
 */
class MockDumpTest {
    private static final int RW = Prot.READ | Prot.WRITE;
    private final PhysicalMemory memory = new PhysicalMemory(32L << 20, new FailNth());
    private final PageTable pt = new PageTable(MockFormat.DEFAULT, memory);

    @Test
    void aContiguousEntryShowsEveryReplicaWithItsSizeCode() {
        pt.map(0, 0x10000, 0x2000, 1, RW); // 8 KiB: four 2 KiB items
        List<Item> items = PageTableDump.of(pt).leaves();
        assertEquals(4, items.size());
        // IW | IR | address field 0x10000 >> 11 = 0x20 at bit 12 | size code 1 (bit 12) | NextLevel 7 | PR
        long expected = (1L << 62) | (1L << 61) | (0x20L << 12) | (1L << 12) | (7L << 9) | 1;
        assertEquals(0x6000_0000_0002_1e01L, expected);
        for (int i = 0; i < 4; i++) {
            Item item = items.get(i);
            assertEquals(i, item.index());
            assertEquals(expected, item.raw(), "replica " + i);
            assertEquals(13, item.pageSizeLg2());
            assertEquals(2, item.contiguousLg2());
            assertEquals(0x10000L + i * 0x800, item.address());
            assertEquals(i * 0x800L, item.iova());
            assertEquals(7, item.field("NextLevel").orElseThrow().value());
            assertEquals("NextLevel=7(size in address)", item.field("NextLevel").orElseThrow().compact());
        }
        String text = PageTableDump.of(pt).text();
        assertTrue(text.startsWith("mock page table: 3 levels, top L2 at 0x"), text);
        assertTrue(text.lines().findFirst().orElseThrow().contains(", 38-bit IOVA, 51-bit OA;"), text); // 11 + 3 * 9 bits
        assertTrue(text.contains("0x6000000000021e01 leaf  iova 0x0000000000000800-0x0000000000000fff -> pa 0x0000000000010800 "
                + "8K(4x2K) rw clean  PR NextLevel=7(size in address) IR IW"), text);
    }

    @Test
    void tableItemsCarryTheNextLevelAndDirtyShowsD() {
        pt.map(0x4000, 0x3800, 0x800, 1, RW);
        PageTableDump d = PageTableDump.of(pt);
        Item top = d.root().items().get(0);
        // A level-2 PDE: NextLevel 2 (the AMD level of the table it points to), IR | IW | PR.
        assertEquals((1L << 62) | (1L << 61) | ((top.address() >>> 11) << 12) | (2L << 9) | 1, top.raw());
        assertEquals("NextLevel=2(next table)", top.field("NextLevel").orElseThrow().compact());
        Item leaf = d.leaves().get(0);
        assertEquals((1L << 62) | (1L << 61) | (7L << 12) | 1, leaf.raw());
        assertEquals(8, leaf.index());
        assertEquals(DirtyState.CLEAN, leaf.dirty());

        pt.setDirty(0x4000);
        Item dirty = PageTableDump.of(pt).leaves().get(0);
        assertEquals(leaf.raw() | (1L << 6), dirty.raw());
        assertEquals(DirtyState.DIRTY, dirty.dirty());
    }

    @Test
    void aGrownTopIsWalkedFromTheNewRoot() {
        PageTable grow = new PageTable(MockFormat.GROWABLE, memory, -1L, (pa, level) -> { });
        grow.map(1L << 50, 0x800, 0x800, 1, RW);
        PageTableDump d = PageTableDump.of(grow);
        assertEquals(4, d.topLevel());
        assertEquals(grow.topPa(), d.rootPa());
        assertEquals(56, d.vaBits());
        Item leaf = d.leaves().get(0);
        assertEquals(1L << 50, leaf.iova());
        assertEquals(0x800, leaf.address());
        assertEquals(5, d.tableCount());
        assertTrue(d.text().startsWith("mock-grow page table: 5 levels"), d.text());
    }
}
