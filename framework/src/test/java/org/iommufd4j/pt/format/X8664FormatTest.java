package org.iommufd4j.pt.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.Leaf;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/**
 * Golden bits of the x86-64 format, written from Intel SDM vol. 3 section 4.5 (tables 4-15..4-20:
 * P bit 0, R/W 1, U/S 2, A 5, D 6, PS 7, address 51:12) and VT-d spec section 9.7, with the
 * attribute choices of Linux generic_pt/fmt/x86_64.h (A and D pre-set, U/S set).
 */
class X8664FormatTest {
    private final PhysicalMemory memory = new PhysicalMemory(64L << 20, new FailNth());

    @Test
    void writable4kLeafIsPresentUserAccessedDirtyWritable() {
        PageTable pt = new PageTable(X8664Format.fourLevel(), memory);
        pt.map(0x1000, 0x0012_3456_7000L, 4096, 1, Prot.READ | Prot.WRITE);
        Leaf leaf = pt.lookup(0x1000);
        assertEquals(0, leaf.level());
        // P | R/W | U/S | A | D = 0x67, address in 51:12.
        assertEquals(0x0012_3456_7000L | 0x67, leaf.entry());
    }

    @Test
    void readOnlyLeafHasNeitherWriteNorDirty() {
        PageTable pt = new PageTable(X8664Format.fourLevel(), memory);
        pt.map(0x1000, 0x5000, 4096, 1, Prot.READ);
        assertEquals(0x5000L | 0x25, pt.lookup(0x1000).entry());
        assertEquals(Prot.READ, pt.format().leafProt(0, pt.lookup(0x1000).entry()));
    }

    @Test
    void twoMegLeafSetsPageSizeInThePde() {
        PageTable pt = new PageTable(X8664Format.fourLevel(), memory);
        pt.map(0x4020_0000L, 0x20_0000, 0x20_0000, 1, Prot.READ | Prot.WRITE);
        Leaf leaf = pt.lookup(0x4020_0000L + 0x1234);
        assertEquals(1, leaf.level());
        assertEquals(0x20_0000L | 0xe7, leaf.entry()); // PS | D | A | U/S | R/W | P
        assertEquals(0x20_1234L, pt.iovaToPhys(0x4020_0000L + 0x1234));
    }

    @Test
    void tablesArePresentWritableUserAccessed() {
        PageTable pt = new PageTable(X8664Format.fourLevel(), memory);
        pt.map(0, 0x7000, 4096, 1, Prot.READ);
        long pml4e = memory.readLong(pt.topPa());
        assertEquals(0x27, pml4e & 0xfff); // P | R/W | U/S | A
        long pdpt = pml4e & X8664Format.ADDR;
        assertEquals(0x27, memory.readLong(pdpt) & 0xfff);
    }

    @Test
    void fiveLevelTopIsLevelFourAndWalksTheUpperHalf() {
        PageTable pt = new PageTable(X8664Format.fiveLevel(), memory);
        assertEquals(4, pt.topLevel());
        long upper = 0xff00_0000_0000_0000L; // canonical for 57 bits
        pt.map(upper, 0x9000, 4096, 1, Prot.READ | Prot.WRITE);
        assertEquals(0x9000L, pt.iovaToPhys(upper));
        // PML5 index = bits 56:48 = 0x100.
        assertEquals(0x27, memory.readLong(pt.topPa() + 0x100 * 8) & 0xfff);
    }

    @Test
    void nonCanonicalIovaIsOutOfRange() {
        PageTable pt = new PageTable(X8664Format.fourLevel(), memory);
        IommufdException e = assertThrows(IommufdException.class,
                () -> pt.map(0x0000_8000_0000_0000L, 0x1000, 4096, 1, Prot.READ));
        assertEquals(Errno.ERANGE, e.errno());
    }

    @Test
    void amdV2WithoutSignExtensionTranslates47Bits() {
        PageTable pt = new PageTable(new X8664Format(47, false, true), memory);
        assertEquals(3, pt.topLevel());
        pt.map(0x7fff_ffff_f000L, 0x3000, 4096, 1, Prot.READ);
        assertEquals(0x3000L, pt.iovaToPhys(0x7fff_ffff_f000L));
        assertEquals(Errno.ERANGE, assertThrows(IommufdException.class,
                () -> pt.map(0x8000_0000_0000L, 0x1000, 4096, 1, Prot.READ)).errno());
    }

    @Test
    void withoutOneGigPagesA1gRangeIsMappedWith2mLeaves() {
        PageTable pt = new PageTable(new X8664Format(48, true, false), memory);
        assertEquals((1L << 12) | (1L << 21), pt.pgsizeBitmap());
        pt.map(1L << 30, 1L << 30, 4096, 1 << 18, Prot.READ);
        assertEquals(1, pt.lookup(1L << 30).level());
    }
}
