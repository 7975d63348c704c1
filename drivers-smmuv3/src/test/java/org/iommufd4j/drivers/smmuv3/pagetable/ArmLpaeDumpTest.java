package org.iommufd4j.drivers.smmuv3.pagetable;

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
 * Dumps of VMSAv8-64 tables against descriptors written from Arm ARM DDI 0487 D8.3 (bits 1:0
 * type, 4:2 AttrIndx, 7:6 AP[2:1] or S2AP, 5:2 MemAttr, 9:8 SH, 10 AF, 11 nG, 51 DBM, 52
 * Contiguous) and SMMUv3 3.13.3 (DBM with AP[2] clear is writable-dirty, set is writable-clean).
 */
class ArmLpaeDumpTest {
    private final PhysicalMemory memory = new PhysicalMemory(32L << 20, new FailNth());

    @Test
    void aStage1ContiguousDbmEntryShowsEveryItemAndTurnsWritableClean() {
        PageTable pt = new PageTable(new ArmLpaeFormat(LpaeGranule.G4K, false, 48, 48, true, false), memory);
        pt.map(0x10000, 0x123_0000L, 0x1000, 16, Prot.READ | Prot.WRITE); // one 64 KiB contiguous entry
        List<Item> items = PageTableDump.of(pt).leaves();
        assertEquals(16, items.size());
        Item fifth = items.get(5);
        // page 0b11 | AP[1] 0x40 | SH outer 0x200 | AF 0x400 | nG 0x800 | DBM bit 51 | Contiguous bit 52
        assertEquals(0x0018_0000_0123_5E43L, fifth.raw());
        assertEquals(0x123_5000L, fifth.address());
        assertEquals(16, fifth.pageSizeLg2());
        assertEquals(4, fifth.contiguousLg2());
        assertEquals("AP=1(RW,EL0 RW)", fifth.field("AP").orElseThrow().compact());
        assertEquals(DirtyState.DIRTY, fifth.dirty(), "Linux maps writable leaves writable-dirty");
        String line = PageTableDump.of(pt).text().lines().filter(l -> l.contains("0x0018000001235e43")).findFirst().orElseThrow();
        assertTrue(line.endsWith("64K(16x4K) rw dirty  Valid Page AttrIndx=0(Normal-NC) AP=1(RW,EL0 RW) SH=2(outer) AF nG DBM"
                + " Contiguous"), line);

        pt.readAndClearDirty(0x10000, 0x10000, false, (iova, length) -> { }, null);
        Item clean = PageTableDump.of(pt).leaves().get(5);
        assertEquals(0x0018_0000_0123_5EC3L, clean.raw()); // AP[2] set: writable-clean
        assertEquals("AP=3(RO,EL0 RO)", clean.field("AP").orElseThrow().compact());
        assertEquals(DirtyState.CLEAN, clean.dirty());
        assertEquals(Prot.READ | Prot.WRITE, clean.prot() & (Prot.READ | Prot.WRITE), "DBM keeps it writable");
    }

    @Test
    void aStage2PageShowsMemAttrAndS2ap() {
        PageTable pt = new PageTable(ArmLpaeFormat.stage2(LpaeGranule.G4K, 48), memory);
        pt.map(0x3000, 0x9000, 0x1000, 1, Prot.READ | Prot.WRITE | Prot.CACHE);
        PageTableDump d = PageTableDump.of(pt);
        Item leaf = d.leaves().get(0);
        // page 0b11 | MemAttr 0xf << 2 | S2AP 0b11 << 6 | SH inner 0x300 | AF 0x400
        assertEquals(0x9000L | 0x7ff, leaf.raw());
        assertEquals("MemAttr=0xf(Normal-WB)", leaf.field("MemAttr").orElseThrow().compact());
        assertEquals("S2AP=3(RW)", leaf.field("S2AP").orElseThrow().compact());
        Item table = d.root().items().get(0);
        assertEquals(table.address() | 0x3, table.raw());
        assertEquals(List.of("Valid", "Table"), table.fields().stream().map(f -> f.name()).toList());
    }
}
