package org.iommufd4j.drivers.smmuv3.cmdq;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.hw.CommandRing;
import org.iommufd4j.hw.Iotlb;
import org.iommufd4j.memory.PhysicalMemory;

/**
 * The hardware side of one SMMUv3 as far as invalidation goes: the command queue in host memory
 * (SMMU_CMDQ_BASE, 2^LOG2SIZE commands of 16 bytes), the TLB its streams translate through
 * (stage-1 entries tagged by ASID, stage-2 by VMID: the driver allocates both from one space) and
 * GERROR.CMDQ_ERR with SMMU_CMDQ_CONS.ERR. Writing SMMU_CMDQ_PROD ({@link #writeProd}) makes it
 * consume every command up to the producer index. An unknown opcode, a reserved field set or a
 * reserved range encoding is CERROR_ILL: the queue stops on that command until software
 * acknowledges the error (IHI 0070 §7.1).
 *
 * <p>Modelled: CMD_TLBI_NH_VA, CMD_TLBI_NH_ASID, CMD_TLBI_S2_IPA, CMD_TLBI_S12_VMALL (range
 * invalidation, IDR3.RIL), CMD_CFGI_STE (validated and counted: the model has no configuration
 * cache, streams read their domain's root directly), CMD_SYNC with MSI write. Not modelled: walk
 * caches (LEAF and TTL are decoded, nothing is kept; a TG=0 invalidation drops the 4 KiB IOTLB
 * granule at VA, not a whole block), ATC, CD and PRI commands (CERROR_ILL here).
 */
public final class SmmuUnit {
    /** SMMU_CMDQ_CONS.ERR codes (CMDQ_ERR_CERROR_*). */
    public static final int CERROR_NONE = 0;
    public static final int CERROR_ILL = 1;
    /** Tags the model's TLB can hold: 4096 ASIDs/VMIDs. */
    public static final int IDS = Iotlb.MAX_TAG + 1;

    /** A command the SMMU refused: its queue index, the words, CONS.ERR and why. */
    public record CommandError(long index, long[] command, int cerror, String reason) {
    }

    private static final long CFGI_STE_RSVD0 = 0x0000_0000_ffff_ff00L;
    private static final long ALL_RSVD0 = 0x0000_0000_ffff_ff00L;
    private static final long VMALL_RSVD0 = 0xffff_0000_ffff_ff00L;
    private static final long NH_VA_RSVD0 = 0x0000_0000_fe0e_0f00L;
    private static final long S2_IPA_RSVD0 = 0xffff_0000_fe0e_0f00L;
    private static final long NH_VA_RSVD1 = 0x0000_0000_0000_00feL;
    private static final long S2_IPA_RSVD1 = 0xfff0_0000_0000_00feL;
    private static final long SYNC_RSVD0 = 0x0000_0000_f03f_cf00L;
    private static final long SYNC_RSVD1 = 0xfff0_0000_0000_0003L;

    private final PhysicalMemory memory;
    private final CommandRing queue;
    private final Iotlb iotlb;
    private final List<CommandError> errors = new ArrayList<>();
    private boolean gerrorCmdq;
    private int consErr;
    private long executed;
    private long steInvalidations;

    public SmmuUnit(PhysicalMemory memory, int log2Entries, int iotlbEntries) {
        this.memory = memory;
        this.queue = new CommandRing(memory, log2Entries, 16);
        this.iotlb = new Iotlb(iotlbEntries);
    }

    public CommandRing queue() {
        return queue;
    }

    public Iotlb iotlb() {
        return iotlb;
    }

    /** Software wrote SMMU_CMDQ_PROD: consume up to it, unless stopped on an error. */
    public synchronized void writeProd() {
        if (!gerrorCmdq) {
            queue.consumeWhile(this::execute);
        }
    }

    /** GERROR.CMDQ_ERR differs from GERRORN: the queue is stopped. */
    public synchronized boolean commandQueueError() {
        return gerrorCmdq;
    }

    /** SMMU_CMDQ_CONS.ERR. */
    public synchronized int consErr() {
        return consErr;
    }

    /** Software toggled GERRORN.CMDQ_ERR: consumption resumes at CONS. */
    public synchronized void acknowledgeError() {
        gerrorCmdq = false;
        consErr = CERROR_NONE;
    }

    public synchronized List<CommandError> errors() {
        return List.copyOf(errors);
    }

    public synchronized long executed() {
        return executed;
    }

    public synchronized long steInvalidations() {
        return steInvalidations;
    }

    private boolean execute(long[] c) {
        String bad = decodeAndApply(c);
        if (bad != null) {
            errors.add(new CommandError(queue.head(), c, CERROR_ILL, bad));
            gerrorCmdq = true;
            consErr = CERROR_ILL;
            return false;
        }
        executed++;
        return true;
    }

