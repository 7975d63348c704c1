package org.iommufd4j.bench.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.iommufd4j.bench.BenchMachine;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.spi.PagingDomain;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The formats the plugins export, the page sizes swept for them, and the slots the benchmarks map. */
class FormatCatalogTest {
    private final IommufdComponent machine = BenchMachine.create(1L << 30);

    @AfterEach
    void close() {
        machine.drivers().close();
    }

    @Test
    void labelsAndBytesRoundTrip() {
        for (long b : List.of(2048L, 4096L, 16384L, 65536L, 1L << 20, 2L << 20, 32L << 20, 512L << 20, 1L << 30)) {
            assertEquals(b, FormatCatalog.bytes(FormatCatalog.label(b)));
        }
        assertEquals("4K", FormatCatalog.label(4096));
        assertEquals("2M", FormatCatalog.label(2L << 20));
        assertEquals("1G", FormatCatalog.label(1L << 30));
    }

    @Test
    void thePluginsExportEveryVendorsFormatsWithTheirPageSizes() {
        Map<String, PageTableFormat> exported = FormatCatalog.exported(machine);
        for (String name : List.of("amdv1", "amdv2", "vtd-ss-48", "x86-64-48", "arm-lpae-s1-4k", "arm-lpae-s2-64k", "mock")) {
            assertTrue(exported.containsKey(name), name + " not in " + exported.keySet());
        }
        assertEquals(List.of("4K", "2M", "1G"), FormatCatalog.pageSizes(exported.get("vtd-ss-48"), machine.memory()));
        // ARM 4K granule: the contiguous hint gives 64K (16 x 4K) and 32M (16 x 2M).
        assertEquals(List.of("4K", "64K", "2M", "32M", "1G"), FormatCatalog.pageSizes(exported.get("arm-lpae-s1-4k"), machine.memory()));
        // A 39-bit VT-d table cannot hold 256 slots of 256 x 1G: that size is left out, not run and failed.
        assertFalse(FormatCatalog.pageSizes(exported.get("vtd-ss-39"), machine.memory()).contains("1G"));
    }

    @Test
    void slotsNeitherOverlapEachOtherNorTheAnchorsAndFitTheTable() {
        Map<String, PageTableFormat> exported = FormatCatalog.exported(machine);
        for (PageTableFormat f : exported.values()) {
            for (String label : FormatCatalog.pageSizes(f, machine.memory())) {
                long page = FormatCatalog.bytes(label);
                for (int count : new int[] {1, 256}) {
                    PageTable table = new PageTable(f, machine.memory());
                    try {
                        SlotLayout layout = SlotLayout.of(table, page, count);
                        assertNotNull(layout, f.name() + " " + count + " x " + label);
                        // Mapping everything the layout names must succeed: no overlap (EADDRINUSE), in range.
                        for (long anchor : layout.anchorIova) {
                            table.map(anchor, anchor, layout.anchorSize, 1, 3);
                        }
                        for (long slot : layout.slotIova) {
                            assertEquals(0, slot % page, f.name() + " slot 0x" + Long.toHexString(slot) + " is not page aligned");
                            table.map(slot, slot + page, page, count, 3);
                        }
                        long frames = table.tableFrames();
                        for (long slot : layout.slotIova) {
                            assertEquals(page * count, table.unmap(slot, page, count));
                        }
                        if (layout.anchorIova.length > 0) {
                            assertEquals(frames, table.tableFrames(), f.name() + " " + count + " x " + label
                                    + ": the anchors keep every table of the slots");
                        }
                    } finally {
                        table.destroy();
                    }
                }
            }
        }
    }

    @Test
    void domainsComeFromTheDriverThatExportsTheFormat() {
        for (String name : List.of("amdv1", "vtd-ss-48", "x86-64-48", "arm-lpae-s1-4k", "mock-huge")) {
            PagingDomain d = DomainSource.allocate(machine, name, "t");
            try {
                assertEquals(FormatCatalog.named(machine, name).name(), ((PageTableDomain) d).pageTable().format().name(), name);
            } finally {
                d.free();
            }
        }
    }
}
