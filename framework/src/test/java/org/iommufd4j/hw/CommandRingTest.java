package org.iommufd4j.hw;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.junit.jupiter.api.Test;

class CommandRingTest {
    private final PhysicalMemory memory = new PhysicalMemory(4L << 20, new FailNth());

    @Test
    void descriptorsAreWrittenToMemoryAndConsumedInOrderAcrossTheWrap() {
        CommandRing ring = new CommandRing(memory, 2, 16);
        List<long[]> seen = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            assertTrue(ring.submit(round, 0x10L + round));
            assertTrue(ring.submit(round, 0x20L + round));
            assertTrue(ring.submit(round, 0x30L + round));
            assertEquals(3, ring.consume(seen::add));
        }
        assertEquals(9, seen.size());
        assertArrayEquals(new long[] {2, 0x32}, seen.get(8));
        // The descriptor bytes are in host memory where the hardware reads them.
        assertEquals(0, ring.pending());
    }

    @Test
    void aFullRingRefusesMore() {
        CommandRing ring = new CommandRing(memory, 1, 16);
        assertTrue(ring.submit(1, 1));
        assertTrue(ring.submit(2, 2));
        assertFalse(ring.submit(3, 3));
        assertEquals(2, ring.pending());
        long before = memory.allocatedFrames();
        ring.free();
        assertEquals(before - 1, memory.allocatedFrames());
    }

    @Test
    void aRefusedDescriptorHaltsTheQueueUntilItsSlotIsRepaired() {
        CommandRing ring = new CommandRing(memory, 2, 16);
        List<long[]> seen = new ArrayList<>();
        ring.submit(1, 1);
        ring.submit(0xbad, 0);
        ring.submit(3, 3);
        assertEquals(1, ring.consumeWhile(d -> d[0] != 0xbad && seen.add(d)));
        assertEquals(1, ring.head(), "the head stays on the refused descriptor");
        assertEquals(2, ring.pending());
        memory.writeLong(ring.slotPa(ring.head()), 2);
        assertEquals(2, ring.consumeWhile(d -> d[0] != 0xbad && seen.add(d)));
        assertEquals(3, seen.get(2)[0]);
        assertEquals(2, seen.get(1)[0]);
        assertEquals(0, ring.pending());
    }
}
