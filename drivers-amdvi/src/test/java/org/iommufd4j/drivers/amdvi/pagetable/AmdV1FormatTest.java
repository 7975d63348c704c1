package org.iommufd4j.drivers.amdvi.pagetable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import it.unimi.dsi.fastutil.longs.LongArrayList;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.Leaf;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/**
 * AMD-Vi v1 through the generic engine: raw PTEs/PDEs in host memory against encodings written
 * from the AMD IOMMU spec (48882) 2.2.3 (PR 0, NextLevel 11:9, address 51:12, FC 60, IR 61,
 * IW 62; Table 14 NextLevel=7 size codes replicated into every item; Table 15 levels) and the
 * growing root of Linux's PT_FEAT_DYNAMIC_TOP (DTE.Mode follows the top level).
 */
class AmdV1FormatTest {
    private static final int RW = Prot.READ | Prot.WRITE;
    /** PR | IR | IW | FC, Linux's leaf for READ|WRITE. */
    private static final long LEAF_RW_FC = 0x7000_0000_0000_0001L;

    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, new FailNth());
    private final LongArrayList topChanges = new LongArrayList();

    private PageTable table(AmdV1Format format) {
        return new PageTable(format, memory, -1L, (pa, level) -> {
            topChanges.add(pa);
            topChanges.add(AmdV1Format.dteMode(level));
        });
    }

    private long pde(long tablePa, long index, int expectNextLevel) {
        long entry = memory.readLong(tablePa + index * 8);
        assertEquals(0x6000_0000_0000_0001L | ((long) expectNextLevel << 9), entry & ~AmdV1Descriptor.OA_MASK,
                () -> "PDE 0x" + Long.toHexString(entry));
        return entry & AmdV1Descriptor.OA_MASK;
    }

    @Test
    void newTableIsThreeLevelsAndA4kPageWalksMode3() {
        PageTable pt = table(AmdV1Format.linuxDefault());
        assertEquals(2, pt.topLevel());
        long iova = 0x7F_1234_5000L;
        pt.map(iova, 0x1234_5000L, 4096, 1, RW);
        long l2 = pde(pt.topPa(), (iova >>> 30) & 511, 2);
        long l1 = pde(l2, (iova >>> 21) & 511, 1);
        assertEquals(LEAF_RW_FC | 0x1234_5000L, memory.readLong(l1 + ((iova >>> 12) & 511) * 8));
        assertEquals(3, pt.tableFrames());
        assertEquals(0, topChanges.size());
    }

    @Test
    void nonDefaultSizesAreReplicatedNextLevel7Entries() {
        PageTable pt = table(AmdV1Format.linuxDefault());
        pt.map(0x4_0000L, 0x1234_4000L, 1L << 14, 1, RW);
        Leaf leaf = pt.lookup(0x4_0000L);
        assertEquals(0, leaf.level());
        assertEquals(14, leaf.pageSizeLg2());
        long first = leaf.itemPa();
        for (int k = 0; k < 4; k++) {
            assertEquals(LEAF_RW_FC | 0x1234_5E00L, memory.readLong(first + k * 8L), "replica " + k);
        }
        assertEquals(0L, memory.readLong(first + 4 * 8L));
        assertEquals(0x1234_7ABCL, pt.iovaToPhys(0x4_3ABCL));
        // 4 MiB in a 2 MiB-item table: two replicas of bits 20:12 = ones, bit 21 = 0
        pt.map(0x80_0000L, 0x8000_0000L, 1L << 22, 1, RW);
        Leaf big = pt.lookup(0xA0_0000L);
        assertEquals(1, big.level());
        assertEquals(22, big.pageSizeLg2());
        assertEquals(LEAF_RW_FC | 0x801F_FE00L, big.entry());
        assertEquals(LEAF_RW_FC | 0x801F_FE00L, memory.readLong(big.itemPa() - 8));
        assertEquals(1L << 22, pt.unmap(0x80_0000L, 1L << 22, 1));
        assertEquals(0L, memory.readLong(big.itemPa() - 8));
        assertEquals(0L, memory.readLong(big.itemPa()));
    }

    @Test
    void pageSizesAreEveryPowerOfTwoUpTo2Pow51Except512g() {
        PageTable pt = table(AmdV1Format.linuxDefault());
        long expect = -(1L << 12) & ((1L << 52) - 1) & ~(1L << 39);
        assertEquals(expect, pt.pgsizeBitmap());
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class, () -> pt.map(0, 0, 1L << 39, 1, RW)).errno());
        // 512 GiB of 1 GiB pages becomes two 256 GiB entries (Table 14 code for 2^38 at level 2)
        pt.map(0, 0, 1L << 30, 512, RW);
        Leaf leaf = pt.lookup(0);
        assertEquals(38, leaf.pageSizeLg2());
        assertEquals(2, leaf.level());
        assertEquals(LEAF_RW_FC | 0x1F_FFFF_FE00L, leaf.entry());
        assertEquals(38, pt.lookup(1L << 38).pageSizeLg2());
    }

    @Test
    void mappingAboveTheTopGrowsTheRootAndTellsTheDriverTheNewMode() {
        PageTable pt = table(AmdV1Format.linuxDefault());
        long oldTop = pt.topPa();
        pt.map(0x1000L, 0x10_0000L, 4096, 1, RW);
        pt.map(1L << 39, 0x20_0000L, 4096, 1, RW);
        assertEquals(3, pt.topLevel());
        assertArrayEquals(new long[] {pt.topPa(), 4}, topChanges.toLongArray());
        // the old root sits at index 0 of the new one, as a PDE naming AMD level 3
        assertEquals(oldTop, pde(pt.topPa(), 0, 3));
        pde(pt.topPa(), 1, 3);
        // the top IOVA bit needs all six levels; the mode-6 root indexes bits 63:57
        pt.map(0x8000_0000_0000_0000L, 0x40_0000L, 4096, 1, RW);
        assertEquals(5, pt.topLevel());
        assertEquals(6, topChanges.getLong(topChanges.size() - 1));
        pde(pt.topPa(), 64, 5);
        assertEquals(0x40_0000L, pt.iovaToPhys(0x8000_0000_0000_0000L));
        assertEquals(0x20_0000L, pt.iovaToPhys(1L << 39));
        assertEquals(0x10_0000L, pt.iovaToPhys(0x1000L));
        assertEquals(-1L, pt.maxIova());
    }

    @Test
    void aLargePageGrowsTheRootToALevelThatCanHoldIt() {
        PageTable pt = table(AmdV1Format.linuxDefault());
        long frames = memory.allocatedFrames();
        pt.map(0, 1L << 40, 1L << 40, 1, Prot.READ);
        assertEquals(3, pt.topLevel());
        // the empty 3-level root was not kept under the new one: the 1T page took its place
        assertEquals(frames, memory.allocatedFrames());
        Leaf leaf = pt.lookup(0x80_0000_0000L);
        assertEquals(3, leaf.level());
        assertEquals(0x3000_017F_FFFF_FE01L, leaf.entry()); // PR | NL=7 | 1T code | IR | FC
    }

    @Test
    void everyModeFromOneToSixIsReachedByGrowing() {
        PageTable pt = table(new AmdV1Format(6, 0, true, false));
        pt.map(0x1000L, 0x5000L, 4096, 1, RW);
        assertEquals(0, pt.topLevel()); // mode 1: one table of 4K PTEs
        assertEquals(0x6000_0000_0000_5001L, memory.readLong(pt.topPa() + 8));
        long[] iovas = {1L << 21, 1L << 30, 1L << 39, 1L << 48, 1L << 57};
        for (int i = 0; i < iovas.length; i++) {
            pt.map(iovas[i], 0x6000L, 4096, 1, RW);
            assertEquals(i + 2, topChanges.getLong(topChanges.size() - 1), "DTE.Mode after mapping 0x" + Long.toHexString(iovas[i]));
            // the previous root stays at index 0 behind a PDE naming its AMD level
            pde(pt.topPa(), 0, i + 1);
        }
        assertEquals(0x5000L, pt.iovaToPhys(0x1000L));
        assertEquals(0x6000L, pt.iovaToPhys(1L << 57));
    }

    @Test
    void fixedTopTablesRefuseIovasBeyondTheirRoot() {
        AmdV1Format fixed = new AmdV1Format(6, 2, false, false);
        assertEquals(39, fixed.vaBits());
        PageTable pt = table(fixed);
        long frames = memory.allocatedFrames();
        assertEquals(Errno.ERANGE, assertThrows(IommufdException.class, () -> pt.map(1L << 39, 0, 4096, 1, RW)).errno());
        assertEquals(frames, memory.allocatedFrames());
        pt.map(0x1000L, 0x2000L, 4096, 1, RW);
        assertEquals(0x6000_0000_0000_2001L, pt.lookup(0x1000L).entry()); // no FC
    }

    @Test
    void hostLevelsLimitGrowth() {
        AmdV1Format four = new AmdV1Format(4, 2, true, true);
        assertEquals(48, four.vaBits());
        assertEquals(3, four.maxTopLevel());
        PageTable pt = table(four);
        assertEquals(Errno.ERANGE, assertThrows(IommufdException.class, () -> pt.map(1L << 48, 0, 4096, 1, RW)).errno());
        assertEquals(2, pt.topLevel());
        assertThrows(IommufdException.class, () -> new AmdV1Format(7, 2, true, true));
        assertThrows(IommufdException.class, () -> new AmdV1Format(6, -1, true, true));
        assertThrows(IommufdException.class, () -> new AmdV1Format(4, 4, true, true));
    }

    @Test
    void dirtyBitIsScannedAndClearedInEveryReplica() {
        PageTable pt = table(AmdV1Format.linuxDefault());
        pt.map(0x10_0000L, 0x10_0000L, 1L << 16, 1, RW);
        Leaf leaf = pt.lookup(0x10_0000L);
        // the IOMMU sets D in the replica it walked (the 9th of 16)
        long ninth = leaf.itemPa() + 9 * 8;
        memory.writeLong(ninth, memory.readLong(ninth) | AmdV1Descriptor.D);
        LongArrayList seen = new LongArrayList();
        pt.readAndClearDirty(0, 1L << 21, false, (iova, len) -> {
            seen.add(iova);
            seen.add(len);
        }, null);
        assertArrayEquals(new long[] {0x10_0000L, 1L << 16}, seen.toLongArray());
        for (int k = 0; k < 16; k++) {
            assertEquals(0, memory.readLong(leaf.itemPa() + k * 8L) & AmdV1Descriptor.D);
        }
        seen.clear();
        pt.readAndClearDirty(0, 1L << 21, false, (iova, len) -> seen.add(iova), null);
        assertEquals(0, seen.size());
    }

    @Test
    void badInputIsRefusedWithTheTableUnchanged() {
        PageTable pt = table(AmdV1Format.linuxDefault());
        long allocated = memory.allocatedFrames();
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class, () -> pt.map(0x800L, 0, 4096, 1, RW)).errno());
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class, () -> pt.map(0, 0, 2048, 1, RW)).errno());
        assertEquals(Errno.ERANGE, assertThrows(IommufdException.class, () -> pt.map(0, 1L << 52, 4096, 1, RW)).errno());
        assertEquals(allocated, memory.allocatedFrames());
        assertEquals(2, pt.topLevel());
        assertEquals(0, topChanges.size());
    }
}
