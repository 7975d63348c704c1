package org.iommufd4j.drivers.vtd.qi;

/**
 * Encoders of the VT-d invalidation queue descriptors the driver uses, as the two low quadwords
 * (VT-d spec 6.5.2; Linux drivers/iommu/intel/iommu.h {@code QI_*} macros). In scalable mode a
 * descriptor is 256 bits and quadwords 2 and 3 of these types are reserved (zero).
 */
public final class QiDescriptor {
    // qw0 bits 3:0 (iommu.h QI_CC_TYPE, QI_IOTLB_TYPE, QI_IWD_TYPE, QI_EIOTLB_TYPE)
    public static final int TYPE_CONTEXT_CACHE = 0x1;
    public static final int TYPE_IOTLB = 0x2;
    public static final int TYPE_WAIT = 0x5;
    public static final int TYPE_PASID_IOTLB = 0x6;

    /** Granularity, qw0 bits 5:4 (DMA_TLB_*_FLUSH >> 56, DMA_CCMD_*_INVL >> 57). */
    public static final int GRAN_GLOBAL = 1;
    public static final int GRAN_DOMAIN = 2;
    /** IOTLB: page-selective-within-domain; context cache: device-selective. */
    public static final int GRAN_PAGE = 3;
    /** P_IOTLB granularities (QI_GRAN_NONG_PASID, QI_GRAN_PSI_PASID). */
    public static final int PGRAN_ALL_OF_PASID = 2;
    public static final int PGRAN_PAGE_OF_PASID = 3;

    /** IWD status values Linux uses (dmar.c QI_FREE, QI_IN_USE, QI_DONE). */
    public static final int QI_IN_USE = 1;
    public static final int QI_DONE = 2;

    static final long ADDR_MASK = 0xffff_ffff_ffff_f000L;

    private QiDescriptor() {
    }

    /** Global IOTLB invalidation (QI_IOTLB_GRAN(DMA_TLB_GLOBAL_FLUSH)). */
    public static long[] iotlbGlobal(boolean drainReads, boolean drainWrites) {
        return new long[] {iotlbQw0(GRAN_GLOBAL, 0, drainReads, drainWrites), 0};
    }

    /** Domain-selective IOTLB invalidation of every entry tagged {@code did}. */
    public static long[] iotlbDomain(int did, boolean drainReads, boolean drainWrites) {
        return new long[] {iotlbQw0(GRAN_DOMAIN, did, drainReads, drainWrites), 0};
    }

    /**
     * Page-selective-within-domain IOTLB invalidation of the 2^am 4 KiB pages at {@code addr}
     * (aligned to 2^(12+am)); {@code ih}: only leaves changed, paging-structure caches may stay.
     */
    public static long[] iotlbPage(int did, long addr, int am, boolean ih, boolean drainReads, boolean drainWrites) {
        return new long[] {iotlbQw0(GRAN_PAGE, did, drainReads, drainWrites), qw1(addr, am, ih)};
    }

    private static long iotlbQw0(int gran, int did, boolean dr, boolean dw) {
        // QI_IOTLB_DID 31:16, QI_IOTLB_DR bit 7, QI_IOTLB_DW bit 6, QI_IOTLB_GRAN 5:4
        return TYPE_IOTLB | (long) gran << 4 | (dw ? 1L << 6 : 0) | (dr ? 1L << 7 : 0) | field(did, 16, 16);
    }

    private static long qw1(long addr, int am, boolean ih) {
        // QI_IOTLB_ADDR 63:12, QI_IOTLB_IH bit 6, QI_IOTLB_AM 5:0
        if (am < 0 || am > 63) {
            throw new IllegalArgumentException("address mask " + am);
        }
        return (addr & ADDR_MASK) | (ih ? 1L << 6 : 0) | am;
    }

    /** Every PASID-tagged (first-stage) IOTLB entry of {@code did}/{@code pasid} (QI_GRAN_NONG_PASID). */
    public static long[] pasidIotlbAll(int did, int pasid) {
        return new long[] {pasidIotlbQw0(PGRAN_ALL_OF_PASID, did, pasid), 0};
    }

    /** Page-selective-within-PASID IOTLB invalidation (qi_flush_piotlb with npages != -1). */
    public static long[] pasidIotlbPage(int did, int pasid, long addr, int am, boolean ih) {
        return new long[] {pasidIotlbQw0(PGRAN_PAGE_OF_PASID, did, pasid), qw1(addr, am, ih)};
    }

    private static long pasidIotlbQw0(int gran, int did, int pasid) {
        // QI_EIOTLB_PASID 51:32, QI_EIOTLB_DID 31:16, QI_EIOTLB_GRAN 5:4
        return TYPE_PASID_IOTLB | (long) gran << 4 | field(did, 16, 16) | field(pasid, 32, 20);
    }

    /** Context-cache invalidation, global. */
    public static long[] contextCacheGlobal() {
        return new long[] {TYPE_CONTEXT_CACHE | (long) GRAN_GLOBAL << 4, 0};
    }

    /** Context-cache invalidation of every entry of {@code did}. */
    public static long[] contextCacheDomain(int did) {
        return new long[] {TYPE_CONTEXT_CACHE | (long) GRAN_DOMAIN << 4 | field(did, 16, 16), 0};
    }

    /** Device-selective context-cache invalidation of {@code sid} (function mask {@code fm}). */
    public static long[] contextCacheDevice(int did, int sid, int fm) {
        // QI_CC_FM 49:48, QI_CC_SID 47:32, QI_CC_DID 31:16, QI_CC_GRAN 5:4
        return new long[] {TYPE_CONTEXT_CACHE | (long) GRAN_PAGE << 4 | field(did, 16, 16) | field(sid, 32, 16)
                | field(fm, 48, 2), 0};
    }

    /**
     * Invalidation wait with status write: when every earlier descriptor has completed the
     * hardware writes the 32-bit {@code statusData} to {@code statusPa} (4-byte aligned);
     * {@code fence}: later descriptors wait for this one.
     */
    public static long[] waitWithStatus(long statusPa, int statusData, boolean fence) {
        if ((statusPa & 3) != 0) {
            throw new IllegalArgumentException("status address 0x" + Long.toHexString(statusPa) + " is not 4-byte aligned");
        }
        // QI_IWD_STATUS_DATA 63:32, QI_IWD_FENCE bit 6, QI_IWD_STATUS_WRITE bit 5; qw1 address 63:2
        return new long[] {TYPE_WAIT | 1L << 5 | (fence ? 1L << 6 : 0) | (long) statusData << 32, statusPa};
    }

    private static long field(long value, int shift, int width) {
        long max = (1L << width) - 1;
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("value " + value + " does not fit a " + width + "-bit field");
        }
        return value << shift;
    }
}