    private String decodeAndApply(long[] c) {
        int op = CmdqCommand.opcode(c[0]);
        switch (op) {
            case CmdqCommand.CFGI_STE:
                if ((c[0] & CFGI_STE_RSVD0) != 0 || (c[1] & ~1L) != 0) {
                    return "CMD_CFGI_STE: reserved bits set";
                }
                steInvalidations++;
                return null;
            case CmdqCommand.TLBI_NH_ASID:
                if ((c[0] & ALL_RSVD0) != 0 || c[1] != 0) {
                    return "CMD_TLBI_NH_ASID: reserved bits set";
                }
                return invalidateTag("CMD_TLBI_NH_ASID", (int) (c[0] >>> 48), 0, -1L);
            case CmdqCommand.TLBI_S12_VMALL:
                if ((c[0] & VMALL_RSVD0) != 0 || c[1] != 0) {
                    return "CMD_TLBI_S12_VMALL: reserved bits set";
                }
                return invalidateTag("CMD_TLBI_S12_VMALL", (int) (c[0] >>> 32) & 0xffff, 0, -1L);
            case CmdqCommand.TLBI_NH_VA:
                if ((c[0] & NH_VA_RSVD0) != 0 || (c[1] & NH_VA_RSVD1) != 0) {
                    return "CMD_TLBI_NH_VA: reserved bits set";
                }
                return rangeInvalidate("CMD_TLBI_NH_VA", (int) (c[0] >>> 48), c[0], c[1] & CmdqCommand.VA_MASK, c[1]);
            case CmdqCommand.TLBI_S2_IPA:
                if ((c[0] & S2_IPA_RSVD0) != 0 || (c[1] & S2_IPA_RSVD1) != 0) {
                    return "CMD_TLBI_S2_IPA: reserved bits set";
                }
                return rangeInvalidate("CMD_TLBI_S2_IPA", (int) (c[0] >>> 32) & 0xffff, c[0], c[1] & CmdqCommand.IPA_MASK, c[1]);
            case CmdqCommand.CMD_SYNC: {
                if ((c[0] & SYNC_RSVD0) != 0 || (c[1] & SYNC_RSVD1) != 0) {
                    return "CMD_SYNC: reserved bits set";
                }
                int cs = (int) (c[0] >>> 12) & 3;
                if (cs == 3) {
                    return "CMD_SYNC: CS=3 is reserved";
                }
                long msiAddr = c[1] & CmdqCommand.MSIADDR_MASK;
                if (cs == CmdqCommand.CS_IRQ && msiAddr != 0) {
                    if (Long.compareUnsigned(msiAddr + 4, memory.size()) > 0) {
                        return "CMD_SYNC: MSI address 0x" + Long.toHexString(msiAddr) + " is outside memory";
                    }
                    write32(msiAddr, (int) (c[0] >>> 32));
                }
                return null;
            }
            default:
                return "opcode 0x" + Integer.toHexString(op) + " is not supported";
        }
    }

    private String rangeInvalidate(String what, int tag, long w0, long addr, long w1) {
        int num = (int) (w0 >>> 12) & 0x1f;
        int scale = (int) (w0 >>> 20) & 0x1f;
        int ttl = (int) (w1 >>> 8) & 3;
        int tg = (int) (w1 >>> 10) & 3;
        if (tg == 0) {
            if (num != 0 || scale != 0) {
                return what + ": NUM/SCALE given without a range granule (TG=0)";
            }
            return invalidateTag(what, tag, addr, addr + 0xfff);
        }
        if (ttl == 0 && num == 0 && scale == 0) {
            return what + ": TG=" + tg + " with TTL=SCALE=NUM=0 is reserved";
        }
        int granuleLg2 = 10 + 2 * tg; // 1 = 4K, 2 = 16K, 3 = 64K
        long base = addr & -(1L << granuleLg2);
        int spanLg2 = granuleLg2 + scale;
        long size = (num + 1L) << spanLg2;
        long last = spanLg2 + 5 >= 64 || base + size - 1 < base ? -1L : base + size - 1;
        return invalidateTag(what, tag, base, last);
    }

    private String invalidateTag(String what, int tag, long first, long last) {
        if (tag >= IDS) {
            return what + ": ASID/VMID " + tag + " is beyond the " + IDS + " the model tags";
        }
        iotlb.invalidateRange(tag, first, last);
        return null;
    }

    private void write32(long pa, int value) {
        long word = pa & ~7L;
        int shift = (int) (pa & 4) * 8;
        long old = memory.readLong(word);
        memory.writeLong(word, (old & ~(0xffff_ffffL << shift)) | ((value & 0xffff_ffffL) << shift));
    }

    public void free() {
        queue.free();
    }
}
