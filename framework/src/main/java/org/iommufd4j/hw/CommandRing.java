package org.iommufd4j.hw;

import java.util.function.Consumer;
import java.util.function.Predicate;
import org.iommufd4j.memory.PhysicalMemory;

/**
 * A command or invalidation queue as the IOMMUs have it: a power-of-two ring of fixed-size
 * descriptors in host memory with a producer (tail) index written by software and a consumer
 * (head) index advanced by hardware. VT-d's invalidation queue (16- or 32-byte descriptors),
 * SMMUv3's CMDQ (16 bytes) and AMD-Vi's command buffer (16 bytes) are all this shape; the driver
 * decodes its own descriptors in the consumer.
 */
public final class CommandRing {
    private final PhysicalMemory memory;
    private final long basePa;
    private final int entries;
    private final int entryWords;
    private final int order;
    private long head;
    private long tail;

    /**
     * A ring of {@code 2^log2Entries} descriptors of {@code entryBytes} (a multiple of 8) in
     * freshly allocated host memory.
     */
    public CommandRing(PhysicalMemory memory, int log2Entries, int entryBytes) {
        if (entryBytes <= 0 || entryBytes % 8 != 0 || log2Entries < 1 || log2Entries > 15) {
            throw new IllegalArgumentException(entryBytes + "-byte entries, 2^" + log2Entries);
        }
        this.memory = memory;
        this.entries = 1 << log2Entries;
        this.entryWords = entryBytes / 8;
        long bytes = (long) entries * entryBytes;
        int o = 0;
        while ((4096L << o) < bytes) {
            o++;
        }
        this.order = o;
        this.basePa = memory.allocate(order);
    }

    public long basePa() {
        return basePa;
    }

    public int capacity() {
        return entries;
    }

    /** Descriptors written and not yet consumed. */
    public synchronized int pending() {
        return (int) (tail - head);
    }

    /**
     * Writes one descriptor at the tail and advances it. Returns false when the ring is full (the
     * driver must let the hardware catch up first, as it would wait on a real queue).
     */
    public synchronized boolean submit(long... words) {
        if (words.length != entryWords) {
            throw new IllegalArgumentException("descriptor of " + words.length + " words, ring takes " + entryWords);
        }
        if (tail - head == entries) {
            return false;
        }
        long slot = basePa + (tail & (entries - 1)) * entryWords * 8L;
        for (int i = 0; i < entryWords; i++) {
            memory.writeLong(slot + 8L * i, words[i]);
        }
        tail++;
        return true;
    }

    /** The hardware side: hands every pending descriptor to {@code executor} in order and advances the head. */
    public synchronized int consume(Consumer<long[]> executor) {
        int n = 0;
        long[] descriptor = new long[entryWords];
        while (head != tail) {
            long slot = basePa + (head & (entries - 1)) * entryWords * 8L;
            for (int i = 0; i < entryWords; i++) {
                descriptor[i] = memory.readLong(slot + 8L * i);
            }
            executor.accept(descriptor.clone());
            head++;
            n++;
        }
        return n;
    }

    /**
     * The hardware side of a queue that halts on a bad descriptor: hands pending descriptors to
     * {@code executor} in order and stops at the first one it refuses, leaving the head on it (as
     * VT-d stops on an Invalidation Queue Error, SMMUv3 on CONS.ERR, AMD-Vi on ILLEGAL_COMMAND)
     * until software repairs that slot ({@link #slotPa}) and the queue is run again.
     *
     * @return the number of descriptors executed
     */
    public synchronized int consumeWhile(Predicate<long[]> executor) {
        int n = 0;
        long[] descriptor = new long[entryWords];
        while (head != tail) {
            long slot = slotPa(head);
            for (int i = 0; i < entryWords; i++) {
                descriptor[i] = memory.readLong(slot + 8L * i);
            }
            if (!executor.test(descriptor.clone())) {
                break;
            }
            head++;
            n++;
        }
        return n;
    }

    /** Free-running consumer index (the head register is this modulo {@link #capacity()}). */
    public synchronized long head() {
        return head;
    }

    /** Free-running producer index (the tail register is this modulo {@link #capacity()}). */
    public synchronized long tail() {
        return tail;
    }

    /** Host physical address of the slot free-running index {@code index} lands in. */
    public long slotPa(long index) {
        return basePa + (index & (entries - 1)) * entryWords * 8L;
    }

    /** Bytes per descriptor. */
    public int entryBytes() {
        return entryWords * 8;
    }

    /** Frees the ring's memory. */
    public synchronized void free() {
        memory.free(basePa, order);
    }
}
