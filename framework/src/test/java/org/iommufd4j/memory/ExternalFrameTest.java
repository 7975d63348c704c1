package org.iommufd4j.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import it.unimi.dsi.fastutil.longs.LongArrayList;
import org.iommufd4j.failnth.FailNth;
import org.junit.jupiter.api.Test;

/** Externally backed frames: their bytes live in the backing, their lifetime is the frame's counters. */
class ExternalFrameTest {
    private final PhysicalMemory memory = new PhysicalMemory(4L << 20, new FailNth());

    /** A page of bytes outside physical memory, like a real process's page. */
    private static final class Backing implements ExternalPage {
        final byte[] bytes = new byte[PhysicalMemory.PAGE_SIZE];
        final LongArrayList released = new LongArrayList();

        @Override
        public void read(int offset, byte[] dst, int off, int len) {
            System.arraycopy(bytes, offset, dst, off, len);
        }

        @Override
        public void write(int offset, byte[] src, int off, int len) {
            System.arraycopy(src, off, bytes, offset, len);
        }

        @Override
        public void released(long pfn) {
            released.add(pfn);
        }
    }

    @Test
    void byteAndWordAccessGoToTheBacking() {
        Backing b = new Backing();
        long pfn = memory.allocateExternalFrame(b);
        long pa = pfn << PhysicalMemory.PAGE_SHIFT;
        memory.write(pa + 10, new byte[] {1, 2, 3}, 0, 3);
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOfRange(b.bytes, 10, 13));
        memory.writeLong(pa + 64, 0x1122334455667788L);
        assertEquals((byte) 0x88, b.bytes[64], "little-endian, low byte first");
        assertEquals(0x1122334455667788L, memory.readLong(pa + 64));
        b.bytes[100] = 42;
        byte[] got = new byte[1];
        memory.read(pa + 100, got, 0, 1);
        assertEquals(42, got[0]);
        assertTrue(memory.isExternal(pfn));
        memory.putFrame(pfn);
    }

    @Test
    void anAccessSpanningAnOrdinaryAndAnExternalFrameIsSplitAtThePage() {
        long local = memory.allocateUserFrame();
        Backing b = new Backing();
        long ext = memory.allocateExternalFrame(b);
        // Frames are handed out in order from an empty memory, so these two are adjacent.
        assertEquals(local + 1, ext);
        long pa = (ext << PhysicalMemory.PAGE_SHIFT) - 2;
        memory.write(pa, new byte[] {7, 8, 9, 10}, 0, 4);
        assertArrayEquals(new byte[] {9, 10}, java.util.Arrays.copyOf(b.bytes, 2));
        byte[] back = new byte[4];
        memory.read(pa, back, 0, 4);
        assertArrayEquals(new byte[] {7, 8, 9, 10}, back);
        memory.putFrame(local);
        memory.putFrame(ext);
    }

    @Test
    void theLastUnpinReleasesTheBackingAndTheFrame() {
        Backing b = new Backing();
        long before = memory.allocatedFrames();
        long pfn = memory.allocateExternalFrame(b);
        memory.pinFrame(pfn);
        memory.putFrame(pfn);
        assertTrue(b.released.isEmpty(), "a pinned frame stays");
        assertTrue(memory.tryPinFrame(pfn));
        memory.unpinFrame(pfn);
        memory.unpinFrame(pfn);
        assertEquals(LongArrayList.of(pfn), b.released);
        assertFalse(memory.tryPinFrame(pfn), "a freed frame cannot be pinned again");
        assertEquals(0, memory.externalFrames());
        assertEquals(before, memory.allocatedFrames());
    }
}
