package org.iommufd4j.drivers.amdvi.cmdbuf;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.hw.CommandRing;
import org.iommufd4j.hw.Iotlb;
import org.iommufd4j.memory.PhysicalMemory;

/**
 * The hardware side of one AMD IOMMU as far as invalidation goes: the command buffer in host
 * memory (2^n 128-bit commands; Linux uses 8 KiB = 512), the IOTLB its devices translate through
 * (tagged by DomainID) and the event log entries it raises. Writing the command buffer tail
 * pointer ({@link #writeTail}, MMIO 0x2008) makes it fetch and execute every command up to the
 * tail. An unknown opcode or a reserved field set is logged as an ILLEGAL_COMMAND_ERROR event and
 * halts command processing (Status.CmdBufRun = 0) until software restarts the buffer.
 *
 * <p>Modelled: INVALIDATE_IOMMU_PAGES (the S-bit size encoding; GN entries are tagged by DomainID
 * like the rest), INVALIDATE_IOMMU_ALL, INVALIDATE_DEVTAB_ENTRY (validated and counted: the model
 * has no DTE cache, devices read their domain's root directly), COMPLETION_WAIT with store. Not
 * modelled: page-directory caches (PDE is decoded, has nothing to drop), device IOTLB (ATS),
 * interrupt remapping, PPR: those opcodes are illegal here.
 */
public final class AmdViUnit {
    /** Event code of ILLEGAL_COMMAND_ERROR (spec 48882 "Event Log", Linux EVENT_TYPE_ILL_CMD). */
    public static final int EVENT_ILLEGAL_COMMAND = 0x5;
    /** DomainIDs the model's IOTLB can tag. */
    public static final int DOMAIN_IDS = Iotlb.MAX_TAG + 1;

    /** An event log entry: ILLEGAL_COMMAND_ERROR at the command's host address, and why. */
    public record Event(int code, long commandPa, long[] command, String reason) {
    }

    // Reserved bits per command (data[] layout folded into two quadwords).
    private static final long WAIT_QW0_RSVD = 0x0ff0_0000_0000_0000L;
    private static final long DTE_QW0_RSVD = 0x0fff_ffff_ffff_0000L;
    private static final long PAGES_QW0_RSVD = 0x0fff_0000_fff0_0000L;
    private static final long PAGES_QW1_RSVD = 0x0000_0000_0000_0ff8L;
    private static final long ALL_QW0_RSVD = 0x0fff_ffff_ffff_ffffL;

    private final PhysicalMemory memory;
    private final CommandRing buffer;
    private final Iotlb iotlb;
    private final List<Event> events = new ArrayList<>();
    private boolean halted;
    private long executed;
    private long devtabInvalidations;

    public AmdViUnit(PhysicalMemory memory, int log2Entries, int iotlbEntries) {
        this.memory = memory;
        this.buffer = new CommandRing(memory, log2Entries, 16);
        this.iotlb = new Iotlb(iotlbEntries);
    }

    public CommandRing commandBuffer() {
        return buffer;
    }

    public Iotlb iotlb() {
        return iotlb;
    }

    /** Software wrote the tail pointer: run every command up to it, unless halted. */
    public synchronized void writeTail() {
        if (!halted) {
            buffer.consumeWhile(this::execute);
        }
    }

    /** Status.CmdBufRun: false after an illegal command until {@link #restart}. */
    public synchronized boolean commandBufferRunning() {
        return !halted;
    }

    /** Software toggled Control.CmdBufEn: command processing resumes at the head pointer. */
    public synchronized void restart() {
        halted = false;
    }

    public synchronized List<Event> eventLog() {
        return List.copyOf(events);
    }

    public synchronized long executed() {
        return executed;
    }

    public synchronized long devtabInvalidations() {
        return devtabInvalidations;
    }

    private boolean execute(long[] c) {
        String bad = decodeAndApply(c);
        if (bad != null) {
            events.add(new Event(EVENT_ILLEGAL_COMMAND, buffer.slotPa(buffer.head()), c, bad));
            halted = true;
            return false;
        }
        executed++;
        return true;
    }

    private String decodeAndApply(long[] c) {
        int op = AmdCommand.opcode(c[0]);
        switch (op) {
            case AmdCommand.COMPLETION_WAIT:
                if ((c[0] & WAIT_QW0_RSVD) != 0) {
                    return "COMPLETION_WAIT: reserved bits 27:20 of data[1] set";
                }
                if ((c[0] & AmdCommand.WAIT_STORE) != 0) {
                    long pa = c[0] & 0x000f_ffff_ffff_fff8L;
                    if (Long.compareUnsigned(pa + 8, memory.size()) > 0) {
                        return "COMPLETION_WAIT: store address 0x" + Long.toHexString(pa) + " is outside memory";
                    }
                    memory.writeLong(pa, c[1]);
                }
                return null;
            case AmdCommand.INVALIDATE_DEVTAB_ENTRY:
                if ((c[0] & DTE_QW0_RSVD) != 0 || c[1] != 0) {
                    return "INVALIDATE_DEVTAB_ENTRY: reserved bits set";
                }
                devtabInvalidations++;
                return null;
            case AmdCommand.INVALIDATE_IOMMU_PAGES: {
                if ((c[0] & PAGES_QW0_RSVD) != 0 || (c[1] & PAGES_QW1_RSVD) != 0) {
                    return "INVALIDATE_IOMMU_PAGES: reserved bits set";
                }
                int domainId = (int) (c[0] >>> 32) & 0xffff;
                if (domainId >= DOMAIN_IDS) {
                    return "INVALIDATE_IOMMU_PAGES: DomainID " + domainId + " is beyond the " + DOMAIN_IDS + " the unit tags";
                }
                if ((c[1] & AmdCommand.PAGES_GN) == 0 && (c[0] & 0xf_ffffL) != 0) {
                    return "INVALIDATE_IOMMU_PAGES: PASID given without GN";
                }
                long[] range = AmdCommand.decodeRange(c[1]);
                iotlb.invalidateRange(domainId, range[0], range[1]);
                return null;
            }
            case AmdCommand.INVALIDATE_IOMMU_ALL:
                if ((c[0] & ALL_QW0_RSVD) != 0 || c[1] != 0) {
                    return "INVALIDATE_IOMMU_ALL: reserved bits set";
                }
                iotlb.invalidateAll();
                return null;
            default:
                return "opcode 0x" + Integer.toHexString(op) + " is not supported";
        }
    }

    public void free() {
        buffer.free();
    }
}
