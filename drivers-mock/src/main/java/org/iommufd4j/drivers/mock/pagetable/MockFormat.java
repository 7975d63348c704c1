package org.iommufd4j.drivers.mock.pagetable;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.pt.BitField;
import org.iommufd4j.pt.DirtyBitFormat;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;

/**
 * The iommufd selftest's mock page table: AMD-Vi v1 (AMD IOMMU spec section 2.2.3 "I/O Page
 * Tables for Host Translations") with a 2 KiB granule, 56-bit input and 51-bit output, as Linux
 * builds drivers/iommu/generic_pt/fmt/amdv1.h with {@code AMDV1_IOMMUFD_SELFTEST}
 * (fmt/iommu_mock.c) and drivers/iommu/iommufd/selftest.c uses it.
 *
 * <p>Tables stay 4 KiB (512 items); items cover 2 KiB at level 0, then 1 MiB, 512 MiB, 256 GiB,
 * 128 TiB at levels 1..4. Level 4 holds no leaves. Entry bits: PR 0, D 6, NextLevel 11:9, output
 * address field 51:12 holding {@code oa >> 11}, FC 60, IR 61, IW 62. A table item has
 * NextLevel = its own level (the child's AMD level); a leaf of one item has NextLevel 0; a leaf
 * of 2^n items has NextLevel 7, the page size as a run of ones in the low address field bits
 * ({@code 2^(lg2size - 12) - 1}), and is replicated into every item it spans.
 *
 * <p>Variants: {@link #DEFAULT} (3 levels, 38-bit IOVA, every size 2 KiB..128 GiB as selftest's
 * MOCK_IOMMUPT_DEFAULT), {@link #HUGE} (page sizes limited to 1 MiB | 4 KiB, MOCK_IOMMUPT_HUGE)
 * and {@link #GROWABLE} (starts at 3 levels and grows its top to 5 like AMD-Vi's dynamic top).
 */
public final class MockFormat implements DirtyBitFormat {
    public static final long PR = 1L << 0;
    public static final long D = 1L << 6;
    public static final long NEXT_LEVEL = 7L << 9;
    public static final long NL_SIZE = 7L << 9;
    /** The output address field, bits 51:12 (in 2 KiB units). */
    public static final long OA_FIELD = 0x000f_ffff_ffff_f000L;
    public static final long FC = 1L << 60;
    public static final long IR = 1L << 61;
    public static final long IW = 1L << 62;

    /** Granule (lg2): 2 KiB. */
    public static final int GRANULE_SHIFT = 11;
    /** selftest.c MOCK_HUGE_PAGE_SIZE (512 * MOCK_PAGE_SIZE = 1 MiB) | PAGE_SIZE. */
    public static final long HUGE_PAGE_SIZES = (1L << 20) | (1L << 12);

    public static final MockFormat DEFAULT = new MockFormat("mock", 2, 2, -1L);
    public static final MockFormat HUGE = new MockFormat("mock-huge", 2, 2, HUGE_PAGE_SIZES);
    public static final MockFormat GROWABLE = new MockFormat("mock-grow", 2, 4, -1L);

    private static final int MAX_TOP_LEVEL = 4;

    private final String name;
    private final int topLevel;
    private final int maxTopLevel;
    private final long sizeMask;

