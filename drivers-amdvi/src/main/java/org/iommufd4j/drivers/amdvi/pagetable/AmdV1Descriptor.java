package org.iommufd4j.drivers.amdvi.pagetable;

import org.iommufd4j.spi.IommuProt;

/**
 * Bit layout of AMD I/O virtualization (IOMMU) v1 host page-table entries: AMD IOMMU
 * Specification (doc 48882), 2.2.3 "I/O Page Tables for Host Translations", Figure "I/O Page
 * Table Entry (PTE)" / "I/O Page Directory Entry (PDE)", Table 14 "Example Page Size Encodings".
 * Linux: drivers/iommu/amd/amd_iommu_types.h and generic_pt fmt/amdv1.h.
 *
 * <p>Levels are generic page-table levels: level 0 is AMD level 1 (4 KiB items); a table at
 * generic level L is AMD level L+1, so DTE.Mode = top level + 1.
 */
public final class AmdV1Descriptor {
    private AmdV1Descriptor() {
    }

    public static final long PR = 1L;
    /** Accessed, set by the IOMMU when DTE.HAD enables it. */
    public static final long A = 1L << 5;
    /** Dirty, set by the IOMMU when DTE.HAD = 11b (host dirty tracking). */
    public static final long D = 1L << 6;
    public static final int NEXT_LEVEL_SHIFT = 9;
    public static final long NEXT_LEVEL_MASK = 7L << NEXT_LEVEL_SHIFT;
    /** NextLevel 0 in a PTE: the page is the level's default size. */
    public static final int NL_DEFAULT = 0;
    /** NextLevel 7 in a PTE: the page size is encoded in the low address bits (Table 14). */
    public static final int NL_SIZE = 7;
    /** Address bits 51:12 (table or page frame). */
    public static final long OA_MASK = 0x000f_ffff_ffff_f000L;
    public static final long U = 1L << 59;
    /** Force coherent: the device's accesses snoop regardless of its no-snoop attribute. */
    public static final long FC = 1L << 60;
    public static final long IR = 1L << 61;
    public static final long IW = 1L << 62;

    /** Leaf permission bits for {@link IommuProt} (IR/IW; FC when the domain forces coherence). */
    public static long leafAttributes(int prot, boolean forceCoherence) {
        long pte = forceCoherence ? FC : 0;
        if ((prot & IommuProt.READ) != 0) {
            pte |= IR;
        }
        if ((prot & IommuProt.WRITE) != 0) {
            pte |= IW;
        }
        return pte;
    }

    /**
     * The PTE for a page of 2^{@code sizeLg2} bytes at {@code oa} in a table whose items cover
     * 2^{@code itemLg2}. A page larger than the item gets NextLevel 7 and, per Table 14, its
     * size as a run of ones in address bits [sizeLg2-2:12] with bit sizeLg2-1 clear; the caller
     * writes it into every item the page spans.
     */
    public static long leaf(long oa, int sizeLg2, int itemLg2, long attributes) {
        long entry = PR | (oa & OA_MASK) | attributes;
        if (sizeLg2 == itemLg2) {
            return entry;
        }
        long sizeCode = ((1L << (sizeLg2 - 12 - 1)) - 1) << 12;
        return entry | ((long) NL_SIZE << NEXT_LEVEL_SHIFT) | sizeCode;
    }

    /**
     * A PDE at generic level {@code level} pointing at the table one level down. Its NextLevel is
     * the AMD level of that table, which equals {@code level}. IR and IW are set: permissions are
     * ANDed along the walk and the leaves decide.
     */
    public static long table(int level, long tablePa) {
        return PR | ((long) level << NEXT_LEVEL_SHIFT) | (tablePa & OA_MASK) | IR | IW;
    }

    public static int nextLevel(long entry) {
        return (int) ((entry >>> NEXT_LEVEL_SHIFT) & 7);
    }

    /** True for a PDE at {@code level}: present, not at level 0, NextLevel neither 0 nor 7. */
    public static boolean isTable(int level, long entry) {
        int nl = nextLevel(entry);
        return (entry & PR) != 0 && level != 0 && nl != NL_DEFAULT && nl != NL_SIZE;
    }

    /**
     * log2 of the page size a present leaf maps in a table of 2^{@code itemLg2}-byte items:
     * NextLevel 0 is the item; NextLevel 7 is 2^(1 + index of the lowest zero in address bits
     * from 12 up), as the spec's Table 14 (and QEMU's {@code 1 << (1 + cto64(pte | 0xfff))}).
     */
    public static int leafSizeLg2(long entry, int itemLg2) {
        if (nextLevel(entry) != NL_SIZE) {
            return itemLg2;
        }
        return 1 + Long.numberOfTrailingZeros(~(entry | 0xfffL));
    }

    /** The page's base output address (the size code removed). */
    public static long leafOa(long entry, int itemLg2) {
        int sizeLg2 = leafSizeLg2(entry, itemLg2);
        return entry & OA_MASK & -(1L << sizeLg2);
    }

    /** The next table's physical address in a PDE. */
    public static long tablePa(long entry) {
        return entry & OA_MASK;
    }
}
