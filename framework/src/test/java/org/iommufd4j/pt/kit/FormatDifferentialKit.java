package org.iommufd4j.pt.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Differential check: one seeded random sequence of maps and unmaps runs on several formats at
 * once; every format must accept or refuse each operation alike, unmap the same number of bytes,
 * and translate every sampled IOVA to the same address. Formats choose their own entries (a 2 MiB
 * leaf on one, a 512-item contiguous run or 16 contiguous 64 KiB groups on another); only what a
 * device sees must agree. Operations use 4 KiB pages inside the smallest common input range.
 *
 * <p>Extend it and return at least two formats, e.g. a new format next to x86-64.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FormatDifferentialKit {
    private static final long PAGE = 4096;

    /** The formats to compare (at least two, each mapping 4 KiB pages). */
    protected abstract List<PageTableFormat> formats();

    protected long seed() {
        return 0xd1ff_0001L;
    }

    protected int operations() {
        return 600;
    }

    private record Mapping(long iova, long len, long pa) {
    }

    @Test
    void oneRandomSequenceTranslatesAlikeOnEveryFormat() {
        List<PageTableFormat> formats = formats();
        assertTrue(formats.size() >= 2, "a differential test needs two formats");
        PhysicalMemory memory = new PhysicalMemory(128L << 20, new FailNth());
        List<PageTable> tables = new ArrayList<>();
        long window = 1L << 31;
        for (PageTableFormat f : formats) {
            PageTable t = new PageTable(f, memory);
            assertTrue((t.pgsizeBitmap() & (PAGE | (PAGE - 1))) != 0, f + " cannot map 4 KiB pages");
            window = Math.min(window, t.maxIova() == -1L ? window : t.maxIova() + 1);
            tables.add(t);
        }
        long baseline = memory.allocatedFrames();
        SplittableRandom rnd = new SplittableRandom(seed());
        TreeMap<Long, Mapping> shadow = new TreeMap<>();
        for (int step = 0; step < operations(); step++) {
            String where = "seed 0x" + Long.toHexString(seed()) + " step " + step;
            if (shadow.isEmpty() || rnd.nextInt(10) < 6) {
                long count = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 2048 : 40);
                long len = count * PAGE;
                long align = rnd.nextBoolean() ? 1L << 21 : PAGE;
                long iova = rnd.nextLong(window / align) * align;
                if (iova + len > window) {
                    continue;
                }
                long pa = (rnd.nextLong(1L << 34) & -align) | (rnd.nextInt(4) == 0 ? PAGE : 0);
                Errno first = null;
                for (int i = 0; i < tables.size(); i++) {
                    Errno e = null;
                    try {
                        tables.get(i).map(iova, pa, PAGE, count, Prot.READ | Prot.WRITE);
                    } catch (IommufdException x) {
                        e = x.errno();
                    }
                    if (i == 0) {
                        first = e;
                    } else {
                        assertEquals(first, e, where + ": " + formats.get(i) + " disagrees with " + formats.get(0)
                                + " on map 0x" + Long.toHexString(iova) + "+0x" + Long.toHexString(len));
                    }
                }
                if (first == null) {
                    shadow.put(iova, new Mapping(iova, len, pa));
                }
            } else {
                List<Mapping> all = new ArrayList<>(shadow.values());
                Mapping m = all.get(rnd.nextInt(all.size()));
                shadow.remove(m.iova());
                for (int i = 0; i < tables.size(); i++) {
                    assertEquals(m.len(), tables.get(i).unmap(m.iova(), PAGE, m.len() / PAGE),
                            where + ": " + formats.get(i) + " unmap of " + m);
                }
            }
            for (int probe = 0; probe < 24; probe++) {
                long va = rnd.nextLong(window) & ~7L;
                if (!shadow.isEmpty() && probe % 2 == 0) {
                    List<Mapping> all = new ArrayList<>(shadow.values());
                    Mapping m = all.get(rnd.nextInt(all.size()));
                    va = m.iova() + (rnd.nextLong(m.len()) & ~7L);
                }
                long expected = tables.get(0).iovaToPhys(va);
                for (int i = 1; i < tables.size(); i++) {
                    assertEquals(expected, tables.get(i).iovaToPhys(va), where + ": " + formats.get(i)
                            + " translates 0x" + Long.toHexString(va) + " unlike " + formats.get(0));
                }
            }
        }
        for (Mapping m : shadow.values()) {
            for (PageTable t : tables) {
                assertEquals(m.pa() + m.len() - PAGE, t.iovaToPhys(m.iova() + m.len() - PAGE));
                assertEquals(m.len(), t.unmap(m.iova(), PAGE, m.len() / PAGE));
            }
        }
        long tops = 0;
        for (PageTable t : tables) {
            tops += t.tableFrames();
        }
        assertEquals(baseline, memory.allocatedFrames(), "frames left after unmapping everything");
        assertEquals(tables.size(), tops, "only the tops are left");
        for (PageTable t : tables) {
            t.destroy();
        }
    }
}
