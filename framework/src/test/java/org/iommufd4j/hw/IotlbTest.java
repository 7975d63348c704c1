package org.iommufd4j.hw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class IotlbTest {
    private static Translation page(long iova) {
        return new Translation(iova, 0x10_0000L + iova, 0, 12, 3, 0);
    }

    @Test
    void entriesAreTaggedAndEvictedOldestFirst() {
        Iotlb tlb = new Iotlb(2);
        tlb.fill(1, page(0x1000));
        tlb.fill(2, page(0x1000));
        assertNotNull(tlb.lookup(1, 0x1abc));
        tlb.fill(1, page(0x2000));
        assertNull(tlb.lookup(1, 0x1000), "the oldest fill was evicted");
        assertNotNull(tlb.lookup(2, 0x1000));
        assertEquals(2, tlb.hits());
        assertEquals(1, tlb.misses());
    }

    @Test
    void rangeInvalidationForgetsOverlappingPagesOfOneTagOnly() {
        Iotlb tlb = new Iotlb(16);
        for (long p = 0; p < 4; p++) {
            tlb.fill(1, page(p << 12));
            tlb.fill(2, page(p << 12));
        }
        tlb.invalidateRange(1, 0x1fff, 0x2000);
        assertNotNull(tlb.lookup(1, 0x0000));
        assertNull(tlb.lookup(1, 0x1000));
        assertNull(tlb.lookup(1, 0x2000));
        assertNotNull(tlb.lookup(1, 0x3000));
        assertEquals(6, tlb.size());
        tlb.invalidateTag(2);
        assertEquals(2, tlb.size());
        tlb.invalidateAll();
        assertEquals(0, tlb.size());
    }
}
