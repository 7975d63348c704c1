package org.iommufd4j.hw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.pt.format.X8664Format;
import org.junit.jupiter.api.Test;

/** Device DMA through real page tables in host memory, the IOTLB and the stale-entry checker. */
class DmaRemapperTest {
    private static final int TAG = 7;
    private static final long IOVA = 0x4000_0000L;

    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, new FailNth());
    private final PageTableFormat format = X8664Format.fourLevel();
    private final PageTable table = new PageTable(format, memory);
    private final Iotlb iotlb = new Iotlb(64);
    private final DriverBugLog bugs = new DriverBugLog();
    private final DmaRemapper dma = new DmaRemapper(memory, iotlb, bugs);

    DmaRemapperTest() {
        dma.attach(new TranslationRoot() {
            @Override
            public PageTableFormat format() {
                return format;
            }

            @Override
            public long rootPa() {
                return table.topPa();
            }

            @Override
            public int topLevel() {
                return table.topLevel();
            }

            @Override
            public int tag() {
                return TAG;
            }
        });
    }

    @Test
    void aDeviceWriteLandsInTheMappedFrameAcrossPages() {
        long a = memory.allocate(0);
        long b = memory.allocate(0);
        table.map(IOVA, a, 4096, 1, Prot.READ | Prot.WRITE);
        table.map(IOVA + 4096, b, 4096, 1, Prot.READ | Prot.WRITE);
        byte[] data = "crosses a page boundary".getBytes(StandardCharsets.US_ASCII);
        dma.write(IOVA + 4090, data, 0, data.length);

        byte[] inA = new byte[6];
        memory.read(a + 4090, inA, 0, 6);
        assertEquals("crosse", new String(inA, StandardCharsets.US_ASCII));
        byte[] back = new byte[data.length];
        dma.read(IOVA + 4090, back, 0, back.length);
        assertArrayEquals(data, back);
    }

    @Test
    void permissionsAndHolesFault() {
        long a = memory.allocate(0);
        table.map(IOVA, a, 4096, 1, Prot.READ);
        byte[] one = {1};
        assertEquals(DmaFault.Reason.PERMISSION, assertThrows(DmaFault.class, () -> dma.write(IOVA, one, 0, 1)).reason());
        assertEquals(DmaFault.Reason.NOT_PRESENT, assertThrows(DmaFault.class, () -> dma.read(IOVA + 4096, one, 0, 1)).reason());
        dma.attach(null);
        assertEquals(DmaFault.Reason.BLOCKED, assertThrows(DmaFault.class, () -> dma.read(IOVA, one, 0, 1)).reason());
    }

    @Test
    void aFormatWithoutDirtyTrackingKeepsItsLeafAsWritten() {
        // x86-64 leaves are installed with A and D already set (generic_pt fmt/x86_64.h), and the
        // format reports no dirty tracking: the walker must not rewrite them.
        long a = memory.allocate(0);
        table.map(IOVA, a, 4096, 1, Prot.READ | Prot.WRITE);
        Translation t = dma.translate(IOVA, Access.READ);
        long before = memory.readLong(t.itemPa());
        dma.write(IOVA, new byte[] {1}, 0, 1);
        assertEquals(before, memory.readLong(t.itemPa()));
    }

    @Test
    void anUnmapWithoutInvalidationIsReportedAsADriverBug() {
        long a = memory.allocate(0);
        table.map(IOVA, a, 4096, 1, Prot.READ | Prot.WRITE);
        byte[] buf = new byte[8];
        dma.read(IOVA, buf, 0, 8);
        assertEquals(1, iotlb.size());

        table.unmap(IOVA, 4096, 1);
        dma.read(IOVA, buf, 0, 8); // served from the stale IOTLB entry, as hardware would
        assertEquals(1, bugs.staleTranslations().size());
        StaleTranslation bug = bugs.staleTranslations().get(0);
        assertEquals(a, bug.cached().paPage());
        assertEquals(null, bug.current());
        assertTrue(bug.toString().contains("did not invalidate"));
    }

    @Test
    void anUnmapFollowedByItsInvalidationFaultsCleanly() {
        long a = memory.allocate(0);
        table.map(IOVA, a, 4096, 1, Prot.READ | Prot.WRITE);
        byte[] buf = new byte[8];
        dma.read(IOVA, buf, 0, 8);
        IotlbGather gather = new IotlbGather();
        table.unmap(IOVA, 4096, 1, gather);
        iotlb.invalidateRange(TAG, gather.start(), gather.last());
        assertEquals(0, iotlb.size());
        assertThrows(DmaFault.class, () -> dma.read(IOVA, buf, 0, 8));
        assertTrue(bugs.isEmpty());
    }

    @Test
    void largePagesTranslateEveryOffset() {
        long block = memory.allocate(9); // 2 MiB, naturally aligned
        table.map(0x20_0000L, block, 2 << 20, 1, Prot.READ | Prot.WRITE);
        Translation t = dma.translate(0x20_0000L + 0x12_3456L, Access.READ);
        assertEquals(21, t.pageSizeLg2());
        assertEquals(block + 0x12_3456L, t.pa(0x20_0000L + 0x12_3456L));
    }
}
