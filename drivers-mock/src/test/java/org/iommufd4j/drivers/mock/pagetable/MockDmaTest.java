package org.iommufd4j.drivers.mock.pagetable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.hw.Access;
import org.iommufd4j.hw.DmaRemapper;
import org.iommufd4j.hw.DriverBugLog;
import org.iommufd4j.hw.Iotlb;
import org.iommufd4j.hw.Translation;
import org.iommufd4j.hw.TranslationRoot;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;
import org.junit.jupiter.api.Test;

/**
 * Device DMA through the mock's 2 KiB pages (selftest.c MOCK_IO_PAGE_SIZE = PAGE_SIZE / 2): the
 * two halves of one 4 KiB IOVA page may map to unrelated frames, so the hardware model must
 * translate, cache and copy per 2 KiB there.
 */
class MockDmaTest {
    private static final long IOVA = 0x10_0000L;
    private static final int HALF = 2048;
    private static final int TAG = 3;

    private final PhysicalMemory memory = new PhysicalMemory(16L << 20, new FailNth());
    private final PageTable table = new PageTable(MockFormat.DEFAULT, memory);
    private final Iotlb iotlb = new Iotlb(16);
    private final DriverBugLog bugs = new DriverBugLog();
    private final DmaRemapper dma = new DmaRemapper(memory, iotlb, bugs);

    MockDmaTest() {
        dma.attach(new TranslationRoot() {
            @Override
            public PageTableFormat format() {
                return MockFormat.DEFAULT;
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
    void theHalvesOfOneIovaPageGoToTheirOwnFrames() {
        long a = memory.allocate(0);
        long b = memory.allocate(0);
        // IOVA page [IOVA, IOVA + 4K): first half -> upper half of frame a, second half -> start of frame b.
        table.map(IOVA, a + HALF, HALF, 1, Prot.READ | Prot.WRITE);
        table.map(IOVA + HALF, b, HALF, 1, Prot.READ | Prot.WRITE);

        Translation first = dma.translate(IOVA + 8, Access.READ);
        assertEquals(HALF, first.granule());
        assertEquals(a + HALF + 8, first.pa(IOVA + 8));
        assertEquals(b + 8, dma.translate(IOVA + HALF + 8, Access.READ).pa(IOVA + HALF + 8),
                "the IOTLB must not serve the first half's translation for the second");

        byte[] data = "crosses the 2 KiB boundary".getBytes(StandardCharsets.US_ASCII);
        dma.write(IOVA + HALF - 8, data, 0, data.length);
        byte[] inA = new byte[8];
        memory.read(a + 4096 - 8, inA, 0, 8);
        assertEquals("crosses ", new String(inA, StandardCharsets.US_ASCII));
        byte[] inB = new byte[data.length - 8];
        memory.read(b, inB, 0, inB.length);
        assertEquals("the 2 KiB boundary", new String(inB, StandardCharsets.US_ASCII));

        for (int pass = 0; pass < 2; pass++) { // the second pass hits the IOTLB
            byte[] back = new byte[data.length];
            dma.read(IOVA + HALF - 8, back, 0, back.length);
            assertArrayEquals(data, back);
        }
        assertTrue(bugs.isEmpty(), "no stale translation: the table did not change");
    }
}
