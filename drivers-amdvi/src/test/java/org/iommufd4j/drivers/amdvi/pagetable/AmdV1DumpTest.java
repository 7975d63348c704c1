package org.iommufd4j.drivers.amdvi.pagetable;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableDump;
import org.iommufd4j.pt.PageTableDump.Item;
import org.iommufd4j.pt.Prot;
import org.junit.jupiter.api.Test;

/**
 * Dumps of AMD-Vi v1 tables against entries written from AMD IOMMU spec 48882 2.2.3: PR bit 0,
 * NextLevel 11:9, address 51:12, FC 60, IR 61, IW 62; a 16 KiB page is NextLevel 7 with address
 * bit 12 set and bit 13 clear (Table 14), replicated into its four 4 KiB items.
 */
class AmdV1DumpTest {
    private final PhysicalMemory memory = new PhysicalMemory(32L << 20, new FailNth());

    @Test
    void aSixteenKPageShowsItsSizeCodeInEveryReplica() {
        PageTable pt = new PageTable(AmdV1Format.linuxDefault(), memory, -1L, (pa, level) -> { });
        pt.map(0x10000, 0x40000, 0x4000, 1, Prot.READ | Prot.WRITE);
        List<Item> items = PageTableDump.of(pt).leaves();
        assertEquals(4, items.size());
        for (Item item : items) {
            // FC (Linux forces coherence) | IW | IR | address 0x40000 | size code bit 12 | NextLevel 7 | PR
            assertEquals(0x7000_0000_0004_1E01L, item.raw());
            assertEquals(14, item.pageSizeLg2());
            assertEquals("NextLevel=7(size in address)", item.field("NextLevel").orElseThrow().compact());
            assertEquals(1, item.field("FC").orElseThrow().value());
        }
        Item top = PageTableDump.of(pt).root().items().get(0);
        assertEquals("NextLevel=2(next table)", top.field("NextLevel").orElseThrow().compact());
        assertEquals(List.of("PR", "A", "NextLevel", "IR", "IW"), top.fields().stream().map(f -> f.name()).toList());
    }
}
