package org.iommufd4j.drivers.vtd.qi;

import org.iommufd4j.hw.CommandRing;
import org.iommufd4j.memory.PhysicalMemory;

/**
 * The driver's side of a VT-d invalidation queue (Linux dmar.c {@code qi_submit_sync}): append the
 * descriptors and an invalidation wait whose status write signals completion, bump the tail, and
 * wait for the status word. On an Invalidation Queue Error the bad descriptor is overwritten with
 * the wait descriptor and IQE cleared so the queue drains (qi_check_fault), and the submission
 * fails: an invalid descriptor is a driver bug and is raised, not swallowed.
 */
public final class InvalidationQueue {
    private final VtdUnit unit;
    private final PhysicalMemory memory;
    private final CommandRing ring;
    private final long statusPa;

    /** @param memory where the status word lives (one frame, freed by {@link #free}) */
    public InvalidationQueue(VtdUnit unit, PhysicalMemory memory) {
        this.unit = unit;
        this.memory = memory;
        this.ring = unit.queue();
        this.statusPa = memory.allocate(0);
    }

    public VtdUnit unit() {
        return unit;
    }

    /**
     * Submits {@code descriptors} (two quadwords each, padded to the queue's width) plus a trailing
     * wait, and returns once the hardware has completed them all.
     *
     * @throws IllegalStateException when the hardware reported an Invalidation Queue Error
     */
    public synchronized void submitSync(long[]... descriptors) {
        int words = ring.entryBytes() / 8;
        int needed = descriptors.length + 1;
        if (needed > ring.capacity()) {
            throw new IllegalArgumentException(descriptors.length + " descriptors do not fit a queue of " + ring.capacity());
        }
        long firstError = unit.queueErrors().size();
        if (ring.capacity() - ring.pending() < needed) {
            unit.writeTail(); // let the hardware catch up (Linux spins in qi_submit_sync)
            if (ring.capacity() - ring.pending() < needed) {
                throw new IllegalStateException("VT-d invalidation queue is stuck: " + unit.queueErrors());
            }
        }
        for (long[] d : descriptors) {
            ring.submit(pad(d, words));
        }
        VtdUnit.writeStatus(memory, statusPa, QiDescriptor.QI_IN_USE);
        long[] wait = pad(QiDescriptor.waitWithStatus(statusPa, QiDescriptor.QI_DONE, false), words);
        ring.submit(wait);
        unit.writeTail();
        if (VtdUnit.readStatus(memory, statusPa) == QiDescriptor.QI_DONE) {
            return;
        }
        if ((unit.faultStatus() & VtdUnit.FSTS_IQE) == 0) {
            throw new IllegalStateException("VT-d invalidation wait did not complete and no IQE was reported");
        }
        // qi_check_fault: the head is on the bad descriptor; replace it by the wait and restart.
        long slot = ring.slotPa(ring.head());
        for (int i = 0; i < words; i++) {
            memory.writeLong(slot + 8L * i, wait[i]);
        }
        unit.clearQueueError();
        unit.writeTail();
        throw new IllegalStateException("VT-d invalidation queue error: "
                + unit.queueErrors().subList((int) firstError, unit.queueErrors().size()));
    }

    private static long[] pad(long[] d, int words) {
        if (d.length == words) {
            return d;
        }
        if (d.length > words) {
            throw new IllegalArgumentException(d.length + "-quadword descriptor in a " + words + "-quadword queue");
        }
        long[] p = new long[words];
        System.arraycopy(d, 0, p, 0, d.length);
        return p;
    }

    /** Frees the status frame. */
    public void free() {
        memory.free(statusPa, 0);
    }
}
