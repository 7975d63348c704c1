package org.iommufd4j.drivers.amdvi.cmdbuf;

import org.iommufd4j.hw.CommandRing;
import org.iommufd4j.memory.PhysicalMemory;

/**
 * The driver's side of the command buffer (Linux iommu.c {@code iommu_queue_command} and
 * {@code iommu_completion_wait}): append the commands and a COMPLETION_WAIT that stores an
 * incrementing semaphore value, bump the tail, and wait for the value. After an ILLEGAL_COMMAND
 * event the bad slot is replaced by a COMPLETION_WAIT without store (a no-op) and the buffer
 * restarted, and the submission fails: an illegal command is a driver bug and is raised.
 */
public final class CommandQueue {
    private final AmdViUnit unit;
    private final PhysicalMemory memory;
    private final CommandRing ring;
    private final long semaphorePa;
    private long semaphore;

    public CommandQueue(AmdViUnit unit, PhysicalMemory memory) {
        this.unit = unit;
        this.memory = memory;
        this.ring = unit.commandBuffer();
        this.semaphorePa = memory.allocate(0);
    }

    public AmdViUnit unit() {
        return unit;
    }

    /**
     * Queues {@code commands} and a completion wait, and returns when the IOMMU has run them all.
     *
     * @throws IllegalStateException when the IOMMU logged an ILLEGAL_COMMAND_ERROR
     */
    public synchronized void submitSync(long[]... commands) {
        int needed = commands.length + 1;
        if (needed > ring.capacity()) {
            throw new IllegalArgumentException(commands.length + " commands do not fit a buffer of " + ring.capacity());
        }
        int firstEvent = unit.eventLog().size();
        if (ring.capacity() - ring.pending() < needed) {
            unit.writeTail();
            if (ring.capacity() - ring.pending() < needed) {
                throw new IllegalStateException("AMD-Vi command buffer is stuck: " + unit.eventLog());
            }
        }
        for (long[] c : commands) {
            ring.submit(c);
        }
        long value = ++semaphore;
        ring.submit(AmdCommand.completionWait(semaphorePa, value));
        unit.writeTail();
        if (memory.readLong(semaphorePa) == value) {
            return;
        }
        if (unit.commandBufferRunning()) {
            throw new IllegalStateException("AMD-Vi completion wait did not store and the buffer still runs");
        }
        long slot = ring.slotPa(ring.head());
        memory.writeLong(slot, (long) AmdCommand.COMPLETION_WAIT << 60);
        memory.writeLong(slot + 8, 0);
        unit.restart();
        unit.writeTail();
        throw new IllegalStateException("AMD-Vi ILLEGAL_COMMAND_ERROR: "
                + unit.eventLog().subList(firstEvent, unit.eventLog().size()).stream()
                        .map(e -> "command at 0x" + Long.toHexString(e.commandPa()) + ": " + e.reason()).toList());
    }

    public void free() {
        memory.free(semaphorePa, 0);
    }
}
