package org.iommufd4j.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import org.junit.jupiter.api.Test;

/** The process's page → frame map behaves as the hash map it replaced, across and inside leaves. */
class PageFrameMapTest {
    @Test
    void putGetRemoveAgreeWithAHashMap() {
        PageFrameMap map = new PageFrameMap();
        Long2LongOpenHashMap expected = new Long2LongOpenHashMap();
        java.util.Random random = new java.util.Random(7);
        for (int step = 0; step < 20_000; step++) {
            // Pages around three leaves, one of them at the top of the address space.
            long vpn = switch (random.nextInt(3)) {
                case 0 -> random.nextInt(3 * PageFrameMap.LEAF_PAGES);
                case 1 -> (1L << 36) - 1 - random.nextInt(PageFrameMap.LEAF_PAGES);
                default -> 5L * PageFrameMap.LEAF_PAGES + random.nextInt(8);
            };
            if (random.nextBoolean()) {
                long pfn = 1 + random.nextInt(1000);
                assertEquals(expected.put(vpn, pfn), map.put(vpn, pfn));
            } else {
                assertEquals(expected.remove(vpn), map.remove(vpn));
            }
            long probe = random.nextInt(6 * PageFrameMap.LEAF_PAGES);
            assertEquals(expected.get(probe), map.get(probe));
        }
        assertEquals(expected.size(), map.size());
        long[] range = new long[3 * PageFrameMap.LEAF_PAGES + 50];
        java.util.Arrays.fill(range, -1);
        map.getRange(7, range); // starts inside a leaf, crosses absent leaves
        for (int i = 0; i < range.length; i++) {
            assertEquals(expected.get(7 + i), range[i], "page " + (7 + i));
        }
        Long2LongOpenHashMap seen = new Long2LongOpenHashMap();
        map.forEach((vpn, pfn) -> assertEquals(0, seen.put(vpn, pfn), "visited twice"));
        assertEquals(expected, seen);
        expected.keySet().forEach(vpn -> map.remove(vpn));
        assertEquals(0, map.size());
        assertEquals(0, map.get(3));
    }

    @Test
    void frameZeroIsNotAFrame() {
        assertThrows(IllegalArgumentException.class, () -> new PageFrameMap().put(1, 0));
    }
}
