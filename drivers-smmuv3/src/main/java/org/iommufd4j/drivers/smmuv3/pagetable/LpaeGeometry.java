package org.iommufd4j.drivers.smmuv3.pagetable;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The shape of one LPAE table: granule, stage, input (IAS) and output (OAS) widths, and what
 * follows from them: number of levels, the top table's size (stage 2 may concatenate up to 16
 * tables at the start level), which levels hold leaves and which page sizes each level offers.
 * Levels are generic page-table levels (0 = pages, Arm level 3).
 */
public final class LpaeGeometry {
    /** Arm ARM DDI 0487 "Concatenated translation tables for the initial stage 2 lookup": at most 16. */
    public static final int MAX_CONCAT_LG2 = 4;
    /** Input size this format supports (no 52-bit VA/IPA). */
    public static final int MAX_IAS = 48;

    private final LpaeGranule granule;
    private final boolean stage2;
    private final int ias;
    private final int oas;
    private final int topLevel;
    private final int topItemsLg2;
    private final boolean lpa;

    /**
     * @throws IommufdException EINVAL when the widths are outside what the granule and stage allow
     */
    public LpaeGeometry(LpaeGranule granule, boolean stage2, int ias, int oas) {
        this.granule = granule;
        this.stage2 = stage2;
        int maxOas = granule == LpaeGranule.G64K ? 52 : 48;
        // T0SZ is 16..39 without FEAT_LVA/FEAT_TTST (Arm ARM DDI 0487, TCR_EL1.T0SZ): 25..48 input bits.
        if (ias < 25 || ias > MAX_IAS) {
            throw new IommufdException(Errno.EINVAL, "arm-lpae: input size " + ias + " bits is outside 25..48");
        }
        // SMMU_IDR5.OAS encodes 32, 36, 40, 42, 44, 48 or 52 bits; 52 needs the 64K granule (LPA).
        if (oas < 32 || oas > maxOas) {
            throw new IommufdException(Errno.EINVAL, "arm-lpae: output size " + oas + " bits is outside 32.." + maxOas
                    + " for the " + granule.suffix() + " granule");
        }
        this.ias = ias;
        this.oas = oas;
        this.lpa = oas > 48;
        int b = granule.bitsPerLevel();
        int levels = (ias - granule.shift() + b - 1) / b;
        int top = levels - 1;
        int topBits = ias - granule.itemShift(top);
        if (stage2) {
            // Arm ARM "Concatenated translation tables for the initial lookup": a start level that
            // would resolve at most 4 bits is folded into up to 16 tables one level lower, as
            // Linux's io-pgtable-arm and generic_pt armv8 do. With the 4K granule a walk cannot
            // start at level 3 (that needs FEAT_TTST), so there the small start level stays.
            boolean foldAllowed = !(granule == LpaeGranule.G4K && top == 1);
            if (levels > 1 && topBits <= MAX_CONCAT_LG2 && foldAllowed) {
                top--;
                topBits += b;
            }
        }
        this.topLevel = top;
        this.topItemsLg2 = topBits;
    }

    public LpaeGranule granule() {
        return granule;
    }

    public boolean stage2() {
        return stage2;
    }

    /** Input address bits (64 - T0SZ). */
    public int ias() {
        return ias;
    }

    /** Output address bits. */
    public int oas() {
        return oas;
    }

    /** The root's level (Arm start level = 3 - topLevel). */
    public int topLevel() {
        return topLevel;
    }

    /** log2 of the items in a table at {@code level} (the root may have fewer or, concatenated, more). */
    public int itemsLg2(int level) {
        return level == topLevel ? topItemsLg2 : granule.bitsPerLevel();
    }

    /** Number of granule-sized tables concatenated at the root (1 unless stage 2 folded a level). */
    public int concatenatedTables() {
        return topItemsLg2 > granule.bitsPerLevel() ? 1 << (topItemsLg2 - granule.bitsPerLevel()) : 1;
    }

    /** Allocation order, in 4 KiB frames, of a table at {@code level}; the root is at least a granule. */
    public int tableFrameOrder(int level) {
        int bytesLg2 = itemsLg2(level) + 3;
        return Math.max(granule.frameOrder(), bytesLg2 - 12);
    }

    /** True if {@code level} may hold a page or block descriptor. */
    public boolean canHaveLeaf(int level) {
        return level <= granule.maxLeafLevel(lpa);
    }

    /** Page sizes a leaf at {@code level} can map: the item, and the contiguous run when it fits. */
    public long possibleSizes(int level) {
        if (level > topLevel || !canHaveLeaf(level)) {
            return 0;
        }
        int isz = granule.itemShift(level);
        long sizes = 1L << isz;
        int contig = granule.contigLg2(level);
        // A contiguous run must leave room in its table (it is never the table's whole span).
        if (contig > 0 && contig < itemsLg2(level) && isz + contig < 63) {
            sizes |= 1L << (isz + contig);
        }
        return sizes;
    }

    /** Every page size the table offers, limited to what the input and output widths can hold. */
    public long pgsizeBitmap() {
        long bitmap = 0;
        for (int level = 0; level <= topLevel; level++) {
            bitmap |= possibleSizes(level);
        }
        int width = Math.min(ias, oas);
        return bitmap & ((1L << width) - 1);
    }

    /** TCR/CD TG0 and STE S2TG encoding of the granule: 0 = 4K, 1 = 64K, 2 = 16K. */
    public int tgField() {
        return switch (granule) {
            case G4K -> 0;
            case G64K -> 1;
            case G16K -> 2;
        };
    }

    /** T0SZ / S2T0SZ: 64 - input size. */
    public int t0sz() {
        return 64 - ias;
    }

    /**
     * STE.S2SL0 (VTCR_EL2.SL0) for the start level: 4K granule 0 = level 2, 1 = level 1,
     * 2 = level 0; 16K and 64K 0 = level 3, 1 = level 2, 2 = level 1.
     */
    public int s2sl0() {
        int armStart = 3 - topLevel;
        return granule == LpaeGranule.G4K ? 2 - armStart : 3 - armStart;
    }

    @Override
    public String toString() {
        return "arm-lpae-" + (stage2 ? "s2-" : "s1-") + granule.suffix() + " ias " + ias + " oas " + oas
                + " top level " + topLevel + " (" + concatenatedTables() + " table(s), 2^" + topItemsLg2 + " items)";
    }
}
