package org.iommufd4j.drivers.vtd;

import java.util.BitSet;
import org.iommufd4j.drivers.vtd.qi.InvalidationQueue;
import org.iommufd4j.drivers.vtd.qi.QiDescriptor;
import org.iommufd4j.drivers.vtd.qi.VtdUnit;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The driver's view of one VT-d unit (Linux {@code struct intel_iommu}): its hardware model, the
 * invalidation queue, the domain-id allocator, and the flushes the driver issues through the queue
 * (Linux drivers/iommu/intel/cache.c).
 */
final class VtdIommu {
    /** Linux IDA_START_DID: DID 0 is reserved (caching mode), 1 for the default first-stage domain. */
    static final int FIRST_DID = 2;
    /** First-stage entries of the RID are tagged IOMMU_NO_PASID (RID_PASID) in scalable mode. */
    static final int RID_PASID = 0;
    private static final int IOTLB_ENTRIES = 512;

    private final VtdUnit unit;
    private final InvalidationQueue queue;
    private final BitSet dids = new BitSet();
    // CAP.DRD / CAP.DWD: the model reports both, so Linux's qi_flush_iotlb sets DR and DW.
    private final boolean drainReads = true;
    private final boolean drainWrites = true;

    VtdIommu(PhysicalMemory memory, int log2QueueEntries) {
        this.unit = new VtdUnit(memory, log2QueueEntries, true, IOTLB_ENTRIES);
        this.queue = new InvalidationQueue(unit, memory);
    }

    VtdUnit unit() {
        return unit;
    }

    InvalidationQueue queue() {
        return queue;
    }

    synchronized int allocDid() {
        int did = dids.nextClearBit(FIRST_DID);
        if (did >= VtdUnit.DOMAIN_IDS) {
            throw new IommufdException(Errno.ENOSPC, "vtd: all " + (VtdUnit.DOMAIN_IDS - FIRST_DID)
                    + " domain ids (CAP.ND) are in use");
        }
        dids.set(did);
        return did;
    }

    synchronized void freeDid(int did) {
        dids.clear(did);
    }

    /** The flusher of a domain tagged {@code did}: its gathers become queue descriptors. */
    PageTableDomain.IotlbFlusher flusherFor(int did, boolean firstStage) {
        return gather -> flushRange(did, firstStage, gather);
    }

    /**
     * Linux cache_tag_flush_range: one page-selective invalidation of the naturally aligned block
     * covering the range (calculate_psi_aligned_address), domain-selective when its mask exceeds
     * CAP.MAMV; IH set when no page-table page was freed (intel_iommu_tlb_sync passes
     * list_empty(&gather->freelist)).
     */
    void flushRange(int did, boolean firstStage, IotlbGather gather) {
        long[] psi = psiAlignedAddress(gather.start(), gather.last());
        int mask = (int) psi[1];
        boolean ih = !gather.tablesFreed();
        long[] d;
        if (mask > VtdUnit.MAMV) {
            d = firstStage ? QiDescriptor.pasidIotlbAll(did, RID_PASID)
                    : QiDescriptor.iotlbDomain(did, drainReads, drainWrites);
        } else if (firstStage) {
            d = QiDescriptor.pasidIotlbPage(did, RID_PASID, psi[0], mask, ih);
        } else {
            d = QiDescriptor.iotlbPage(did, psi[0], mask, ih, drainReads, drainWrites);
        }
        queue.submitSync(d);
    }

    /**
     * A user's first-stage invalidation of a nested domain (Linux cache_tag_flush_range on a nested
     * domain's CACHE_TAG_IOTLB): one page-selective-within-PASID descriptor for the aligned block
     * covering {@code [start, last]}, or all of the PASID when the block exceeds CAP.MAMV;
     * {@code leafOnly} is the IH hint.
     */
    void flushFirstStageRange(int did, long start, long last, boolean leafOnly) {
        long[] psi = psiAlignedAddress(start, last);
        int mask = (int) psi[1];
        queue.submitSync(mask > VtdUnit.MAMV ? QiDescriptor.pasidIotlbAll(did, RID_PASID)
                : QiDescriptor.pasidIotlbPage(did, RID_PASID, psi[0], mask, leafOnly));
    }

    /** Every IOTLB entry of {@code did} (domain-selective, or all of the RID's PASID). */
    void flushDomain(int did, boolean firstStage) {
        queue.submitSync(firstStage ? QiDescriptor.pasidIotlbAll(did, RID_PASID)
                : QiDescriptor.iotlbDomain(did, drainReads, drainWrites));
    }

    /**
     * Tearing down a device's context entry (Linux domain_context_clear_one): device-selective
     * context-cache invalidation, then the old domain's IOTLB entries.
     */
    void flushDeviceContext(int sid, int oldDid, boolean oldFirstStage) {
        queue.submitSync(QiDescriptor.contextCacheDevice(oldDid, sid, 0),
                oldFirstStage ? QiDescriptor.pasidIotlbAll(oldDid, RID_PASID)
                        : QiDescriptor.iotlbDomain(oldDid, drainReads, drainWrites));
    }

    /**
     * Linux cache.c calculate_psi_aligned_address for {@code [start, last]}: the address and mask
     * (lg2 of 4 KiB pages) of the smallest naturally aligned block covering the range.
     *
     * @return {aligned address, mask}; a mask above 51 means "no block short of everything"
     */
    static long[] psiAlignedAddress(long start, long last) {
        long pfn = start >>> 12;
        long pages = (last >>> 12) - pfn + 1;
        long alignedPages = pages <= 1 ? 1 : Long.highestOneBit(pages - 1) << 1;
        if (alignedPages == 0) {
            return new long[] {0, 52};
        }
        long bitmask = alignedPages - 1;
        int mask = Long.numberOfTrailingZeros(alignedPages);
        if ((bitmask & pfn) != 0) {
            long endPfn = pfn + pages - 1;
            long shared = ~(pfn ^ endPfn) & ~bitmask;
            // MAX_AGAW_PFN_WIDTH (64 - 12) when the range straddles the top bit
            mask = shared != 0 ? Long.numberOfTrailingZeros(shared) : 52;
        }
        long addr = mask >= 52 ? 0 : start & -(4096L << mask);
        return new long[] {addr, mask};
    }

    /** Parses a PCI name {@code dddd:bb:dd.f} into a source id (bus << 8 | devfn), else -1. */
    static int sourceId(String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("(?:[0-9a-fA-F]{4}:)?([0-9a-fA-F]{2}):([0-1][0-9a-fA-F])\\.([0-7])").matcher(name);
        if (!m.matches()) {
            return -1;
        }
        int bus = Integer.parseInt(m.group(1), 16);
        int dev = Integer.parseInt(m.group(2), 16);
        int fn = Integer.parseInt(m.group(3));
        return dev > 31 ? -1 : bus << 8 | dev << 3 | fn;
    }
}
