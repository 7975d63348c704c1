package org.iommufd4j.drivers.smmuv3.cmdq;

import org.iommufd4j.hw.CommandRing;
import org.iommufd4j.memory.PhysicalMemory;

/**
 * The driver's side of the SMMUv3 command queue (Linux arm-smmu-v3.c
 * {@code arm_smmu_cmdq_issue_cmdlist} with sync): write the commands and a CMD_SYNC whose MSI
 * writes 0 over the sync's own first word, publish PROD, and poll that word. On CERROR_ILL the bad
 * command is converted into a CMD_SYNC and the error acknowledged so the queue drains
 * (arm_smmu_cmdq_skip_err), and the submission fails: an illegal command is a driver bug.
 */
public final class CommandQueue {
    private final SmmuUnit unit;
    private final PhysicalMemory memory;
    private final CommandRing ring;

    public CommandQueue(SmmuUnit unit, PhysicalMemory memory) {
        this.unit = unit;
        this.memory = memory;
        this.ring = unit.queue();
    }

    public SmmuUnit unit() {
        return unit;
    }

    /**
     * Issues {@code commands} and a CMD_SYNC, and returns once the SMMU has consumed them all.
     *
     * @throws IllegalStateException when the SMMU reported CERROR_ILL
     */
    public synchronized void submitSync(long[]... commands) {
        int needed = commands.length + 1;
        if (needed > ring.capacity()) {
            throw new IllegalArgumentException(commands.length + " commands do not fit a queue of " + ring.capacity());
        }
        int firstError = unit.errors().size();
        if (ring.capacity() - ring.pending() < needed) {
            unit.writeProd();
            if (ring.capacity() - ring.pending() < needed) {
                throw new IllegalStateException("SMMUv3 command queue is stuck: " + unit.errors());
            }
        }
        for (long[] c : commands) {
            ring.submit(c);
        }
        long syncSlot = ring.slotPa(ring.tail());
        ring.submit(CmdqCommand.syncWithMsi(syncSlot));
        unit.writeProd();
        // __arm_smmu_cmdq_poll_until_msi: the MSI zeroes the sync command's first 32 bits.
        if ((int) memory.readLong(syncSlot) == 0) {
            return;
        }
        if (!unit.commandQueueError()) {
            throw new IllegalStateException("SMMUv3 CMD_SYNC did not complete and GERROR.CMDQ_ERR is clear");
        }
        long[] plainSync = CmdqCommand.sync(CmdqCommand.CS_SEV, CmdqCommand.SH_ISH, CmdqCommand.MEMATTR_OIWB, 0, 0);
        long slot = ring.slotPa(ring.head());
        memory.writeLong(slot, plainSync[0]);
        memory.writeLong(slot + 8, plainSync[1]);
        unit.acknowledgeError();
        unit.writeProd();
        throw new IllegalStateException("SMMUv3 CERROR_ILL: " + unit.errors().subList(firstError, unit.errors().size())
                .stream().map(e -> "command " + e.index() + ": " + e.reason()).toList());
    }
}
