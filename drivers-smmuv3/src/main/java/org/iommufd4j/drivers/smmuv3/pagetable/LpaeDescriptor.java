package org.iommufd4j.drivers.smmuv3.pagetable;

import org.iommufd4j.spi.IommuProt;

/**
 * Bit layout of VMSAv8-64 long-descriptor translation table entries, as the SMMUv3 walks them
 * (SMMUv3 spec IHI 0070: the Context Descriptor's TTB0 and the Stream Table Entry's S2TTB point
 * at these tables; the descriptor formats themselves are Arm ARM DDI 0487, D8.3 "Translation
 * table descriptor formats"). Linux: io-pgtable-arm.c and generic_pt fmt/armv8.h.
 *
 * <p>All methods are static and allocation free: they are called on the engine's hot path.
 */
public final class LpaeDescriptor {
    private LpaeDescriptor() {
    }

    // D8.3.1/D8.3.2: bits 1:0 -- 0bx0 invalid, 0b11 table (levels > 0) or page (level 0), 0b01 block.
    public static final long VALID = 1L;
    public static final long TABLE = 1L << 1;
    public static final long PAGE = 1L << 1;
    // Stage 1 lower attributes (D8.3.2, "Stage 1 attribute fields in Block and Page descriptors").
    public static final int ATTRINDX_SHIFT = 2;
    public static final long ATTRINDX_MASK = 7L << ATTRINDX_SHIFT;
    public static final long NS = 1L << 5;
    public static final int AP_SHIFT = 6;
    /** AP[1]: access from EL0 (unprivileged) allowed. */
    public static final long AP_UNPRIV = 1L << 6;
    /** AP[2]: read-only. With DBM set, "writable-clean" (SMMUv3 3.13.3). */
    public static final long AP_RDONLY = 1L << 7;
    public static final long NG = 1L << 11;
    // Stage 2 lower attributes (D8.3.2, "Stage 2 attribute fields in Block and Page descriptors").
    public static final int S2MEMATTR_SHIFT = 2;
    public static final long S2MEMATTR_MASK = 0xfL << S2MEMATTR_SHIFT;
    /** S2AP[0]: read permitted. */
    public static final long S2AP_READ = 1L << 6;
    /** S2AP[1]: write permitted. With DBM set and clear, "writable-clean". */
    public static final long S2AP_WRITE = 1L << 7;
    // Shared lower/upper attributes.
    public static final int SH_SHIFT = 8;
    public static final long SH_MASK = 3L << SH_SHIFT;
    public static final long SH_OUTER = 2L << SH_SHIFT;
    public static final long SH_INNER = 3L << SH_SHIFT;
    public static final long AF = 1L << 10;
    /** 64 KiB granule with 52-bit OA: OA[51:48] lives in bits 15:12 (FEAT_LPA). */
    public static final long OA52_MASK = 0xfL << 12;
    public static final long DBM = 1L << 51;
    public static final long CONTIG = 1L << 52;
    /** Stage 1 PXN / stage 2 XN[0]. */
    public static final long PXN = 1L << 53;
    /** Stage 1 UXN (XN) / stage 2 XN[1]. */
    public static final long UXN = 1L << 54;
    public static final long XN = PXN | UXN;
    public static final long NSTABLE = 1L << 63;

    /** MAIR index Linux programs for Normal WBRWA memory (io-pgtable-arm ARM_LPAE_MAIR_ATTR_IDX_CACHE). */
    public static final int MAIR_IDX_CACHE = 1;
    /** MAIR index for Device-nGnRE (ARM_LPAE_MAIR_ATTR_IDX_DEV). */
    public static final int MAIR_IDX_DEV = 2;
    /** S2 MemAttr: Normal, Outer and Inner Write-Back Cacheable. */
    public static final int S2_MEMATTR_OIWB = 0xf;
    /** S2 MemAttr: Normal, Outer and Inner Non-cacheable. */
    public static final int S2_MEMATTR_NC = 0x5;
    /** S2 MemAttr: Device-nGnRE. */
    public static final int S2_MEMATTR_DEV = 0x1;
    /** S2 MemAttr with FEAT_S2FWB: force Normal Write-Back. */
    public static final int S2_MEMATTR_FWB_WB = 0x6;

    /** Bits 47:shift of the output address field (the rest of the word holds attributes). */
    public static long oaMask(LpaeGranule granule) {
        return ((1L << 48) - 1) & -(1L << granule.shift());
    }

