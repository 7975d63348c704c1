package org.iommufd4j.drivers.vtd.pagetable;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.pt.BitField;
import org.iommufd4j.pt.DirtyBitFormat;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.uapi.IommufdException;

/**
 * Intel VT-d second-stage paging, 3, 4 or 5 levels: VT-d spec section 3.7 "Second-Stage
 * Translation" and section 9.8 "Second-Stage Paging Entries"; Linux
 * drivers/iommu/generic_pt/fmt/vtdss.h.
 *
 * <p>Levels: 0 SS-PTE (4 KiB), 1 SS-PDE (2 MiB with PS), 2 SS-PDPTE (1 GiB with PS), 3 SS-PML4E,
 * 4 SS-PML5E. Entry bits: R 0, W 1, X 2, EMT 5:3, IPAT 6, PS 7, A 8, D 9, SNP 11, address 51:12.
 * There is no present bit: an entry is present when it is not zero, and every leaf grants R or W.
 * Tables are written {@code R|W|addr} (permissions are ANDed down the walk, so tables grant all);
 * leaves {@code R?|W?|PS?|SNP?|addr}. Dirty state is D (bit 9), set by hardware when the PASID
 * entry has SSADE.
 */
public final class VtdSecondStageFormat implements DirtyBitFormat {
    public static final long R = 1L << 0;
    public static final long W = 1L << 1;
    public static final long PS = 1L << 7;
    public static final long A = 1L << 8;
    public static final long D = 1L << 9;
    public static final long SNP = 1L << 11;
    /** Address bits 51:12. */
    public static final long ADDR = 0x000f_ffff_ffff_f000L;

    private final int levels;
    private final boolean largePages2m;
    private final boolean largePages1g;
    private final boolean forceSnoop;
    private final boolean forceWriteable;

    /**
     * @param levels 3 (39-bit AGAW), 4 (48-bit) or 5 (57-bit)
     * @param largePages2m CAP.SLLPS bit 34: 2 MiB leaves at the SS-PDE
     * @param largePages1g CAP.SLLPS bit 35: 1 GiB leaves at the SS-PDPTE
     * @param forceSnoop set SNP in every leaf (Linux PT_FEAT_VTDSS_FORCE_COHERENCE)
     * @param forceWriteable refuse read-only leaves (PT_FEAT_VTDSS_FORCE_WRITEABLE, erratum
     *        ERRATA_772415_SPR17 for nest parents)
     */
    public VtdSecondStageFormat(int levels, boolean largePages2m, boolean largePages1g, boolean forceSnoop,
            boolean forceWriteable) {
        if (levels < 3 || levels > 5) {
            throw new IllegalArgumentException("VT-d second stage has 3, 4 or 5 levels: " + levels);
        }
        this.levels = levels;
        this.largePages2m = largePages2m;
        this.largePages1g = largePages1g;
        this.forceSnoop = forceSnoop;
        this.forceWriteable = forceWriteable;
    }

    /** {@code levels} levels with 2 MiB and 1 GiB pages and no forced attributes. */
    public static VtdSecondStageFormat of(int levels) {
        return new VtdSecondStageFormat(levels, true, true, false, false);
    }

    /** The same table with SNP forced on every new leaf (enforce_cache_coherency). */
    public VtdSecondStageFormat withForceSnoop() {
        return new VtdSecondStageFormat(levels, largePages2m, largePages1g, true, forceWriteable);
    }

    /** The same table refusing read-only leaves (a nest parent on erratum-772415 hardware). */
    public VtdSecondStageFormat withForceWriteable() {
        return new VtdSecondStageFormat(levels, largePages2m, largePages1g, forceSnoop, true);
    }

    public int levels() {
        return levels;
    }

    /** The context/PASID-entry AW field for this table: 1 = 3-level, 2 = 4-level, 3 = 5-level. */
    public int addressWidthCode() {
        return levels - 2;
    }

    @Override
    public String name() {
        return "vtd-ss";
    }

    @Override
    public int vaBits() {
        return 12 + 9 * levels; // 39, 48, 57
    }

    @Override
    public int oaBits() {
        return 52;
    }

    @Override
    public int topLevel() {
        return levels - 1;
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
                return largePages2m ? 1L << 21 : 0;
            case 2:
                return largePages1g ? 1L << 30 : 0;
            default:
                return 0;
        }
    }

    @Override
    public long presentMask(int level) {
        return -1L; // no present bit: any non-zero entry is present
    }

    @Override
    public long tableMask(int level) {
        if (level == 0) {
            return 0;
        }
        return level <= 2 ? PS : 0;
    }

    @Override
    public long tableMatch(int level) {
        return level == 0 ? 1 : 0;
    }

    @Override
    public long tableEntry(int level, long tablePa) {
        return R | W | (tablePa & ADDR);
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
        if (forceWriteable && (prot & Prot.WRITE) == 0) {
            throw IommufdException.einval("vtd-ss: read-only mapping is disallowed on a nest parent"
                    + " (ERRATA_772415_SPR17)");
        }
        long e = 0;
        if ((prot & Prot.READ) != 0) {
            e |= R;
        }
        if ((prot & Prot.WRITE) != 0) {
            e |= W;
        }
        if (forceSnoop) {
            e |= SNP;
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
        return entry & ADDR;
    }

    @Override
    public int leafProt(int level, long entry) {
        return ((entry & R) != 0 ? Prot.READ : 0) | ((entry & W) != 0 ? Prot.WRITE : 0);
    }

    /** The D bit alone is the dirty state. */
    @Override
    public long dirtyBit() {
        return D;
    }

    /**
     * The named bits of VT-d spec section 9.8 "Second-Stage Paging Entries": R, W, X and A in
     * every entry (A only with SSADS), PS in an SS-PDPTE/SS-PDE; leaves add EMT (5:3, with its
     * memory type), IPAT, D and SNP.
     */
    @Override
    public List<BitField> describe(int level, long entry) {
        boolean leaf = level == 0 || (level <= 2 && (entry & PS) != 0);
        List<BitField> f = new ArrayList<>();
        f.add(BitField.flag("R", 0, entry));
        f.add(BitField.flag("W", 1, entry));
        f.add(BitField.flag("X", 2, entry));
        if (leaf) {
            f.add(BitField.field("EMT", 5, 3, entry, memoryType((int) ((entry >>> 3) & 7))));
            f.add(BitField.flag("IPAT", 6, entry));
        }
        if (level == 1 || level == 2) {
            f.add(BitField.flag("PS", 7, entry));
        }
        f.add(BitField.flag("A", 8, entry));
        if (leaf) {
            f.add(BitField.flag("D", 9, entry));
            f.add(BitField.flag("SNP", 11, entry));
        }
        return f;
    }

    /** EMT encodings (VT-d spec section 9.8, the memory types of Intel SDM vol. 3 table 11-10). */
    private static String memoryType(int emt) {
        switch (emt) {
            case 0:
                return "UC";
            case 1:
                return "WC";
            case 4:
                return "WT";
            case 5:
                return "WP";
            case 6:
                return "WB";
            default:
                return "reserved";
        }
    }

    @Override
    public String toString() {
        return "vtd-ss[" + levels + " levels" + (forceSnoop ? ", snoop" : "") + (forceWriteable ? ", writeable" : "") + "]";
    }
}
