package org.iommufd4j.drivers.smmuv3.pagetable;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import it.unimi.dsi.fastutil.longs.LongArrayList;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.pt.Leaf;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/**
 * The LPAE formats driven by the generic engine: raw descriptors as they land in host memory,
 * compared with encodings written from the Arm ARM (DDI 0487 D8.3: table descriptor
 * {@code 0b11|address}, page {@code 0b11}, block {@code 0b01}, Contiguous bit 52 with each item
 * holding its own address) and SMMUv3 (IHI 0070 3.13.3 DBM dirty state).
 */
class ArmLpaeFormatTest {
    private static final long RW = Prot.READ | Prot.WRITE;
    /** Stage 1 leaf attributes for READ|WRITE: AP[1] 0x40, SH outer 0x200, AF 0x400, nG 0x800. */
    private static final long S1_RW_ATTRS = 0xE40L;
    private static final long CONT = 1L << 52;

    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, new FailNth());

    private static long index(long iova, int shift, int bits) {
        return (iova >>> shift) & ((1L << bits) - 1);
    }

    /** Follows the table descriptor at {@code tablePa[idx]}, checking that only type and address bits are set. */
    private long child(LpaeGranule g, long tablePa, long idx) {
        long entry = memory.readLong(tablePa + idx * 8);
        long pa = LpaeDescriptor.decodeOa(g, entry);
        assertEquals(0x3L, entry & ~LpaeDescriptor.oaMask(g), () -> "table descriptor 0x" + Long.toHexString(entry));
        assertTrue(pa != 0);
        return pa;
    }

    @Test
    void stage1PageLandsAtTheArmLevel3IndexWithItsGoldenBits() {
        PageTable pt = new PageTable(ArmLpaeFormat.stage1(LpaeGranule.G4K), memory);
        long iova = 0x0000_7F12_3456_7000L;
        pt.map(iova, 0x40_0000L, 4096, 1, (int) RW);
        long l0 = pt.topPa();
        long l1 = child(LpaeGranule.G4K, l0, index(iova, 39, 9));
        long l2 = child(LpaeGranule.G4K, l1, index(iova, 30, 9));
        long l3 = child(LpaeGranule.G4K, l2, index(iova, 21, 9));
        assertEquals(0x0000_0000_0040_0000L | S1_RW_ATTRS | 0x3, memory.readLong(l3 + index(iova, 12, 9) * 8));
        assertEquals(4, pt.tableFrames());
        assertEquals(0x40_0123L, pt.iovaToPhys(iova + 0x123));
    }

    @Test
    void blocksAreType01AtLevels1And2() {
        PageTable pt = new PageTable(ArmLpaeFormat.stage1(LpaeGranule.G4K), memory);
        pt.map(0x4000_0000L, 0x8000_0000L, 1L << 30, 1, (int) RW);
        pt.map(0x8020_0000L, 0x20_0000L, 1L << 21, 1, (int) RW);
        Leaf gig = pt.lookup(0x4000_1000L);
        assertEquals(2, gig.level());
        assertEquals(0x8000_0000L | S1_RW_ATTRS | 0x1, gig.entry());
        Leaf two = pt.lookup(0x8020_0000L);
        assertEquals(1, two.level());
        assertEquals(0x20_0000L | S1_RW_ATTRS | 0x1, two.entry());
    }

    @Test
    void contiguousPagesSetTheHintInAllSixteenItemsEachWithItsOwnAddress() {
        PageTable pt = new PageTable(ArmLpaeFormat.stage1(LpaeGranule.G4K), memory);
        pt.map(0x1_0000L, 0x20_0000L, 1L << 16, 1, (int) RW);
        Leaf leaf = pt.lookup(0x1_F000L);
        assertEquals(16, leaf.pageSizeLg2());
        long table = leaf.itemPa() & ~0xfffL;
        for (int k = 0; k < 16; k++) {
            assertEquals(CONT | (0x20_0000L + k * 0x1000L) | S1_RW_ATTRS | 0x3, memory.readLong(table + (16 + k) * 8L), "item " + k);
        }
        assertEquals(0L, memory.readLong(table + 15 * 8L));
        assertEquals(0L, memory.readLong(table + 32 * 8L));
        assertEquals(0x20_F123L, pt.iovaToPhys(0x1_F123L));
        // unmapping the run removes all sixteen items, and the emptied tables go
        assertEquals(1L << 16, pt.unmap(0x1_0000L, 1L << 16, 1));
        assertEquals(1, pt.tableFrames());
    }

    @Test
    void contiguousBlocksOf32MiB() {
        PageTable pt = new PageTable(ArmLpaeFormat.stage1(LpaeGranule.G4K), memory);
        pt.map(0x200_0000L, 0x4200_0000L, 1L << 25, 1, (int) RW);
        Leaf leaf = pt.lookup(0x3FF_F000L);
        assertEquals(1, leaf.level());
        assertEquals(25, leaf.pageSizeLg2());
        // lookup names the item that translated the IOVA: the last of the run here
        assertEquals(CONT | 0x43E0_0000L | S1_RW_ATTRS | 0x1, memory.readLong(leaf.itemPa()));
        assertEquals(CONT | 0x4200_0000L | S1_RW_ATTRS | 0x1, memory.readLong(leaf.itemPa() - 15 * 8));
        assertEquals(0x200_0000L, leaf.iova());
        assertEquals(0x4200_0000L, leaf.pa());
    }

    @Test
    void granule16kUses11IndexBitsAnd128ItemContiguousPages() {
        PageTable pt = new PageTable(ArmLpaeFormat.stage1(LpaeGranule.G16K), memory);
        assertEquals((1L << 14) | (1L << 21) | (1L << 25) | (1L << 30), pt.pgsizeBitmap());
        long iova = 0x0000_8765_4321_C000L;
        pt.map(iova, 0x12_4000L, 1L << 14, 1, (int) RW);
        long l0 = pt.topPa();
        assertEquals(0, memory.readLong(l0 + 8 * (1 - index(iova, 47, 1)))); // the other of two root items
        long l1 = child(LpaeGranule.G16K, l0, index(iova, 47, 1));
        long l2 = child(LpaeGranule.G16K, l1, index(iova, 36, 11));
        long l3 = child(LpaeGranule.G16K, l2, index(iova, 25, 11));
        assertEquals(0x12_4000L | S1_RW_ATTRS | 0x3, memory.readLong(l3 + index(iova, 14, 11) * 8));
        // each 16K table is 4 frames; the root too
        assertEquals(16, pt.tableFrames());
        pt.map(0x20_0000L, 0x40_0000L, 1L << 21, 1, (int) RW);
        assertEquals(21, pt.lookup(0x3F_C000L).pageSizeLg2());
        assertEquals(0x5F_C000L, pt.iovaToPhys(0x3F_C000L));
    }

    @Test
    void granule64kStage1WalksThreeLevelsWithA64ItemRoot() {
        PageTable pt = new PageTable(ArmLpaeFormat.stage1(LpaeGranule.G64K), memory);
        long iova = 0x0000_FFFF_FFFF_0000L;
        pt.map(iova, 0x7F_0000L, 1L << 16, 1, (int) RW);
        long l1 = pt.topPa();
        long l2 = child(LpaeGranule.G64K, l1, 63);
        long l3 = child(LpaeGranule.G64K, l2, 8191);
        assertEquals(0x7F_0000L | S1_RW_ATTRS | 0x3, memory.readLong(l3 + 8191 * 8));
        // a 512 MiB block at level 1
        pt.map(0x2000_0000L, 0x2000_0000L, 1L << 29, 1, (int) RW);
        assertEquals(0x2000_0000L | S1_RW_ATTRS | 0x1, pt.lookup(0x2000_0000L).entry());
    }

    @Test
    void granule64kWith52BitOutputEncodesOaHighBitsEvenInContiguousRuns() {
        PageTable pt = new PageTable(new ArmLpaeFormat(LpaeGranule.G64K, false, 48, 52, false, false), memory);
        long pa = 0x000F_FFFF_FFE0_0000L; // 2 MiB aligned, near the top of 52 bits
        pt.map(0x20_0000L, pa, 1L << 21, 1, (int) RW);
        Leaf leaf = pt.lookup(0x20_0000L);
        assertEquals(21, leaf.pageSizeLg2());
        long first = memory.readLong(leaf.itemPa());
        assertEquals(CONT | 0x0000_FFFF_FFE0_F000L | S1_RW_ATTRS | 0x3, first);
        assertEquals(CONT | 0x0000_FFFF_FFFF_F000L | S1_RW_ATTRS | 0x3, memory.readLong(leaf.itemPa() + 31 * 8));
        assertEquals(pa + 0x1F_0123L, pt.iovaToPhys(0x3F_0123L));
    }

    @Test
    void stage2With40BitIpaUsesTwoConcatenatedRootTables() {
        ArmLpaeFormat f = ArmLpaeFormat.stage2(LpaeGranule.G4K, 40);
        PageTable pt = new PageTable(f, memory);
        assertEquals(2, pt.tableFrames());
        long ipa = (1L << 39) + 0x5000L; // resolved by the second concatenated table
        pt.map(ipa, 0x30_0000L, 4096, 1, Prot.READ | Prot.WRITE | Prot.CACHE);
        long rootItem = memory.readLong(pt.topPa() + 0x1000L); // item 512 = first item of table 2
        assertEquals(0x3L, rootItem & ~LpaeDescriptor.oaMask(LpaeGranule.G4K));
        Leaf leaf = pt.lookup(ipa);
        // S2AP=11 (0xC0) | MemAttr 1111 (0x3C) | SH inner (0x300) | AF (0x400) | page
        assertEquals(0x30_0000L | 0x7FFL, leaf.entry());
        assertEquals(4, pt.tableFrames());
        assertEquals(1, f.geometry().s2sl0());
    }

    @Test
    void stage2With64kAnd44BitsPutsTheTopQuarterInTheFourthTable() {
        PageTable pt = new PageTable(ArmLpaeFormat.stage2(LpaeGranule.G64K, 44), memory);
        assertEquals(64, pt.tableFrames()); // 4 x 64 KiB
        long ipa = 0xC00_0000_0000L;
        pt.map(ipa, 0x100_0000L, 1L << 16, 1, (int) RW);
        long item = memory.readLong(pt.topPa() + 3 * 0x1_0000L); // table 4, item 0
        assertEquals(0x3L, item & ~LpaeDescriptor.oaMask(LpaeGranule.G64K));
        assertEquals(0x100_0000L, pt.iovaToPhys(ipa));
        assertThrows(IommufdException.class, () -> pt.map(1L << 44, 0, 1L << 16, 1, (int) RW));
    }

    @Test
    void stage1DirtyTrackingStartsDirtyCleansToApReadOnlyAndRedirtiesOnWrite() {
        ArmLpaeFormat f = new ArmLpaeFormat(LpaeGranule.G4K, false, 48, 48, true, false);
        PageTable pt = new PageTable(f, memory);
        pt.map(0x1_0000L, 0x20_0000L, 1L << 16, 1, (int) RW); // contiguous
        pt.map(0x10_0000L, 0x30_0000L, 4096, 1, Prot.READ); // read-only: no DBM, never dirty
        LongArrayList seen = new LongArrayList();
        IotlbGather gather = new IotlbGather();
        pt.readAndClearDirty(0, 1L << 21, false, (iova, len) -> {
            seen.add(iova);
            seen.add(len);
        }, gather);
        assertArrayEquals(new long[] {0x1_0000L, 1L << 16}, seen.toLongArray());
        long table = pt.lookup(0x1_0000L).itemPa();
        for (int k = 0; k < 16; k++) {
            long item = memory.readLong(table + k * 8L);
            assertEquals(LpaeDescriptor.DBM | LpaeDescriptor.AP_RDONLY, item & (LpaeDescriptor.DBM | LpaeDescriptor.AP_RDONLY));
        }
        assertEquals(0x1_0000L, gather.start());
        // the SMMU's HTTU writes one item; the whole contiguous run reads dirty
        memory.writeLong(table + 5 * 8, LpaeDescriptor.writeDirty(false, memory.readLong(table + 5 * 8)));
        seen.clear();
        pt.readAndClearDirty(0, 1L << 21, true, (iova, len) -> seen.add(iova), null);
        assertArrayEquals(new long[] {0x1_0000L}, seen.toLongArray());
        Leaf ro = pt.lookup(0x10_0000L);
        assertFalse(f.isWriteDirty(0, ro.entry()));
        assertEquals(ro.entry(), f.makeWriteDirty(0, ro.entry()));
    }

    @Test
    void stage2DirtyTrackingUsesS2apWrite() {
        ArmLpaeFormat f = new ArmLpaeFormat(LpaeGranule.G4K, true, 40, 48, true, false);
        PageTable pt = new PageTable(f, memory);
        pt.map(0x20_0000L, 0x20_0000L, 1L << 21, 1, (int) RW);
        long[] hits = new long[1];
        pt.readAndClearDirty(0, 1L << 30, false, (iova, len) -> hits[0] += len, null);
        assertEquals(1L << 21, hits[0]);
        long clean = pt.lookup(0x20_0000L).entry();
        assertEquals(0, clean & LpaeDescriptor.S2AP_WRITE);
        assertEquals(LpaeDescriptor.DBM, clean & LpaeDescriptor.DBM);
        pt.setDirty(0x20_0000L);
        assertTrue(f.isWriteDirty(1, pt.lookup(0x20_0000L).entry()));
    }

    @Test
    void badInputIsRefusedWithTheTableUnchanged() {
        PageTable pt = new PageTable(ArmLpaeFormat.stage1(LpaeGranule.G4K), memory);
        long frames = pt.tableFrames();
        long allocated = memory.allocatedFrames();
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class, () -> pt.map(0x1800L, 0x2000L, 4096, 1, (int) RW)).errno());
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class, () -> pt.map(0, 0, 8192, 1, (int) RW)).errno());
        assertEquals(Errno.ERANGE, assertThrows(IommufdException.class, () -> pt.map(1L << 48, 0, 4096, 1, (int) RW)).errno());
        assertEquals(Errno.ERANGE, assertThrows(IommufdException.class, () -> pt.map(0, 1L << 48, 4096, 1, (int) RW)).errno());
        PageTable g16 = new PageTable(ArmLpaeFormat.stage1(LpaeGranule.G16K), memory);
        assertEquals(Errno.EINVAL, assertThrows(IommufdException.class, () -> g16.map(0, 0, 4096, 1, (int) RW)).errno());
        assertEquals(frames, pt.tableFrames());
        assertEquals(allocated + g16.tableFrames(), memory.allocatedFrames());
        assertNull(pt.lookup(0));
        long[] words = new long[512];
        for (int i = 0; i < 512; i++) {
            words[i] = memory.readLong(pt.topPa() + i * 8L);
        }
        assertArrayEquals(new long[512], words);
    }

    @Test
    void leafProtDecodesWhatTheTemplateEncoded() {
        for (boolean s2 : new boolean[] {false, true}) {
            ArmLpaeFormat f = new ArmLpaeFormat(LpaeGranule.G4K, s2, 48, 48, false, false);
            for (int prot = 0; prot <= Prot.ALL; prot++) {
                if ((prot & RW) == 0 || (prot & (Prot.MMIO | Prot.CACHE)) == (Prot.MMIO | Prot.CACHE)) {
                    continue;
                }
                long e = f.leafTemplate(0, 12, prot);
                int decoded = f.leafProt(0, e);
                // stage 1 cannot express write-only (it reads too) nor stage 2 privilege
                int expect = s2 ? prot & ~Prot.PRIV : prot | Prot.READ;
                assertEquals(expect, decoded, (s2 ? "s2" : "s1") + " prot 0x" + Integer.toHexString(prot));
                assertEquals(e, f.leafTemplate(0, 12, decoded), "re-encoding prot 0x" + Integer.toHexString(prot));
            }
        }
    }
}
