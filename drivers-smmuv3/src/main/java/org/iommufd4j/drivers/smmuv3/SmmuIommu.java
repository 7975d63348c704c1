package org.iommufd4j.drivers.smmuv3;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.iommufd4j.drivers.smmuv3.cmdq.CmdqCommand;
import org.iommufd4j.drivers.smmuv3.cmdq.CommandQueue;
import org.iommufd4j.drivers.smmuv3.cmdq.SmmuUnit;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The driver's view of one SMMUv3 (Linux {@code struct arm_smmu_device}): its hardware model, the
 * command queue, the ASID/VMID allocator (one space, as the model's TLB has one tag space), and
 * the TLB invalidations of Linux arm-smmu-v3.c issued through the queue.
 */
final class SmmuIommu {
    /** ASID/VMID 0 is never handed out (Linux allocates from 1). */
    static final int FIRST_ID = 1;
    /** CMDQ_TLBI_RANGE_NUM_MAX: NUM is 5 bits. */
    private static final long RANGE_NUM_MAX = 31;
    private static final int IOTLB_ENTRIES = 512;

    private final SmmuUnit unit;
    private final CommandQueue queue;
    private final BitSet ids = new BitSet();

    SmmuIommu(PhysicalMemory memory, int log2Entries) {
        this.unit = new SmmuUnit(memory, log2Entries, IOTLB_ENTRIES);
        this.queue = new CommandQueue(unit, memory);
    }

    SmmuUnit unit() {
        return unit;
    }

    CommandQueue queue() {
        return queue;
    }

    synchronized int allocId() {
        int id = ids.nextClearBit(FIRST_ID);
        if (id >= SmmuUnit.IDS) {
            throw new IommufdException(Errno.ENOSPC, "smmuv3: all " + (SmmuUnit.IDS - FIRST_ID) + " ASIDs/VMIDs are in use");
        }
        ids.set(id);
        return id;
    }

    synchronized void freeId(int id) {
        ids.clear(id);
    }

    /** The flusher of a domain: stage 1 invalidates by ASID (VMID 0), stage 2 by VMID. */
    PageTableDomain.IotlbFlusher flusherFor(int id, boolean stage2, int granuleLg2) {
        return gather -> queue.submitSync(rangeCommands(id, stage2, granuleLg2, gather));
    }

    /**
     * Linux __arm_smmu_tlb_inv_range with IDR3.RIL: TG from the domain's smallest page, and
     * commands of (NUM+1) * 2^SCALE pages covering the range, 5 bits of the page count at a time.
     * The leaf level is unknown to a gather, so TTL is 0; a lone page then takes a bumped count as
     * Linux does for non-leaf flushes (TG with TTL=SCALE=NUM=0 is reserved). LEAF when no table was
     * freed. A range the VA field cannot describe is the whole ASID/VMID
     * (arm_smmu_inv_range_too_big).
     */
    static long[][] rangeCommands(int id, boolean stage2, int granuleLg2, IotlbGather gather) {
        long size = gather.last() - gather.start() + 1;
        if (size == 0 || (gather.last() >>> 52) != 0) {
            return new long[][] {stage2 ? CmdqCommand.tlbiS12Vmall(id) : CmdqCommand.tlbiNhAsid(0, id)};
        }
        boolean leaf = !gather.tablesFreed();
        int tg = (granuleLg2 - 10) / 2;
        long iova = gather.start() & -(1L << granuleLg2);
        long end = gather.last() + 1;
        long numPages = (end - iova + (1L << granuleLg2) - 1) >>> granuleLg2;
        if ((numPages & RANGE_NUM_MAX) == 1) {
            numPages++;
        }
        List<long[]> cmds = new ArrayList<>();
        while (numPages > 0) {
            int scale = Long.numberOfTrailingZeros(numPages);
            long num = (numPages >>> scale) & RANGE_NUM_MAX;
            cmds.add(stage2 ? CmdqCommand.tlbiS2Ipa(id, iova, leaf, 0, tg, (int) num - 1, scale)
                    : CmdqCommand.tlbiNhVa(0, id, iova, leaf, 0, tg, (int) num - 1, scale));
            iova += num << (scale + granuleLg2);
            numPages -= num << scale;
        }
        return cmds.toArray(new long[0][]);
    }

    /** Every TLB entry of the domain (arm_smmu_tlb_inv_context). */
    void flushDomain(int id, boolean stage2) {
        queue.submitSync(stage2 ? CmdqCommand.tlbiS12Vmall(id) : CmdqCommand.tlbiNhAsid(0, id));
    }

    /** arm_smmu_sync_ste_for_sid after an STE was written. */
    void flushSte(int sid) {
        queue.submitSync(CmdqCommand.cfgiSte(sid, true));
    }

    private static final Pattern BDF = Pattern.compile("(?:[0-9a-fA-F]{4}:)?([0-9a-fA-F]{2}):([0-1][0-9a-fA-F])\\.([0-7])");

    /** The StreamID of a PCI name {@code dddd:bb:dd.f} (its RID, as SMMUs behind PCIe use), else 0. */
    static int streamId(String name) {
        Matcher m = BDF.matcher(name);
        if (!m.matches()) {
            return 0;
        }
        int dev = Integer.parseInt(m.group(2), 16);
        return dev > 31 ? 0 : Integer.parseInt(m.group(1), 16) << 8 | dev << 3 | Integer.parseInt(m.group(3));
    }
}
