package org.iommufd4j.drivers.amdvi.pagetable;

import static org.iommufd4j.drivers.amdvi.pagetable.AmdV1Descriptor.D;
import static org.iommufd4j.drivers.amdvi.pagetable.AmdV1Descriptor.IR;
import static org.iommufd4j.drivers.amdvi.pagetable.AmdV1Descriptor.IW;
import static org.iommufd4j.drivers.amdvi.pagetable.AmdV1Descriptor.NEXT_LEVEL_MASK;
import static org.iommufd4j.drivers.amdvi.pagetable.AmdV1Descriptor.NEXT_LEVEL_SHIFT;
import static org.iommufd4j.drivers.amdvi.pagetable.AmdV1Descriptor.OA_MASK;
import static org.iommufd4j.drivers.amdvi.pagetable.AmdV1Descriptor.PR;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.pt.BitField;
import org.iommufd4j.pt.DirtyBitFormat;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The AMD-Vi v1 host page table (AMD IOMMU spec 48882, 2.2.3 "I/O Page Tables for Host
 * Translations"), after Linux's generic_pt fmt/amdv1.h.
 *
 * <p>Levels: generic level L is AMD level L+1; DTE.Mode (1..6) = top level + 1. Each level resolves
 * 9 IOVA bits of a 4 KiB item (level 0: bits 20:12, ... level 4: bits 56:48); the mode-6 root
 * resolves bits 63:57 (128 items) and cannot hold pages (Table 15 "Page Table Level Parameters").
 * PDEs are {@code PR|NextLevel=L|address|IR|IW} (permissions are ANDed along the walk, leaves
 * decide). Leaves of the level's default size have NextLevel 0; every other power of two from the
 * item size up to 256 items (and never 512 GiB, a hardware erratum Linux honours) is a NextLevel=7
 * entry whose size is a run of ones in the address bits, replicated into every item it spans
 * (Table 14 "Example Page Size Encodings").
 *
 * <p>The top grows as higher IOVAs are mapped (Linux PT_FEAT_DYNAMIC_TOP): a table starts at
 * {@code startLevel} (Linux: 2, a 3-level 39-bit table) and the engine adds roots, the old one at
 * index 0, up to the hardware's level count (EFR.HATS); the driver rewrites DTE.Mode and the root
 * pointer through its {@link org.iommufd4j.pt.TopChangeListener}. Dirty state is the D bit (6),
 * set by the IOMMU when DTE.HAD = 11b.
 */
public final class AmdV1Format implements DirtyBitFormat {
    /** The mode-6 root only ever uses IOVA bits 63:57. */
    private static final int TOP6_INDEX_BITS = 7;
    private static final long SIZE_512G = 1L << 39;

    private final int startLevel;
    private final int maxTopLevel;
    private final int vaBits;
    private final boolean forceCoherence;

    /**
     * @param hostLevels levels the IOMMU walks at most (EFR.HATS: 4, 5 or 6)
     * @param startLevel the level a new table's root has (0..hostLevels-1, DTE.Mode 1..; Linux uses 2)
     * @param dynamicTop whether the root may grow up to {@code hostLevels}; without it the table
     *        keeps {@code startLevel} and translates only what that root spans
     * @param forceCoherence set FC in every leaf (Linux PT_FEAT_AMDV1_FORCE_COHERENCE, its default)
     * @throws IommufdException EINVAL for level counts the hardware cannot have
     */
    public AmdV1Format(int hostLevels, int startLevel, boolean dynamicTop, boolean forceCoherence) {
        if (hostLevels < 4 || hostLevels > 6) {
            throw new IommufdException(Errno.EINVAL, "amdv1: host levels " + hostLevels + " is not 4, 5 or 6 (EFR.HATS)");
        }
        // Mode 1 (a single 2 MiB table, start level 0) is valid hardware; Linux starts at 2.
        if (startLevel < 0 || startLevel > hostLevels - 1) {
            throw new IommufdException(Errno.EINVAL, "amdv1: start level " + startLevel + " is outside 0.." + (hostLevels - 1));
        }
        this.startLevel = startLevel;
        this.maxTopLevel = dynamicTop ? hostLevels - 1 : startLevel;
        // Linux amd_iommu: hw_max_vasz_lg2 = min(64, (hpt_level - 1) * 9 + 21).
        int hwVa = Math.min(64, (hostLevels - 1) * 9 + 21);
        this.vaBits = Math.min(hwVa, coverage(maxTopLevel));
        this.forceCoherence = forceCoherence;
    }

    /** Linux's AMD v1 domain: up to 6 levels, starting at 3, growing, FC set. */
    public static AmdV1Format linuxDefault() {
        return new AmdV1Format(6, 2, true, true);
    }

    /** Linux's AMD v1 domain on an IOMMU walking at most {@code hostLevels} levels (EFR.HATS). */
    public static AmdV1Format linuxDefaultWith(int hostLevels) {
        return new AmdV1Format(hostLevels, 2, true, true);
    }

    private static int coverage(int level) {
        return Math.min(64, 12 + 9 * (level + 1));
    }

    /** DTE.Mode for a table whose top is {@code topLevel}. */
    public static int dteMode(int topLevel) {
        return topLevel + 1;
    }

    @Override
    public String name() {
        return "amdv1";
    }

    @Override
    public int vaBits() {
        return vaBits;
    }

    @Override
    public int oaBits() {
        return 52;
    }

    @Override
    public int topLevel() {
        return startLevel;
    }

    @Override
    public int maxTopLevel() {
        return maxTopLevel;
    }

    @Override
    public int itemShift(int level) {
        return 12 + 9 * level;
    }

    @Override
    public int indexBits(int level) {
        return level == 5 ? TOP6_INDEX_BITS : 9;
    }

    @Override
    public long leafSizes(int level) {
        if (level >= 5) {
            return 0;
        }
        int isz = itemShift(level);
        int max = Math.min(51, isz + 8);
        long sizes = ((1L << (max + 1)) - 1) & -(1L << isz);
        return sizes & ~SIZE_512G;
    }

    @Override
    public long presentMask(int level) {
        return PR;
    }

    @Override
    public long tableMask(int level) {
        return level == 0 ? 0 : PR | NEXT_LEVEL_MASK;
    }

    /** A PDE at level L names the AMD level of its child, which is L. */
    @Override
    public long tableMatch(int level) {
        return level == 0 ? 1 : PR | ((long) level << NEXT_LEVEL_SHIFT);
    }

    @Override
    public long tableEntry(int level, long tablePa) {
        return AmdV1Descriptor.table(level, tablePa);
    }

    @Override
    public long oaMask(int level) {
        return OA_MASK;
    }

    @Override
    public long tablePa(int level, long entry) {
        return entry & OA_MASK;
    }

    @Override
    public long leafTemplate(int level, int pageSizeLg2, int prot) {
        // The address is ORed in by the engine; it is aligned to the page, so the size code survives.
        return AmdV1Descriptor.leaf(0, pageSizeLg2, itemShift(level), AmdV1Descriptor.leafAttributes(prot, forceCoherence));
    }

    @Override
    public long encodeOa(int level, long oa) {
        return oa & OA_MASK;
    }

    @Override
    public long leafOa(int level, long entry) {
        return AmdV1Descriptor.leafOa(entry, itemShift(level));
    }

    @Override
    public boolean contiguousItemsReplicateOa() {
        return true;
    }

    /** Only NextLevel 7 (the page size is in the address bits, spec Table 14) spans more than one item. */
    @Override
    public long contiguousMask(int level) {
        return NEXT_LEVEL_MASK;
    }

    @Override
    public long contiguousMatch(int level) {
        return NEXT_LEVEL_MASK;
    }

    @Override
    public int contiguousLg2(int level, long entry) {
        int isz = itemShift(level);
        return AmdV1Descriptor.leafSizeLg2(entry, isz) - isz;
    }

    @Override
    public int leafProt(int level, long entry) {
        int prot = 0;
        if ((entry & IR) != 0) {
            prot |= Prot.READ;
        }
        if ((entry & IW) != 0) {
            prot |= Prot.WRITE;
        }
        return prot;
    }

    /** The D bit alone is the dirty state. */
    @Override
    public long dirtyBit() {
        return D;
    }

    /**
     * The named bits of AMD IOMMU spec 48882 2.2.3 (figures "I/O Page Directory Entry" and "I/O
     * Page Table Entry"): PR, A, NextLevel (the child's AMD level in a PDE; in a PTE 0 for the
     * level's default size, 7 for a size encoded in the address field, Table 14), IR and IW in
     * both; a PTE adds D, U and FC.
     */
    @Override
    public List<BitField> describe(int level, long entry) {
        int nextLevel = (int) ((entry & NEXT_LEVEL_MASK) >>> NEXT_LEVEL_SHIFT);
        boolean table = level > 0 && nextLevel == level;
        String meaning = table ? "next table" : nextLevel == AmdV1Descriptor.NL_DEFAULT ? "page"
                : nextLevel == AmdV1Descriptor.NL_SIZE ? "size in address" : "";
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
        return "amdv1[start level " + startLevel + ", max top level " + maxTopLevel + ", " + vaBits + "-bit"
                + (forceCoherence ? ", FC" : "") + "]";
    }
}
