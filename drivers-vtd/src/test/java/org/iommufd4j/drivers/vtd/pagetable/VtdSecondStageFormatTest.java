package org.iommufd4j.drivers.vtd.pagetable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/**
 * Golden bits of the VT-d second-stage format, written from the VT-d spec section 9.8
 * "Second-Stage Paging Entries" (tables 38-42: R bit 0, W 1, PS 7, A 8, D 9, SNP 11, address
 * 51:12; no present bit) and section 3.7.1 (3/4/5-level tables for 39/48/57-bit AGAW).
 */
class VtdSecondStageFormatTest {
    private static final int RW = Prot.READ | Prot.WRITE;
    private final PhysicalMemory memory = new PhysicalMemory(32L << 20, new FailNth());

    @Test
    void fourKLeafIsReadWriteAndAddress() {
        PageTable pt = new PageTable(VtdSecondStageFormat.of(4), memory);
        pt.map(0x7000, 0xabcd_e000L, 4096, 1, RW);
        assertEquals(0xabcd_e000L | 0b11, pt.lookup(0x7000).entry());
    }

    @Test
    void readOnlyAndWriteOnlyLeavesCarryOnlyTheirBit() {
        PageTable pt = new PageTable(VtdSecondStageFormat.of(4), memory);
        pt.map(0x1000, 0x5000, 4096, 1, Prot.READ);
        pt.map(0x2000, 0x6000, 4096, 1, Prot.WRITE);
        assertEquals(0x5000L | 0b01, pt.lookup(0x1000).entry());
        assertEquals(0x6000L | 0b10, pt.lookup(0x2000).entry()); // present without R: no present bit
        assertEquals(Prot.WRITE, pt.format().leafProt(0, pt.lookup(0x2000).entry()));
    }

    @Test
    void largeLeavesSetPageSize() {
        PageTable pt = new PageTable(VtdSecondStageFormat.of(4), memory);
        pt.map(1L << 30, 3L << 30, 1L << 30, 1, RW);
        pt.map(1L << 21, 1L << 21, 1L << 21, 1, Prot.READ);
        assertEquals((3L << 30) | 0x83, pt.lookup(1L << 30).entry());
        assertEquals(2, pt.lookup(1L << 30).level());
        assertEquals((1L << 21) | 0x81, pt.lookup(1L << 21).entry());
        assertEquals(1, pt.lookup(1L << 21).level());
    }

    @Test
    void tablesGrantReadAndWrite() {
        PageTable pt = new PageTable(VtdSecondStageFormat.of(3), memory);
        pt.map(0, 0x9000, 4096, 1, Prot.READ);
        long pdpte = memory.readLong(pt.topPa());
        assertEquals(0b11, pdpte & 0xfff);
        assertEquals(0b11, memory.readLong(pdpte & VtdSecondStageFormat.ADDR) & 0xfff);
    }

    @Test
    void forceSnoopSetsSnpInLeavesOnly() {
        PageTable pt = new PageTable(VtdSecondStageFormat.of(4).withForceSnoop(), memory);
        pt.map(0, 0x9000, 4096, 1, RW);
        assertEquals(0x9000L | 0x800 | 0b11, pt.lookup(0).entry());
        assertEquals(0, memory.readLong(pt.topPa()) & 0x800);
    }

    @Test
    void forceWriteableRefusesReadOnlyAndChangesNothing() {
        PageTable pt = new PageTable(VtdSecondStageFormat.of(4).withForceWriteable(), memory);
        long frames = pt.tableFrames();
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class,
                () -> pt.map(0, 0x9000, 4096, 4, Prot.READ)).errno());
        assertEquals(frames, pt.tableFrames());
        assertEquals(0, pt.iovaToPhys(0));
    }

    @Test
    void levelsSetTheInputWidthAndAw() {
        for (int levels = 3; levels <= 5; levels++) {
            VtdSecondStageFormat f = VtdSecondStageFormat.of(levels);
            PageTable pt = new PageTable(f, memory);
            int bits = 12 + 9 * levels;
            assertEquals(levels - 1, pt.topLevel());
            assertEquals(levels - 2, f.addressWidthCode());
            long top = (1L << bits) - 4096;
            pt.map(top, 0x1000, 4096, 1, RW);
            assertEquals(0x1000L, pt.iovaToPhys(top));
            if (bits < 64) {
                assertEquals(Errno.ERANGE, assertThrows(IommufdException.class,
                        () -> pt.map(1L << bits, 0x1000, 4096, 1, RW)).errno());
            }
            pt.destroy();
        }
    }

    @Test
    void dirtyBitNineIsReadAndCleared() {
        PageTable pt = new PageTable(VtdSecondStageFormat.of(4), memory);
        pt.map(0, 0, 4096, 8, RW);
        pt.map(1L << 21, 1L << 21, 1L << 21, 1, RW);
        pt.setDirty(0x3000);
        pt.setDirty((1L << 21) + 0x5000);
        assertEquals(0x3000L | 0x200 | 0b11, pt.lookup(0x3000).entry());
        List<long[]> seen = new ArrayList<>();
        IotlbGather gather = new IotlbGather();
        pt.readAndClearDirty(0, 1L << 22, true, (iova, len) -> seen.add(new long[] {iova, len}), gather);
        assertEquals(2, seen.size());
        assertEquals(true, gather.isEmpty()); // NO_CLEAR leaves the bits and flushes nothing
        seen.clear();
        pt.readAndClearDirty(0, 1L << 22, false, (iova, len) -> seen.add(new long[] {iova, len}), gather);
        assertEquals(0x3000L, seen.get(0)[0]);
        assertEquals(4096L, seen.get(0)[1]);
        assertEquals(1L << 21, seen.get(1)[0]);
        assertEquals(1L << 21, seen.get(1)[1]);
        assertEquals(0x3000L | 0b11, pt.lookup(0x3000).entry());
        seen.clear();
        pt.readAndClearDirty(0, 1L << 22, false, (iova, len) -> seen.add(new long[] {iova, len}), null);
        assertEquals(0, seen.size());
    }
}
