package org.iommufd4j.drivers.smmuv3.pagetable;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;

/**
 * Levels, root sizes and page sizes from the Arm ARM (DDI 0487): "Translation granule sizes,
 * with block and page sizes" (4K: 4K/2M/1G, 16K: 16K/32M, 64K: 64K/512M, 4T with 52-bit OA),
 * "The Contiguous bit" (4K: 16 entries, 16K: 128 pages or 32 blocks, 64K: 32), and
 * "Concatenated translation tables for the initial stage 2 lookup" with VTCR_EL2.SL0 / STE.S2SL0.
 */
class LpaeGeometryTest {
    private static long bits(int... lg2) {
        long v = 0;
        for (int b : lg2) {
            v |= 1L << b;
        }
        return v;
    }

    @Test
    void stage1With4kGranuleAnd48BitsWalksFourLevels() {
        LpaeGeometry g = new LpaeGeometry(LpaeGranule.G4K, false, 48, 48);
        assertEquals(3, g.topLevel());
        assertEquals(9, g.itemsLg2(3));
        assertEquals(1, g.concatenatedTables());
        // 4K, 64K (16 x 4K), 2M, 32M (16 x 2M), 1G, 16G (16 x 1G)
        assertEquals(bits(12, 16, 21, 25, 30, 34), g.pgsizeBitmap());
        assertEquals(16, g.t0sz());
        assertEquals(0, g.tgField());
    }

    @Test
    void stage1With16kGranuleHasATwoEntryLevel0() {
        LpaeGeometry g = new LpaeGeometry(LpaeGranule.G16K, false, 48, 48);
        assertEquals(3, g.topLevel());
        assertEquals(1, g.itemsLg2(3));
        assertEquals(11, g.itemsLg2(2));
        // 16K, 2M (128 x 16K), 32M, 1G (32 x 32M)
        assertEquals(bits(14, 21, 25, 30), g.pgsizeBitmap());
        assertEquals(2, g.tgField());
    }

    @Test
    void stage1With64kGranuleWalksThreeLevelsAndGains4tBlocksWith52BitOutput() {
        LpaeGeometry g = new LpaeGeometry(LpaeGranule.G64K, false, 48, 48);
        assertEquals(2, g.topLevel());
        assertEquals(6, g.itemsLg2(2));
        assertEquals(bits(16, 21, 29, 34), g.pgsizeBitmap());
        assertEquals(1, g.tgField());
        LpaeGeometry lpa = new LpaeGeometry(LpaeGranule.G64K, false, 48, 52);
        assertEquals(bits(16, 21, 29, 34, 42), lpa.pgsizeBitmap());
    }

    @Test
    void smallInputWidthLimitsTheRootAndThePageSizes() {
        LpaeGeometry g = new LpaeGeometry(LpaeGranule.G4K, false, 32, 48);
        assertEquals(2, g.topLevel());
        assertEquals(2, g.itemsLg2(2));
        // 16 x 1G does not fit a 4-entry root, and nothing larger than 2^32 fits the input
        assertEquals(bits(12, 16, 21, 25, 30), g.pgsizeBitmap());
        LpaeGeometry narrowOut = new LpaeGeometry(LpaeGranule.G4K, false, 48, 32);
        assertEquals(bits(12, 16, 21, 25, 30), narrowOut.pgsizeBitmap());
    }

    @Test
    void stage2With4kAnd40BitsConcatenatesTwoLevel1Tables() {
        LpaeGeometry g = new LpaeGeometry(LpaeGranule.G4K, true, 40, 48);
        assertEquals(2, g.topLevel());
        assertEquals(10, g.itemsLg2(2));
        assertEquals(2, g.concatenatedTables());
        assertEquals(1, g.tableFrameOrder(2));
        assertEquals(0, g.tableFrameOrder(1));
        assertEquals(1, g.s2sl0()); // SL0=1: start at level 1
        assertEquals(24, g.t0sz());
    }

    @Test
    void stage2With4kAnd34BitsConcatenatesSixteenLevel2Tables() {
        LpaeGeometry g = new LpaeGeometry(LpaeGranule.G4K, true, 34, 48);
        assertEquals(1, g.topLevel());
        assertEquals(16, g.concatenatedTables());
        assertEquals(4, g.tableFrameOrder(1));
        assertEquals(0, g.s2sl0()); // SL0=0: start at level 2
    }

    @Test
    void stage2With4kAnd48BitsNeedsNoConcatenation() {
        LpaeGeometry g = new LpaeGeometry(LpaeGranule.G4K, true, 48, 48);
        assertEquals(3, g.topLevel());
        assertEquals(1, g.concatenatedTables());
        assertEquals(2, g.s2sl0()); // SL0=2: start at level 0
    }

    @Test
    void stage2With4kNeverStartsAtLevel3() {
        // 25 bits: a 16-entry level-2 start, not 16 concatenated level-3 tables (FEAT_TTST)
        LpaeGeometry g = new LpaeGeometry(LpaeGranule.G4K, true, 25, 48);
        assertEquals(1, g.topLevel());
        assertEquals(4, g.itemsLg2(1));
        assertEquals(1, g.concatenatedTables());
    }

    @Test
    void stage2With16kAnd48BitsConcatenatesTwoLevel1Tables() {
        LpaeGeometry g = new LpaeGeometry(LpaeGranule.G16K, true, 48, 48);
        assertEquals(2, g.topLevel());
        assertEquals(2, g.concatenatedTables());
        assertEquals(3, g.tableFrameOrder(2)); // 2 x 16 KiB
        assertEquals(2, g.s2sl0()); // 16K SL0=2: start at level 1
    }

    @Test
    void stage2With64kAnd44BitsConcatenatesFourLevel2Tables() {
        LpaeGeometry g = new LpaeGeometry(LpaeGranule.G64K, true, 44, 48);
        assertEquals(1, g.topLevel());
        assertEquals(4, g.concatenatedTables());
        assertEquals(6, g.tableFrameOrder(1)); // 4 x 64 KiB
        assertEquals(1, g.s2sl0()); // 64K SL0=1: start at level 2
    }

    @Test
    void stage2With64kAnd48BitsKeepsA64EntryLevel1Root() {
        LpaeGeometry g = new LpaeGeometry(LpaeGranule.G64K, true, 48, 48);
        assertEquals(2, g.topLevel());
        assertEquals(6, g.itemsLg2(2));
        assertEquals(1, g.concatenatedTables());
    }

    @Test
    void widthsOutsideTheArchitectureAreRejected() {
        IommufdException e = assertThrows(IommufdException.class, () -> new LpaeGeometry(LpaeGranule.G4K, false, 49, 48));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("49"), e.getMessage());
        e = assertThrows(IommufdException.class, () -> new LpaeGeometry(LpaeGranule.G16K, true, 40, 52));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().contains("52"), e.getMessage());
        assertThrows(IommufdException.class, () -> new LpaeGeometry(LpaeGranule.G4K, false, 24, 48));
    }
}