    private MockFormat(String name, int topLevel, int maxTopLevel, long sizeMask) {
        this.name = name;
        this.topLevel = topLevel;
        this.maxTopLevel = maxTopLevel;
        this.sizeMask = sizeMask;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int vaBits() {
        return 56;
    }

    @Override
    public int oaBits() {
        return 51;
    }

    @Override
    public int topLevel() {
        return topLevel;
    }

    @Override
    public int maxTopLevel() {
        return maxTopLevel;
    }

    @Override
    public int itemShift(int level) {
        return GRANULE_SHIFT + 9 * level;
    }

    @Override
    public int indexBits(int level) {
        return 9;
    }

    @Override
    public long leafSizes(int level) {
        if (level >= MAX_TOP_LEVEL) {
            return 0; // AMD spec table 15: the top-most level holds no pages
        }
        int isz = itemShift(level);
        // amdv1pt_possible_sizes: every power of two from the item to 256 items, capped at bit 51,
        // without 512 GiB (a hardware erratum).
        int hi = Math.min(51, isz + 8);
        long sizes = (-1L >>> (63 - hi)) & -(1L << isz);
        return sizes & ~(1L << 39) & sizeMask;
    }

    @Override
    public boolean canHaveTable(int level) {
        return level > 0;
    }

    @Override
    public long presentMask(int level) {
        return PR;
    }

    @Override
    public long tableMask(int level) {
        return level == 0 ? 0 : PR | NEXT_LEVEL;
    }

    @Override
    public long tableMatch(int level) {
        return level == 0 ? 1 : PR | ((long) level << 9);
    }

    @Override
    public long tableEntry(int level, long tablePa) {
        // IR and IW are ANDed down the walk: tables grant both, leaves decide.
        return PR | ((long) level << 9) | encodeOa(level, tablePa) | IR | IW;
    }

    @Override
    public long tablePa(int level, long entry) {
        return (entry & OA_FIELD) >>> 1;
    }

    @Override
    public long leafTemplate(int level, int pageSizeLg2, int prot) {
        long e = PR;
        if ((prot & Prot.READ) != 0) {
            e |= IR;
        }
        if ((prot & Prot.WRITE) != 0) {
            e |= IW;
        }
        if (pageSizeLg2 != itemShift(level)) {
            // NextLevel 7: size 2^n has address-field bits [n-13:0] set (field unit 2 KiB).
            e |= NL_SIZE | ((((1L << (pageSizeLg2 - GRANULE_SHIFT - 1)) - 1) << 12) & OA_FIELD);
        }
        return e;
    }

    @Override
    public long encodeOa(int level, long oa) {
        return (oa >>> GRANULE_SHIFT) << 12;
    }

    @Override
    public boolean contiguousItemsReplicateOa() {
        return true;
    }

    @Override
    public long leafOa(int level, long entry) {
        long field = (entry & OA_FIELD) >>> 12;
        if ((entry & NEXT_LEVEL) == NL_SIZE) {
            int ones = Long.numberOfTrailingZeros(~field);
            field &= -(1L << ones);
        }
        return field << GRANULE_SHIFT;
    }

    /** Only NextLevel 7 spans more than one item (see {@link #contiguousLg2}). */
    @Override
    public long contiguousMask(int level) {
        return NEXT_LEVEL;
    }

    @Override
    public long contiguousMatch(int level) {
        return NL_SIZE;
    }

    @Override
    public int contiguousLg2(int level, long entry) {
        if ((entry & NEXT_LEVEL) != NL_SIZE) {
            return 0;
        }
        // Bit 11 (the top NextLevel bit) is 1, then the run of ones of the size code: the first
        // zero at or above bit itemShift gives the number of items.
        return Long.numberOfTrailingZeros(~(entry >>> itemShift(level)));
    }

    @Override
    public int leafProt(int level, long entry) {
        return ((entry & IR) != 0 ? Prot.READ : 0) | ((entry & IW) != 0 ? Prot.WRITE : 0);
    }

    /** The D bit alone is the dirty state. */
    @Override
    public long dirtyBit() {
        return D;
    }

    /**
     * The named bits of the AMD IOMMU spec section 2.2.3 PDE and PTE formats: PR, A, NextLevel
     * (11:9: the next table's AMD level in a PDE; in a PTE 0 for the level's own size and 7 for a
     * size encoded in the address field), IR and IW in every entry; a PTE adds D, U and FC.
     */
    @Override
    public List<BitField> describe(int level, long entry) {
        int nextLevel = (int) ((entry & NEXT_LEVEL) >>> 9);
        boolean table = level > 0 && nextLevel == level;
        String meaning = table ? "next table" : nextLevel == 0 ? "page" : nextLevel == 7 ? "size in address" : "";
        List<BitField> f = new ArrayList<>();
        f.add(BitField.flag("PR", 0, entry));
        f.add(BitField.flag("A", 5, entry));
        if (!table) {
            f.add(BitField.flag("D", 6, entry));
        }
        f.add(BitField.field("NextLevel", 11, 9, entry, meaning));
        if (!table) {
            f.add(BitField.flag("U", 59, entry));
            f.add(BitField.flag("FC", 60, entry));
        }
        f.add(BitField.flag("IR", 61, entry));
        f.add(BitField.flag("IW", 62, entry));
        return f;
    }

    @Override
    public String toString() {
        return name + "[top " + topLevel + (maxTopLevel != topLevel ? " grows to " + maxTopLevel : "") + "]";
    }
}
