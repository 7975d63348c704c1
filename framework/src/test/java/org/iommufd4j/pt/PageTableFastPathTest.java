package org.iommufd4j.pt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/**
 * The engine's shortcuts for the common calls (one page, a run of pages inside one leaf table,
 * and the writers' walk cache) must give exactly what the general path gives: the same entries,
 * errors, gathered ranges and freed tables.
 */
class PageTableFastPathTest {
    private static final long K4 = 1L << 12;
    private static final long M2 = 1L << 21;
    private static final int RW = Prot.READ | Prot.WRITE;

    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, new FailNth());
    private final PageTable pt = new PageTable(X8664Format.fourLevel(), memory);

    private Errno errnoOf(Runnable r) {
        return assertThrows(IommufdException.class, r::run).errno();
    }

    @Test
    void walkCacheNeverNamesAFreedTable() {
        long a = 5 * M2 + 3 * K4;
        long b = 9 * M2 + 7 * K4;
        pt.map(a, 0x100000, K4, 1, RW);
        pt.map(a + K4, 0x200000, K4, 1, RW); // through the cache
        long frames = pt.tableFrames();
        pt.unmap(a, K4, 1);
        pt.unmap(a + K4, K4, 1); // empties a's leaf table: it and the tables above it are freed
        assertEquals(4, frames);
        assertEquals(1, pt.tableFrames());
        pt.map(b, 0x300000, K4, 1, RW); // a new leaf table, likely in the frame just freed
        pt.map(a, 0x400000, K4, 1, RW); // must not land in b's table
        assertEquals(0x300000, pt.iovaToPhys(b));
        assertEquals(0x400000, pt.iovaToPhys(a));
        assertEquals(0, pt.iovaToPhys(a + K4));
        assertEquals(0, pt.iovaToPhys(9 * M2 + 3 * K4), "b's table holds only b");
        pt.unmap(a, K4, 1);
        pt.unmap(b, K4, 1);
        assertEquals(1, pt.tableFrames(), "only the top is left");
    }

    @Test
    void singlePageUnderALargePageIsInUseAndWritesNothing() {
        pt.map(4 * M2, 4 * M2, M2, 1, RW);
        assertEquals(Errno.EADDRINUSE, errnoOf(() -> pt.map(4 * M2 + K4, 0, K4, 1, RW)));
        assertEquals(Errno.EINVAL, errnoOf(() -> pt.unmap(4 * M2 + K4, K4, 1)));
        assertEquals(M2, pt.unmap(4 * M2, K4, 1), "an unmap at its start removes the whole large page");
        assertEquals(0, pt.iovaToPhys(4 * M2));
    }

    @Test
    void runWithOneMappedPageFailsWithoutWritingAnyOther() {
        long iova = 2 * M2 + 16 * K4;
        pt.map(iova + 100 * K4, 0x500000, K4, 1, RW);
        IommufdException e = assertThrows(IommufdException.class, () -> pt.map(iova, iova + K4, K4, 256, RW));
        assertEquals(Errno.EADDRINUSE, e.errno());
        assertTrue(e.getMessage().contains(Long.toHexString(iova + 100 * K4)), e.getMessage());
        for (int i = 0; i < 256; i++) {
            assertEquals(i == 100 ? 0x500000 : 0, pt.iovaToPhys(iova + i * K4));
        }
    }

    @Test
    void runThatCanReachALargerPageStillUsesIt() {
        // IOVA and PA agree modulo 2 MiB: the general path must fuse the aligned middle.
        long iova = M2 - 4 * K4;
        pt.map(iova, iova, K4, 4 + 512 + 4, RW);
        Leaf large = pt.lookup(M2);
        assertEquals(M2, large.pageSize());
        // Misaligned by one page: every leaf stays 4 KiB.
        long other = 8 * M2;
        pt.map(other, other + K4, K4, 512, RW);
        assertEquals(K4, pt.lookup(other + 256 * K4).pageSize());
    }

    @Test
    void runUnmapSkipsHolesAndGathersFromFirstToLastEntry() {
        long iova = 3 * M2 + 8 * K4;
        pt.map(3 * M2, 0x800000, K4, 1, RW); // keeps the leaf table
        pt.map(iova + 2 * K4, 0x600000, K4, 10, RW);
        pt.map(iova + 20 * K4, 0x700000, K4, 1, RW);
        IotlbGather gather = new IotlbGather();
        assertEquals(11 * K4, pt.unmap(iova, K4, 64, gather));
        assertEquals(iova + 2 * K4, gather.start());
        assertEquals(iova + 21 * K4 - 1, gather.last());
        assertFalse(gather.tablesFreed());
        assertEquals(Errno.ENOENT, errnoOf(() -> pt.unmap(iova, K4, 64)));
        gather.reset();
        assertEquals(K4, pt.unmap(3 * M2, K4, 64, gather));
        assertTrue(gather.tablesFreed(), "the leaf table became empty and was freed");
        assertEquals(1, pt.tableFrames());
    }

    @Test
    void runUnmapThatLeavesOtherEntriesKeepsTheTable() {
        long iova = 6 * M2;
        pt.map(iova, iova + K4, K4, 300, RW);
        IotlbGather gather = new IotlbGather();
        assertEquals(256 * K4, pt.unmap(iova, K4, 256, gather));
        assertFalse(gather.tablesFreed());
        assertEquals(iova + 257 * K4, pt.iovaToPhys(iova + 256 * K4));
        long frames = pt.tableFrames();
        assertEquals(44 * K4, pt.unmap(iova + 256 * K4, K4, 44));
        assertEquals(frames - 3, pt.tableFrames(), "leaf, level-1 and level-2 tables freed bottom-up");
    }
}
