package org.iommufd4j.drivers.vtd.pagetable;

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
 * The dump of a VT-d second-stage table with force-snoop, against entries written from VT-d spec
 * section 9.8 "Second-Stage Paging Entries": R bit 0, W 1, X 2, EMT 5:3, IPAT 6, PS 7, A 8, D 9,
 * SNP 11, address 51:12; tables R|W|address.
 */
class VtdSecondStageDumpTest {
    private final PhysicalMemory memory = new PhysicalMemory(32L << 20, new FailNth());
    private final PageTable pt = new PageTable(VtdSecondStageFormat.of(4).withForceSnoop(), memory);

    @Test
    void leavesShowSnoopPageSizeAndDirtyFromTheSpec() {
        pt.map(1L << 21, 0x4000_0000L, 1L << 21, 1, Prot.READ | Prot.WRITE);
        pt.map(0x1000, 0x5000, 0x1000, 1, Prot.READ);
        List<Item> leaves = PageTableDump.of(pt).leaves();
        assertEquals(2, leaves.size());

        Item pte = leaves.get(0);
        assertEquals(0x5000L | 0x1 | 0x800, pte.raw()); // R | SNP
        assertEquals(1, pte.field("SNP").orElseThrow().value());
        assertEquals(0, pte.field("W").orElseThrow().value());
        assertEquals("EMT=0(UC)", pte.field("EMT").orElseThrow().compact());
        assertEquals(DirtyState.CLEAN, pte.dirty());

        Item pde = leaves.get(1);
        assertEquals(0x4000_0000L | 0x1 | 0x2 | 0x80 | 0x800, pde.raw()); // R | W | PS | SNP
        assertEquals(0x4000_0883L, pde.raw());
        assertEquals(1, pde.field("PS").orElseThrow().value());
        assertEquals(21, pde.pageSizeLg2());
        assertEquals(0x4000_0000L, pde.address());

        pt.setDirty((1L << 21) + 0x1234); // a device write: the walker sets D (bit 9)
        Item dirty = PageTableDump.of(pt).leaves().get(1);
        assertEquals(0x4000_0883L | 0x200, dirty.raw());
        assertEquals(DirtyState.DIRTY, dirty.dirty());
        assertEquals(1, dirty.field("D").orElseThrow().value());
    }

    @Test
    void tablesAreReadWriteWithTheNextTablesAddress() {
        pt.map(0, 0x9000, 0x1000, 1, Prot.READ);
        PageTableDump d = PageTableDump.of(pt);
        Item pml4e = d.root().items().get(0);
        assertEquals(pml4e.address() | 0x3, pml4e.raw());
        assertEquals(List.of("R", "W", "X", "A"), pml4e.fields().stream().map(f -> f.name()).toList());
        String text = d.text();
        assertTrue(text.contains("0x0000000000009801 leaf"), text);
        assertTrue(text.lines().anyMatch(l -> l.contains("0x0000000000009801") && l.endsWith("R EMT=0(UC) SNP")), text);
    }
}
