package org.iommufd4j.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.iommufd4j.failnth.FailNth;
import org.junit.jupiter.api.Test;

class PhysicalMemoryPinTest {
    private final PhysicalMemory memory = new PhysicalMemory(8L << 20, new FailNth());

    @Test
    void userFrameIsFreedWhenTheLastReferenceGoesAndNoPinHoldsIt() {
        long pfn = memory.allocateUserFrame();
        memory.getFrame(pfn);
        assertEquals(2, memory.refCount(pfn));
        memory.putFrame(pfn);
        assertEquals(1, memory.allocatedFrames());
        memory.putFrame(pfn);
        assertEquals(0, memory.allocatedFrames());
    }

    @Test
    void pinnedFrameOutlivesItsLastReferenceUntilUnpinned() {
        long pfn = memory.allocateUserFrame();
        memory.pinFrame(pfn);
        memory.pinFrame(pfn);
        memory.putFrame(pfn);
        assertEquals(1, memory.allocatedFrames());
        assertEquals(2, memory.pinCount(pfn));
        assertEquals(1, memory.pinnedFrames());
        memory.unpinFrame(pfn);
        assertEquals(1, memory.allocatedFrames());
        memory.unpinFrame(pfn);
        assertEquals(0, memory.allocatedFrames());
        assertEquals(0, memory.pinnedFrames());
    }

    @Test
    void unbalancedCountersAreBugsNotSilentCorruption() {
        long pfn = memory.allocateUserFrame();
        assertThrows(IllegalStateException.class, () -> memory.unpinFrame(pfn));
        memory.putFrame(pfn);
        assertThrows(IllegalStateException.class, () -> memory.putFrame(pfn));
        assertThrows(IllegalStateException.class, () -> memory.pinFrame(pfn));
    }

    @Test
    void copyFrameCopiesContents() {
        long a = memory.allocateUserFrame();
        long b = memory.allocateUserFrame();
        byte[] data = {1, 2, 3, 4, 5};
        memory.write((a << 12) + 4090, data, 0, 5);
        memory.copyFrame(a, b);
        byte[] back = new byte[5];
        memory.read((b << 12) + 4090, back, 0, 5);
        assertArrayEquals(data, back);
    }
}
