package org.iommufd4j.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

class PageTableDomainTest {
    private static final int RW = IommuProt.READ | IommuProt.WRITE;
    private final FailNth failNth = new FailNth();
    private final PhysicalMemory memory = new PhysicalMemory(16L << 20, failNth);
    private final List<long[]> flushes = new ArrayList<>();
    private final PageTableDomain domain = new PageTableDomain(new PageTable(X8664Format.fourLevel(), memory), 0,
            (1L << 47) - 1, g -> flushes.add(new long[] {g.start(), g.last(), g.tablesFreed() ? 1 : 0}));

    @Test
    void iommuProtValuesAreTheEngines() {
        assertEquals(org.iommufd4j.pt.Prot.READ, IommuProt.READ);
        assertEquals(org.iommufd4j.pt.Prot.WRITE, IommuProt.WRITE);
        assertEquals(org.iommufd4j.pt.Prot.CACHE, IommuProt.CACHE);
        assertEquals(org.iommufd4j.pt.Prot.NOEXEC, IommuProt.NOEXEC);
        assertEquals(org.iommufd4j.pt.Prot.MMIO, IommuProt.MMIO);
        assertEquals(org.iommufd4j.pt.Prot.PRIV, IommuProt.PRIV);
    }

    @Test
    void unmapFlushesTheRangeItRemoved() {
        domain.map(0, 0x1000, 4096, 1, RW); // keeps the tables
        domain.map(0x10000, 0x20000, 4096, 4, RW);
        assertTrue(flushes.isEmpty(), "a successful map needs no flush");
        assertEquals(4 * 4096L, domain.unmap(0x10000, 4096, 4));
        assertEquals(1, flushes.size());
        assertEquals(0x10000L, flushes.get(0)[0]);
        assertEquals(0x13fffL, flushes.get(0)[1]);
        assertEquals(0L, flushes.get(0)[2]);
    }

    @Test
    void aFailedMapFlushesWhatItsUndoFreed() {
        domain.map(0x20_0000, 0x1000, 4096, 1, RW); // in the second PTE table
        // Two pages fill the end of the first PTE table (a new one), the third runs into 2 MiB.
        assertEquals(Errno.EADDRINUSE, assertThrows(IommufdException.class,
                () -> domain.map(0x1f_e000, 0x8000, 4096, 4, RW)).errno());
        assertEquals(1, flushes.size(), "the undo removed two entries and the table it had made");
        assertEquals(0L, flushes.get(0)[0]); // the freed table spans [0, 2 MiB)
        assertEquals(0x1f_ffffL, flushes.get(0)[1]);
        assertEquals(1L, flushes.get(0)[2]);
        assertEquals(0, domain.iovaToPhys(0x1f_e000));
        assertEquals(0x1000L, domain.iovaToPhys(0x20_0000));
    }

    @Test
    void freeReturnsEveryFrameAndTheDomainIsThenUnusable() {
        long before = memory.allocatedFrames() - domain.pageTable().tableFrames();
        domain.map(0, 0, 4096, 600, RW);
        domain.free();
        assertEquals(before, memory.allocatedFrames());
        assertThrows(IllegalStateException.class, () -> domain.map(0, 0, 4096, 1, RW));
        domain.free(); // idempotent
    }
}
