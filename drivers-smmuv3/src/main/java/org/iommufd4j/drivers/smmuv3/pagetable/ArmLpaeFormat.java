package org.iommufd4j.drivers.smmuv3.pagetable;

import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.AP_RDONLY;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.AP_UNPRIV;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.ATTRINDX_MASK;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.ATTRINDX_SHIFT;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.CONTIG;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.DBM;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.PAGE;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.S2AP_READ;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.S2AP_WRITE;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.S2MEMATTR_MASK;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.S2MEMATTR_SHIFT;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.TABLE;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.VALID;
import static org.iommufd4j.drivers.smmuv3.pagetable.LpaeDescriptor.XN;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.pt.BitField;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The VMSAv8-64 long-descriptor ("LPAE") translation table an SMMUv3 walks for stage 1 (CD.TTB0)
 * or stage 2 (STE.S2TTB), for the 4K, 16K and 64K granules: Arm ARM DDI 0487 D8.3 "Translation
 * table descriptor formats", SMMUv3 IHI 0070 3.13 for HTTU dirty state. After Linux's
 * io-pgtable-arm.c and generic_pt fmt/armv8.h.
 *
 * <p>Levels: 0 = Arm level 3 (pages), 1 = Arm level 2, 2 = Arm level 1, 3 = Arm level 0. Tables
 * are {@code VALID|TABLE|address}; leaves are pages ({@code 0b11}) at level 0 and blocks
 * ({@code 0b01}) above, with AF always set and the attributes of {@link LpaeDescriptor#leafAttributes}.
 * A contiguous entry sets the Contiguous bit in each of its 16/32/128 items, item i holding the
 * run's first address plus i items. Stage 2 roots may be 2..16 concatenated tables.
 *
 * <p>With {@code dbm} (dirty tracking through HTTU), writable leaves carry DBM and start
 * writable-dirty; cleaning sets AP[2] (stage 1) or clears S2AP[1] (stage 2), and the SMMU reverts
 * that on the next write.
 */
public final class ArmLpaeFormat implements PageTableFormat {
    /** Every format name this class answers to. */
    public static final List<String> NAMES = List.of("arm-lpae-s1-4k", "arm-lpae-s1-16k", "arm-lpae-s1-64k",
            "arm-lpae-s2-4k", "arm-lpae-s2-16k", "arm-lpae-s2-64k");

    // Meanings of the fields describe() names.
    /** AP[2:1] (D8.4.1): EL1 access, EL0 access. */
    private static final String[] ACCESS = {"RW,EL0 none", "RW,EL0 RW", "RO,EL0 none", "RO,EL0 RO"};
    /** S2AP (D8.4.2): S2AP[0] read, S2AP[1] write. */
    private static final String[] S2_ACCESS = {"none", "RO", "WO", "RW"};
    private static final String[] SHAREABILITY = {"non", "reserved", "outer", "inner"};

    private final LpaeGeometry geometry;
    private final LpaeGranule granule;
    private final boolean stage2;
    private final boolean dbm;
    private final boolean s2fwb;
    private final String name;

    /**
     * @param ias input bits (T0SZ = 64 - ias), 25..48
     * @param oas output bits, 32..48 (52 with the 64K granule)
     * @param dbm writable leaves get DBM (HTTU dirty tracking: CD.HD / STE.S2HD)
     * @param s2fwb stage 2 cacheable memory uses the FEAT_S2FWB MemAttr encoding
     * @throws IommufdException EINVAL for widths the granule and stage cannot express
     */
    public ArmLpaeFormat(LpaeGranule granule, boolean stage2, int ias, int oas, boolean dbm, boolean s2fwb) {
        if (s2fwb && !stage2) {
            throw new IommufdException(Errno.EINVAL, "arm-lpae: S2FWB applies to stage 2 only");
        }
        this.geometry = new LpaeGeometry(granule, stage2, ias, oas);
        this.granule = granule;
        this.stage2 = stage2;
        this.dbm = dbm;
        this.s2fwb = s2fwb;
        this.name = "arm-lpae-" + (stage2 ? "s2-" : "s1-") + granule.suffix();
    }

    /** Stage 1 with a 48-bit input and output and no dirty tracking. */
    public static ArmLpaeFormat stage1(LpaeGranule granule) {
        return new ArmLpaeFormat(granule, false, 48, 48, false, false);
    }

    /** Stage 2 with an {@code ias}-bit IPA, 48-bit output and no dirty tracking. */
    public static ArmLpaeFormat stage2(LpaeGranule granule, int ias) {
        return new ArmLpaeFormat(granule, true, ias, 48, false, false);
    }

    /**
     * The format called {@code name} (one of {@link #NAMES}).
     *
     * @throws IommufdException EINVAL for an unknown name or bad widths
     */
    public static ArmLpaeFormat named(String name, int ias, int oas, boolean dbm) {
        for (LpaeGranule g : LpaeGranule.values()) {
            if (name.equals("arm-lpae-s1-" + g.suffix())) {
                return new ArmLpaeFormat(g, false, ias, oas, dbm, false);
            }
            if (name.equals("arm-lpae-s2-" + g.suffix())) {
                return new ArmLpaeFormat(g, true, ias, oas, dbm, false);
            }
        }
        throw new IommufdException(Errno.EINVAL, "unknown ARM page-table format '" + name + "' (known: " + NAMES + ")");
    }

    public LpaeGeometry geometry() {
        return geometry;
    }

    public boolean stage2() {
        return stage2;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int vaBits() {
        return geometry.ias();
    }

    @Override
    public int oaBits() {
        return geometry.oas();
    }

    @Override
    public int topLevel() {
        return geometry.topLevel();
    }

    @Override
    public int itemShift(int level) {
        return granule.itemShift(level);
    }

    @Override
    public int indexBits(int level) {
        return geometry.itemsLg2(level);
    }

    @Override
    public int tableOrder(int level) {
        return geometry.tableFrameOrder(level);
    }

    @Override
    public long leafSizes(int level) {
        return geometry.possibleSizes(level);
    }

    @Override
    public long presentMask(int level) {
        return VALID;
    }

    @Override
    public long tableMask(int level) {
        return level == 0 ? 0 : VALID | TABLE;
    }

    @Override
    public long tableMatch(int level) {
        return level == 0 ? 1 : VALID | TABLE;
    }

    @Override
    public long tableEntry(int level, long tablePa) {
        return LpaeDescriptor.table(granule, tablePa, false);
    }

    @Override
    public long oaMask(int level) {
        // With the 64K granule and a 52-bit output, OA[51:48] sits in bits 15:12: not a plain mask.
        return granule == LpaeGranule.G64K && oaBits() > 48 ? 0 : LpaeDescriptor.oaMask(granule);
    }

    @Override
    public long tablePa(int level, long entry) {
        return LpaeDescriptor.decodeOa(granule, entry);
    }

    @Override
    public long leafTemplate(int level, int pageSizeLg2, int prot) {
        long e = VALID | (level == 0 ? PAGE : 0) | LpaeDescriptor.leafAttributes(stage2, prot, dbm, s2fwb);
        if (pageSizeLg2 != granule.itemShift(level)) {
            e |= CONTIG;
        }
        return e;
    }

    @Override
    public long encodeOa(int level, long oa) {
        return LpaeDescriptor.encodeOa(granule, oa);
    }

    /** OA[51:48] moves to bits 15:12 with 52-bit output, so a carry out of bit 47 is not additive. */
    @Override
    public boolean oaEncodingLinear() {
        return geometry.oas() <= 48;
    }

    @Override
    public long leafOa(int level, long entry) {
        return LpaeDescriptor.decodeOa(granule, entry);
    }

    /** Only a descriptor with the Contiguous bit spans more than one item. */
    @Override
    public long contiguousMask(int level) {
        return CONTIG;
    }

    @Override
    public long contiguousMatch(int level) {
        return CONTIG;
    }

    @Override
    public int contiguousLg2(int level, long entry) {
        return (entry & CONTIG) != 0 ? granule.contigLg2(level) : 0;
    }

    @Override
    public int leafProt(int level, long entry) {
        int prot;
        if (!stage2) {
            // Stage 1 always grants read; AP[2] clear or DBM (writable-clean) grants write.
            prot = Prot.READ;
            if ((entry & AP_RDONLY) == 0 || (entry & DBM) != 0) {
                prot |= Prot.WRITE;
            }
            if ((entry & AP_UNPRIV) == 0) {
                prot |= Prot.PRIV;
            }
            long idx = (entry & ATTRINDX_MASK) >>> ATTRINDX_SHIFT;
            if (idx == LpaeDescriptor.MAIR_IDX_DEV) {
                prot |= Prot.MMIO;
            } else if (idx == LpaeDescriptor.MAIR_IDX_CACHE) {
                prot |= Prot.CACHE;
            }
        } else {
            prot = 0;
            if ((entry & S2AP_READ) != 0) {
                prot |= Prot.READ;
            }
            if ((entry & S2AP_WRITE) != 0 || (entry & DBM) != 0) {
                prot |= Prot.WRITE;
            }
            long memattr = (entry & S2MEMATTR_MASK) >>> S2MEMATTR_SHIFT;
            if (memattr == LpaeDescriptor.S2_MEMATTR_DEV) {
                prot |= Prot.MMIO;
            } else if (memattr == LpaeDescriptor.S2_MEMATTR_OIWB || memattr == LpaeDescriptor.S2_MEMATTR_FWB_WB) {
                prot |= Prot.CACHE;
            }
        }
        if ((entry & XN) == XN) {
            prot |= Prot.NOEXEC;
        }
        return prot;
    }

    @Override
    public boolean supportsDirty() {
        return dbm;
    }

    /** DBM with write permission present: {@link LpaeDescriptor#isWriteDirty} as a mask/match pair. */
    @Override
    public long dirtyMask(int level) {
        return stage2 ? DBM | S2AP_WRITE : DBM | AP_RDONLY;
    }

    @Override
    public long dirtyMatch(int level) {
        return stage2 ? DBM | S2AP_WRITE : DBM;
    }

    @Override
    public boolean isWriteDirty(int level, long entry) {
        return LpaeDescriptor.isWriteDirty(stage2, entry);
    }

    @Override
    public long makeWriteClean(int level, long entry) {
        return (entry & DBM) != 0 ? LpaeDescriptor.writeClean(stage2, entry) : entry;
    }

    /** Only a DBM leaf can become dirty (without DBM a write to a read-only leaf faults). */
    @Override
    public long makeWriteDirty(int level, long entry) {
        return (entry & DBM) != 0 ? LpaeDescriptor.writeDirty(stage2, entry) : entry;
    }

    /**
     * The named bits of Arm ARM DDI 0487 D8.3 "Translation table descriptor formats" (with D8.4.1
     * for AP and SMMUv3 3.13.3 for DBM): a stage 1 table descriptor has Valid, Table and the
     * hierarchical PXNTable, UXNTable, APTable and NSTable; a block or page descriptor has Valid,
     * Page (bit 1, level 0 only), AttrIndx (with the memory type Linux programs into MAIR), NS and
     * AP[2:1] at stage 1 or MemAttr and S2AP at stage 2, then SH, AF, nG (stage 1), DBM,
     * Contiguous, and PXN/UXN (stage 1) or XN (stage 2).
     */
    @Override
    public List<BitField> describe(int level, long entry) {
        List<BitField> f = new ArrayList<>();
        f.add(BitField.flag("Valid", 0, entry));
        if (LpaeDescriptor.isTable(level, entry)) {
            f.add(BitField.flag("Table", 1, entry));
            if (!stage2) {
                f.add(BitField.flag("PXNTable", 59, entry));
                f.add(BitField.flag("UXNTable", 60, entry));
                f.add(BitField.field("APTable", 62, 61, entry));
                f.add(BitField.flag("NSTable", 63, entry));
            }
            return f;
        }
        if (level == 0) {
            f.add(BitField.flag("Page", 1, entry));
        }
        if (!stage2) {
            f.add(BitField.field("AttrIndx", 4, 2, entry, mairType((int) ((entry & ATTRINDX_MASK) >>> ATTRINDX_SHIFT))));
            f.add(BitField.flag("NS", 5, entry));
            f.add(BitField.field("AP", 7, 6, entry, ACCESS[(int) ((entry >>> LpaeDescriptor.AP_SHIFT) & 3)]));
        } else {
            f.add(BitField.field("MemAttr", 5, 2, entry, s2MemAttr((int) ((entry & S2MEMATTR_MASK) >>> S2MEMATTR_SHIFT))));
            f.add(BitField.field("S2AP", 7, 6, entry, S2_ACCESS[(int) ((entry >>> 6) & 3)]));
        }
        f.add(BitField.field("SH", 9, 8, entry, SHAREABILITY[(int) ((entry & LpaeDescriptor.SH_MASK) >>> LpaeDescriptor.SH_SHIFT)]));
        f.add(BitField.flag("AF", 10, entry));
        if (!stage2) {
            f.add(BitField.flag("nG", 11, entry));
        }
        f.add(BitField.flag("DBM", 51, entry));
        f.add(BitField.flag("Contiguous", 52, entry));
        if (!stage2) {
            f.add(BitField.flag("PXN", 53, entry));
            f.add(BitField.flag("UXN", 54, entry));
        } else {
            f.add(BitField.field("XN", 54, 53, entry));
        }
        return f;
    }

    /** The memory type of a MAIR index as Linux's io-pgtable-arm programs MAIR. */
    private static String mairType(int index) {
        switch (index) {
            case 0:
                return "Normal-NC";
            case LpaeDescriptor.MAIR_IDX_CACHE:
                return "Normal-WB";
            case LpaeDescriptor.MAIR_IDX_DEV:
                return "Device-nGnRE";
            case 3:
                return "Normal-iNC-oWB";
            default:
                return "";
        }
    }

    private String s2MemAttr(int memAttr) {
        if (s2fwb && memAttr == LpaeDescriptor.S2_MEMATTR_FWB_WB) {
            return "FWB-WB";
        }
        switch (memAttr) {
            case LpaeDescriptor.S2_MEMATTR_OIWB:
                return "Normal-WB";
            case LpaeDescriptor.S2_MEMATTR_NC:
                return "Normal-NC";
            case LpaeDescriptor.S2_MEMATTR_DEV:
                return "Device-nGnRE";
            default:
                return "";
        }
    }

    @Override
    public String toString() {
        return geometry + (dbm ? " dbm" : "") + (s2fwb ? " s2fwb" : "");
    }
}
