package org.iommufd4j.pt.format;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.pt.BitField;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;

/**
 * x86-64 long-mode paging (4 and 5 levels) as an IO page table: the VT-d first stage (VT-d spec
 * section 9.7 "First-Stage Paging Entries") and the AMD-Vi v2 guest table (AMD IOMMU spec
 * section 2.2.6), after Linux drivers/iommu/generic_pt/fmt/x86_64.h and Intel SDM vol. 3
 * section 4.5 "4-Level Paging and 5-Level Paging".
 *
 * <p>Levels: 0 PTE (4 KiB), 1 PDE (2 MiB with PS), 2 PDPTE (1 GiB with PS), 3 PML4E, 4 PML5E.
 * Entry bits: P 0, R/W 1, U/S 2, PWT 3, PCD 4, A 5, D 6, PS 7, G 8, address 51:12, XD 63.
 * As Linux writes them: tables are {@code P|RW|US|A}; leaves are {@code P|US|A}, plus {@code RW|D}
 * when writable (A and D are pre-set so the hardware never has to write them back), plus PS above
 * level 0. No dirty tracking (Linux does not wire it for this format).
 */
public final class X8664Format implements PageTableFormat {
    public static final long P = 1L << 0;
    public static final long RW = 1L << 1;
    public static final long US = 1L << 2;
    public static final long A = 1L << 5;
    public static final long D = 1L << 6;
    public static final long PS = 1L << 7;
    public static final long XD = 1L << 63;
    /** Address bits 51:12. */
    public static final long ADDR = 0x000f_ffff_ffff_f000L;

    private final int vaBits;
    private final boolean signExtended;
    private final int topLevel;
    private final boolean oneGigPages;

    /**
     * A table translating {@code vaBits} of input (31..57; with sign extension the count includes
     * the sign bit), so 4 levels up to 48 bits and 5 levels above (Linux x86_64_pt_iommu_fmt_init:
     * top level = (vaBits - 31) / 9 + 2).
     *
     * @param signExtended canonical upper/lower halves (VT-d); AMD v2 PASID 0 uses false with 47/56 bits
     * @param oneGigPages whether PDPTE leaves are allowed (VT-d CAP.FL1GP)
     */
    public X8664Format(int vaBits, boolean signExtended, boolean oneGigPages) {
        if (vaBits < 31 || vaBits > 57) {
            throw new IllegalArgumentException("x86-64 input width must be 31..57 bits: " + vaBits);
        }
        this.vaBits = vaBits;
        this.signExtended = signExtended;
        this.topLevel = (vaBits - 31) / 9 + 2;
        this.oneGigPages = oneGigPages;
    }

    /** 4-level, 48-bit sign-extended (VT-d first stage). */
    public static X8664Format fourLevel() {
        return new X8664Format(48, true, true);
    }

    /** 5-level, 57-bit sign-extended (VT-d first stage with CAP.FL5LP). */
    public static X8664Format fiveLevel() {
        return new X8664Format(57, true, true);
    }

    @Override
    public String name() {
        return "x86-64";
    }

    @Override
    public int vaBits() {
        return vaBits;
    }

    @Override
    public boolean signExtended() {
        return signExtended;
    }

    @Override
    public int oaBits() {
        return 52;
    }

    @Override
    public int topLevel() {
        return topLevel;
    }

    @Override
    public int itemShift(int level) {
        return 12 + 9 * level;
    }

    @Override
    public int indexBits(int level) {
        return 9;
    }

    @Override
    public long leafSizes(int level) {
        switch (level) {
            case 0:
                return 1L << 12;
            case 1:
                return 1L << 21;
            case 2:
                return oneGigPages ? 1L << 30 : 0;
            default:
                return 0; // PML4E/PML5E cannot map pages
        }
    }

    @Override
    public long presentMask(int level) {
        return P;
    }

    @Override
    public long tableMask(int level) {
        if (level == 0) {
            return 0;
        }
        // PS distinguishes a page from a table at the PDE and PDPTE; above them every entry is a table.
        return level <= 2 ? P | PS : P;
    }

    @Override
    public long tableMatch(int level) {
        return level == 0 ? 1 : P;
    }

    @Override
    public long tableEntry(int level, long tablePa) {
        return P | RW | US | A | (tablePa & ADDR);
    }

    @Override
    public long oaMask(int level) {
        return ADDR;
    }

    @Override
    public long tablePa(int level, long entry) {
        return entry & ADDR;
    }

    @Override
    public long leafTemplate(int level, int pageSizeLg2, int prot) {
        long e = P | US | A;
        if ((prot & Prot.WRITE) != 0) {
            e |= RW | D;
        }
        if (level != 0) {
            e |= PS;
        }
        return e;
    }

    @Override
    public long encodeOa(int level, long oa) {
        return oa & ADDR;
    }

    @Override
    public long leafOa(int level, long entry) {
        // Bit 12 is PAT in a PS leaf; the engine rounds down to the page size, which drops it.
        return entry & ADDR;
    }

    @Override
    public int leafProt(int level, long entry) {
        return Prot.READ | ((entry & RW) != 0 ? Prot.WRITE : 0);
    }

    /**
     * The named bits of Intel SDM vol. 3 section 4.5 tables 4-15 to 4-20 (the formats of PML5E,
     * PML4E, PDPTE, PDE and PTE): table pointers have P, R/W, U/S, PWT, PCD, A and XD; leaves add
     * D, G and PAT (bit 7 in a PTE, bit 12 in a 2 MiB or 1 GiB page), and PS marks a PDE/PDPTE leaf.
     */
    @Override
    public List<BitField> describe(int level, long entry) {
        boolean leaf = level == 0 || (level <= 2 && (entry & PS) != 0);
        List<BitField> f = new ArrayList<>();
        f.add(BitField.flag("P", 0, entry));
        f.add(BitField.flag("R/W", 1, entry));
        f.add(BitField.flag("U/S", 2, entry));
        f.add(BitField.flag("PWT", 3, entry));
        f.add(BitField.flag("PCD", 4, entry));
        f.add(BitField.flag("A", 5, entry));
        if (leaf) {
            f.add(BitField.flag("D", 6, entry));
            if (level == 0) {
                f.add(BitField.flag("PAT", 7, entry));
            } else {
                f.add(BitField.flag("PS", 7, entry));
            }
            f.add(BitField.flag("G", 8, entry));
            if (level != 0) {
                f.add(BitField.flag("PAT", 12, entry));
            }
        } else if (level <= 2) {
            f.add(BitField.flag("PS", 7, entry));
        }
        f.add(BitField.flag("XD", 63, entry));
        return f;
    }

    @Override
    public String toString() {
        return "x86-64[" + (topLevel + 1) + " levels, " + vaBits + "-bit" + (signExtended ? " sign-extended" : "") + "]";
    }
}
