package org.iommufd4j.drivers.vtd.qi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.iommufd4j.hw.CommandRing;
import org.iommufd4j.hw.Iotlb;
import org.iommufd4j.memory.PhysicalMemory;

/**
 * The hardware side of one VT-d remapping unit as far as invalidation goes: the invalidation
 * queue in host memory (IQA_REG: 2^n descriptors of 128 bits, or 256 bits in scalable mode), the
 * IOTLB its devices translate through (tagged by DID), and the fault status register's Invalidation
 * Queue Error. Writing the tail register ({@link #writeTail}) makes the unit fetch and execute every
 * descriptor up to the tail (VT-d spec 6.5.2). A descriptor with an unknown type, a reserved field
 * set or an invalid value sets FSTS.IQE, leaves IQH on it and halts the queue until software clears
 * IQE: never silently ignored.
 *
 * <p>Modelled: IOTLB global / domain-selective / page-selective-within-domain invalidation,
 * PASID-based IOTLB invalidation (tagged by DID, every PASID: the model's first-stage entries are
 * all RID_PASID), context-cache invalidation (decoded, validated and counted: the model has no
 * context cache, devices read their domain's root directly), invalidation wait with status write.
 * Not modelled: paging-structure caches (IH is decoded, has nothing to keep), device-TLB,
 * interrupt-entry and PASID-cache descriptors (reported as unsupported types).
 */
public final class VtdUnit {
    /** FSTS_REG bit 4, Invalidation Queue Error (Linux DMA_FSTS_IQE). */
    public static final int FSTS_IQE = 1 << 4;
    /** CAP.MAMV: largest address mask of a page-selective invalidation (as QEMU's intel_iommu). */
    public static final int MAMV = 18;
    /** CAP.ND = 4: 2^(4 + 2*4) = 4096 domain ids, which is what the model's IOTLB can tag. */
    public static final int DOMAIN_IDS = Iotlb.MAX_TAG + 1;

    /** An Invalidation Queue Error: the descriptor at free-running index {@code index} and why. */
    public record QueueError(long index, long[] descriptor, String reason) {
        @Override
        public String toString() {
            return "IQE at descriptor " + index + " " + Arrays.toString(Arrays.stream(descriptor)
                    .mapToObj(Long::toHexString).toArray()) + ": " + reason;
        }
    }

    // Reserved bits per descriptor type (spec 6.5.2.x; the type field's high bits 11:9 included).
    private static final long IOTLB_QW0_RSVD = 0xffff_ffff_0000_ff00L;
    private static final long PIOTLB_QW0_RSVD = 0xfff0_0000_0000_ffc0L;
    private static final long ADDR_QW1_RSVD = 0x0000_0000_0000_0f80L;
    private static final long CC_QW0_RSVD = 0xfffc_0000_0000_ffc0L;
    private static final long IWD_QW0_RSVD = 0x0000_0000_ffff_ff00L;
    private static final long IWD_QW1_RSVD = 0x3L;

    private final PhysicalMemory memory;
    private final CommandRing queue;
    private final Iotlb iotlb;
    private final boolean scalable;
    private final List<QueueError> errors = new ArrayList<>();
    private int faultStatus;
    private long contextCacheInvalidations;
    private long executed;

    /**
     * @param log2Entries queue size (IQA_REG.QS + 8 in 128-bit descriptors; Linux QI_LENGTH 256 = 8)
     * @param scalable ECAP.SMTS with RTADDR_REG.SMT: 256-bit descriptors
     * @param iotlbEntries IOTLB capacity
     */
    public VtdUnit(PhysicalMemory memory, int log2Entries, boolean scalable, int iotlbEntries) {
        this.memory = memory;
        this.scalable = scalable;
        this.queue = new CommandRing(memory, log2Entries, scalable ? 32 : 16);
        this.iotlb = new Iotlb(iotlbEntries);
    }

    /** The invalidation queue (IQA_REG base is {@link CommandRing#basePa()}). */
    public CommandRing queue() {
        return queue;
    }

    public Iotlb iotlb() {
        return iotlb;
    }

    public boolean scalableMode() {
        return scalable;
    }

    /** Software bumped IQT_REG: fetch and execute up to the tail, unless halted by an IQE. */
    public synchronized void writeTail() {
        if ((faultStatus & FSTS_IQE) != 0) {
            return;
        }
        queue.consumeWhile(this::execute);
    }

    /** FSTS_REG as software reads it. */
    public synchronized int faultStatus() {
        return faultStatus;
    }

    /** Software writes 1 to FSTS.IQE: the queue runs again from IQH on the next tail write. */
    public synchronized void clearQueueError() {
        faultStatus &= ~FSTS_IQE;
    }

    /** Every Invalidation Queue Error so far. */
    public synchronized List<QueueError> queueErrors() {
        return List.copyOf(errors);
    }

    public synchronized long contextCacheInvalidations() {
        return contextCacheInvalidations;
    }

    /** Descriptors executed successfully. */
    public synchronized long executed() {
        return executed;
    }