    /**
     * The attribute bits (everything but bits 1:0, the OA and CONTIG) a leaf gets for
     * {@link IommuProt} bits, as Linux's arm_lpae_prot_to_pte / armv8pt_iommu_set_prot make them.
     * Writable leaves with {@code dbm} start writable-dirty, so the first DMA write costs nothing.
     */
    public static long leafAttributes(boolean stage2, int prot, boolean dbm, boolean s2fwb) {
        long pte;
        if (!stage2) {
            pte = NG;
            if ((prot & IommuProt.WRITE) == 0 && (prot & IommuProt.READ) != 0) {
                pte |= AP_RDONLY;
            }
            if ((prot & IommuProt.PRIV) == 0) {
                pte |= AP_UNPRIV;
            }
            if ((prot & IommuProt.MMIO) != 0) {
                pte |= (long) MAIR_IDX_DEV << ATTRINDX_SHIFT;
            } else if ((prot & IommuProt.CACHE) != 0) {
                pte |= (long) MAIR_IDX_CACHE << ATTRINDX_SHIFT;
            }
        } else {
            pte = 0;
            if ((prot & IommuProt.READ) != 0) {
                pte |= S2AP_READ;
            }
            if ((prot & IommuProt.WRITE) != 0) {
                pte |= S2AP_WRITE;
            }
            int memattr;
            if ((prot & IommuProt.MMIO) != 0) {
                memattr = S2_MEMATTR_DEV;
            } else if ((prot & IommuProt.CACHE) != 0) {
                memattr = s2fwb ? S2_MEMATTR_FWB_WB : S2_MEMATTR_OIWB;
            } else {
                memattr = S2_MEMATTR_NC;
            }
            pte |= (long) memattr << S2MEMATTR_SHIFT;
        }
        if (dbm && (prot & IommuProt.WRITE) != 0) {
            pte |= DBM;
        }
        pte |= (prot & IommuProt.CACHE) != 0 ? SH_INNER : SH_OUTER;
        if ((prot & IommuProt.NOEXEC) != 0) {
            pte |= XN;
        }
        return pte | AF;
    }

    /** The OA field of a descriptor for output address {@code oa} (bits 47:shift, plus 15:12 for 64K LPA). */
    public static long encodeOa(LpaeGranule granule, long oa) {
        long field = oa & oaMask(granule);
        if (granule == LpaeGranule.G64K) {
            field |= (oa >>> 36) & OA52_MASK;
        }
        return field;
    }

    /** The output address a descriptor holds (inverse of {@link #encodeOa}). */
    public static long decodeOa(LpaeGranule granule, long entry) {
        long oa = entry & oaMask(granule);
        if (granule == LpaeGranule.G64K) {
            oa |= (entry & OA52_MASK) << 36;
        }
        return oa;
    }

    /** A block (level > 0) or page (level 0) descriptor; {@code attributes} from {@link #leafAttributes}. */
    public static long leaf(LpaeGranule granule, int level, long oa, long attributes) {
        return VALID | (level == 0 ? PAGE : 0) | encodeOa(granule, oa) | attributes;
    }

    /** A table descriptor pointing at the next-level table at {@code tablePa}. */
    public static long table(LpaeGranule granule, long tablePa, boolean nsTable) {
        return VALID | TABLE | encodeOa(granule, tablePa) | (nsTable ? NSTABLE : 0);
    }

    /** True for a table descriptor at {@code level} (level 0 has no tables: 0b11 means page). */
    public static boolean isTable(int level, long entry) {
        return level != 0 && (entry & (VALID | TABLE)) == (VALID | TABLE);
    }

    /**
     * Writable-dirty per SMMUv3 3.13.3 / Arm ARM D8.4.6 "Hardware management of the dirty state":
     * stage 1 DBM=1 and AP[2]=0; stage 2 DBM=1 and S2AP[1]=1.
     */
    public static boolean isWriteDirty(boolean stage2, long entry) {
        return stage2 ? (entry & (DBM | S2AP_WRITE)) == (DBM | S2AP_WRITE) : (entry & (DBM | AP_RDONLY)) == DBM;
    }

    /** The same entry made writable-clean (only meaningful with DBM set). */
    public static long writeClean(boolean stage2, long entry) {
        return stage2 ? entry & ~S2AP_WRITE : entry | AP_RDONLY;
    }

    /** The same entry made writable-dirty, as the SMMU's HTTU would on a write. */
    public static long writeDirty(boolean stage2, long entry) {
        return stage2 ? entry | S2AP_WRITE : entry & ~AP_RDONLY;
    }
}
