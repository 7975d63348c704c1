package org.iommufd4j.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/**
 * {@link PageTable#mapPages}: scattered frames at consecutive IOVAs, across leaf tables that exist
 * and ones it must allocate; all or nothing, with exactly what it mapped undone on failure.
 */
class PageTableMapPagesTest {
    private static final long K4 = 1L << 12;
    private static final long M2 = 1L << 21;
    private static final int RW = Prot.READ | Prot.WRITE;

    private final FailNth failNth = new FailNth();
    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, failNth);
    private final PageTable pt = new PageTable(X8664Format.fourLevel(), memory);

    /** Frames in reverse order, so no two neighbours are contiguous. */
    private static long[] scattered(int count) {
        long[] pas = new long[count + 2];
        for (int i = 0; i < count; i++) {
            pas[i + 1] = (0x40000L - i) * K4;
        }
        return pas;
    }

    private Errno errnoOf(Runnable r) {
        return assertThrows(IommufdException.class, r::run).errno();
    }

    @Test
    void mapsEachPageToItsFrameAcrossLeafTables() {
        long iova = 3 * M2 - 5 * K4; // starts 5 pages before a leaf table boundary, crosses two more
        int count = 5 + 512 + 7;
        long[] pas = scattered(count);
        pt.map(3 * M2 + 100 * K4, 0x123000, K4, 1, RW); // the middle leaf table exists already
        pt.unmap(3 * M2 + 100 * K4, K4, 1);
        pt.map(3 * M2 + 600 * K4, 0x123000, K4, 1, RW); // keeps the third leaf table alive
        pt.mapPages(iova, pas, 1, count, K4, RW, null);
        for (int i = 0; i < count; i++) {
            assertEquals(pas[i + 1], pt.iovaToPhys(iova + i * K4), "page " + i);
            assertEquals(K4, pt.lookup(iova + i * K4).pageSize());
        }
        assertEquals(0, pt.iovaToPhys(iova - K4));
        assertEquals(0, pt.iovaToPhys(iova + count * K4));
        assertEquals(count * K4, pt.unmap(iova, K4, count));
        pt.unmap(3 * M2 + 600 * K4, K4, 1);
        assertEquals(1, pt.tableFrames(), "only the top is left");
    }

    @Test
    void pageInUseUndoesExactlyWhatTheCallMapped() {
        long iova = 7 * M2 - 3 * K4;
        int count = 3 + 512 + 10;
        long inUse = 7 * M2 + 200 * K4; // in the full leaf table in the middle
        pt.map(inUse, 0x777000, K4, 1, RW);
        long frames = pt.tableFrames();
        long[] pas = scattered(count);
        IommufdException e = assertThrows(IommufdException.class, () -> pt.mapPages(iova, pas, 1, count, K4, RW, null));
        assertEquals(Errno.EADDRINUSE, e.errno());
        assertEquals(frames, pt.tableFrames(), "tables the call allocated are freed");
        for (int i = 0; i < count; i++) {
            long va = iova + i * K4;
            assertEquals(va == inUse ? 0x777000 : 0, pt.iovaToPhys(va), "page " + i);
        }
    }

    @Test
    void tableAllocationFailureUndoesTheEarlierPages() {
        long iova = 11 * M2 - 4 * K4;
        long[] pas = scattered(8);
        long frames = pt.tableFrames();
        // The first page allocates three tables (levels 3 to 1); the fifth needs a new leaf table: the 4th allocation.
        failNth.arm(4);
        assertEquals(Errno.ENOMEM, errnoOf(() -> pt.mapPages(iova, pas, 1, 8, K4, RW, null)));
        failNth.disarm();
        assertEquals(frames, pt.tableFrames());
        for (int i = 0; i < 8; i++) {
            assertEquals(0, pt.iovaToPhys(iova + i * K4));
        }
    }

    @Test
    void badArgumentsChangeNothing() {
        long[] pas = scattered(4);
        pas[3] += 0x800; // not 4 KiB aligned
        assertEquals(Errno.EINVAL, errnoOf(() -> pt.mapPages(M2, pas, 1, 4, K4, RW, null)));
        assertEquals(Errno.EINVAL, errnoOf(() -> pt.mapPages(M2 + 0x800, scattered(4), 1, 4, K4, RW, null)));
        assertEquals(Errno.EINVAL, errnoOf(() -> pt.mapPages(M2, scattered(4), 1, 4, K4, 0, null)));
        long[] far = scattered(4);
        far[2] = 1L << 60; // beyond the output width
        assertEquals(Errno.ERANGE, errnoOf(() -> pt.mapPages(M2, far, 1, 4, K4, RW, null)));
        long[] negative = scattered(4);
        negative[4] = -K4;
        assertEquals(Errno.ERANGE, errnoOf(() -> pt.mapPages(M2, negative, 1, 4, K4, RW, null)));
        assertEquals(1, pt.tableFrames());
        assertEquals(0, pt.iovaToPhys(M2));
    }
}