    private boolean execute(long[] d) {
        String bad = decodeAndApply(d);
        if (bad != null) {
            errors.add(new QueueError(queue.head(), d, bad));
            faultStatus |= FSTS_IQE;
            return false;
        }
        executed++;
        return true;
    }

    /** Applies one descriptor; returns why it is invalid instead, or null. */
    private String decodeAndApply(long[] d) {
        if (scalable && (d[2] != 0 || d[3] != 0)) {
            return "256-bit descriptor with reserved quadwords 2..3 set";
        }
        int type = (int) (d[0] & 0xf);
        int gran = (int) (d[0] >>> 4) & 3;
        switch (type) {
            case QiDescriptor.TYPE_IOTLB: {
                if ((d[0] & IOTLB_QW0_RSVD) != 0) {
                    return "IOTLB invalidate: reserved qw0 bits 0x" + Long.toHexString(d[0] & IOTLB_QW0_RSVD);
                }
                int did = (int) (d[0] >>> 16) & 0xffff;
                return tlb("IOTLB invalidate", gran, did, d[1]);
            }
            case QiDescriptor.TYPE_PASID_IOTLB: {
                if ((d[0] & PIOTLB_QW0_RSVD) != 0) {
                    return "PASID IOTLB invalidate: reserved qw0 bits 0x" + Long.toHexString(d[0] & PIOTLB_QW0_RSVD);
                }
                if (gran < QiDescriptor.PGRAN_ALL_OF_PASID) {
                    return "PASID IOTLB invalidate: granularity " + gran + " is reserved";
                }
                int did = (int) (d[0] >>> 16) & 0xffff;
                // G=2 is every entry of the PASID (DSI-like), G=3 page-selective: same tag work.
                return tlb("PASID IOTLB invalidate", gran == QiDescriptor.PGRAN_ALL_OF_PASID
                        ? QiDescriptor.GRAN_DOMAIN : QiDescriptor.GRAN_PAGE, did, d[1]);
            }
            case QiDescriptor.TYPE_CONTEXT_CACHE:
                if ((d[0] & CC_QW0_RSVD) != 0 || d[1] != 0) {
                    return "context-cache invalidate: reserved bits set";
                }
                if (gran == 0) {
                    return "context-cache invalidate: granularity 0 is reserved";
                }
                contextCacheInvalidations++;
                return null;
            case QiDescriptor.TYPE_WAIT: {
                if ((d[0] & IWD_QW0_RSVD) != 0 || (d[1] & IWD_QW1_RSVD) != 0) {
                    return "invalidation wait: reserved bits set";
                }
                // IF (bit 4) would raise the invalidation completion event; the driver polls instead.
                if ((d[0] & (1L << 5)) != 0) {
                    long pa = d[1];
                    if (Long.compareUnsigned(pa + 4, memory.size()) > 0) {
                        return "invalidation wait: status address 0x" + Long.toHexString(pa) + " is outside memory";
                    }
                    writeStatus(memory, pa, (int) (d[0] >>> 32));
                }
                return null;
            }
            default:
                return "descriptor type 0x" + Integer.toHexString(type) + " is not supported";
        }
    }

    private String tlb(String what, int gran, int did, long qw1) {
        if ((qw1 & ADDR_QW1_RSVD) != 0) {
            return what + ": reserved qw1 bits 0x" + Long.toHexString(qw1 & ADDR_QW1_RSVD);
        }
        if (gran != QiDescriptor.GRAN_GLOBAL && did >= DOMAIN_IDS) {
            return what + ": DID " + did + " is beyond CAP.ND (" + DOMAIN_IDS + " domains)";
        }
        switch (gran) {
            case QiDescriptor.GRAN_GLOBAL:
                iotlb.invalidateAll();
                return null;
            case QiDescriptor.GRAN_DOMAIN:
                iotlb.invalidateTag(did);
                return null;
            case QiDescriptor.GRAN_PAGE: {
                int am = (int) (qw1 & 0x3f);
                long addr = qw1 & QiDescriptor.ADDR_MASK;
                if (am > MAMV) {
                    return what + ": address mask " + am + " exceeds CAP.MAMV " + MAMV;
                }
                long size = 4096L << am;
                if ((addr & (size - 1)) != 0) {
                    return what + ": address 0x" + Long.toHexString(addr) + " is not aligned to 2^(12+AM=" + am + ")";
                }
                iotlb.invalidateRange(did, addr, addr + size - 1);
                return null;
            }
            default:
                return what + ": granularity 0 is reserved";
        }
    }

    /** A 32-bit store at a 4-byte-aligned host address (little endian within the 8-byte word). */
    public static void writeStatus(PhysicalMemory memory, long pa, int value) {
        long word = pa & ~7L;
        int shift = (int) (pa & 4) * 8;
        long old = memory.readLong(word);
        memory.writeLong(word, (old & ~(0xffff_ffffL << shift)) | ((value & 0xffff_ffffL) << shift));
    }

    /** A 32-bit load at a 4-byte-aligned host address. */
    public static int readStatus(PhysicalMemory memory, long pa) {
        return (int) (memory.readLong(pa & ~7L) >>> ((pa & 4) * 8));
    }

    /** Frees the queue's memory. */
    public void free() {
        queue.free();
    }
}
