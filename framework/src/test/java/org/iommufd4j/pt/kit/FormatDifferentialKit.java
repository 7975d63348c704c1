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
 * device sees must agree.
 *
 * <p>Operations are multiples of the run's <em>unit</em>, the largest of the formats' smallest
 * page sizes (4 KiB for x86-64 next to a 4K-granule table, 64 KiB when a 64K-granule table takes
 * part), and each format maps and unmaps them with its own smallest page. IOVAs stay inside the
 * smallest common input range and output addresses inside the smallest common output width.
 * Alignments are drawn from every page size of the run, so each format's blocks and contiguous
 * runs occur.
 *
 * <p>Extend it and return at least two formats, e.g. a new format next to x86-64.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FormatDifferentialKit {
    /** The formats to compare (at least two). */
    protected abstract List<PageTableFormat> formats();

    protected long seed() {
        return 0xd1ff_0001L;
    }

    protected int operations() {
        return 600;
    }

    /** Host memory for the run's tables. */
    protected long memoryBytes() {
        return 128L << 20;
    }

    private record Mapping(long iova, long len, long pa) {
    }

    @Test
    void oneRandomSequenceTranslatesAlikeOnEveryFormat() {
        List<PageTableFormat> formats = formats();
        assertTrue(formats.size() >= 2, "a differential test needs two formats");
        PhysicalMemory memory = new PhysicalMemory(memoryBytes(), new FailNth());
        long before = memory.allocatedFrames();
        List<PageTable> tables = new ArrayList<>();
        long window = Long.MAX_VALUE;
        long paLimit = 1L << 46;
        long unit = 0;
        long sizes = 0;
        for (PageTableFormat f : formats) {
            PageTable t = new PageTable(f, memory);
            window = Math.min(window, t.maxIova() == -1L || t.maxIova() < 0 ? window : t.maxIova() + 1);
            paLimit = Math.min(paLimit, 1L << Math.min(f.oaBits(), 62));
            unit = Math.max(unit, Long.lowestOneBit(t.pgsizeBitmap()));
            sizes |= t.pgsizeBitmap();
            tables.add(t);
        }
        // 2 GiB with 4 KiB units, scaled with the unit (32 GiB for 64 KiB) so the largest blocks fit.
        window = Math.min(window, (1L << 31) / 4096 * unit);
        assertTrue(unit <= window / 64, "the formats share no range of a useful size: unit 0x" + Long.toHexString(unit)
                + ", window 0x" + Long.toHexString(window));
        // Alignments: every page size of the run from the unit up to an eighth of the window.
        long aligns = sizes & -unit & ((window / 8) | (window / 8 - 1));
        long[] mins = tables.stream().mapToLong(t -> Long.lowestOneBit(t.pgsizeBitmap())).toArray();
        SplittableRandom rnd = new SplittableRandom(seed());
        TreeMap<Long, Mapping> shadow = new TreeMap<>();
        for (int step = 0; step < operations(); step++) {
            String where = "seed 0x" + Long.toHexString(seed()) + " unit 0x" + Long.toHexString(unit) + " step " + step;
            if (shadow.isEmpty() || rnd.nextInt(10) < 6) {
                long align;
                long units;
                switch (rnd.nextInt(4)) {
                    case 0 -> {
                        align = unit;
                        units = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 2048 : 40);
                    }
                    case 1 -> {
                        align = Math.max(unit, 1L << 21);
                        units = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 2048 : 40);
                    }
                    default -> {
                        // One of the run's page sizes, a block or two of it, sometimes with a tail.
                        align = pick(rnd, aligns);
                        units = align / unit * (1 + rnd.nextInt(2)) + (rnd.nextBoolean() ? 0 : rnd.nextInt(8));
                    }
                }
                long len = units * unit;
                long iova = rnd.nextLong(window / align) * align;
                if (iova + len > window || len > paLimit / 4) {
                    continue;
                }
                // Output addresses: mostly low, sometimes up to the common output width; aligned
                // like the IOVA to allow large entries, or off by a unit to forbid them.
                long paSpan = rnd.nextBoolean() ? Math.min(1L << 34, paLimit - len - 2 * align) : paLimit - len - 2 * align;
                long pa = (rnd.nextLong(paSpan) & -align) | (rnd.nextInt(4) == 0 ? unit : 0);
                Errno first = null;
                for (int i = 0; i < tables.size(); i++) {
                    Errno e = null;
                    try {
                        tables.get(i).map(iova, pa, mins[i], len / mins[i], Prot.READ | Prot.WRITE);
                    } catch (IommufdException x) {
                        e = x.errno();
                    }
                    if (i == 0) {
                        first = e;
                    } else {
                        assertEquals(first, e, where + ": " + formats.get(i) + " disagrees with " + formats.get(0)
                                + " on map 0x" + Long.toHexString(iova) + "+0x" + Long.toHexString(len) + " -> 0x"
                                + Long.toHexString(pa));
                    }
                }
                if (first == null) {
                    shadow.put(iova, new Mapping(iova, len, pa));
                } else {
                    assertEquals(Errno.EADDRINUSE, first, where + ": only an overlap may be refused");
                }
            } else {
                List<Mapping> all = new ArrayList<>(shadow.values());
                Mapping m = all.get(rnd.nextInt(all.size()));
                shadow.remove(m.iova());
                for (int i = 0; i < tables.size(); i++) {
                    assertEquals(m.len(), tables.get(i).unmap(m.iova(), mins[i], m.len() / mins[i]),
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
                    if (tables.get(i).iovaToPhys(va) != expected) {
                        assertEquals(expected, tables.get(i).iovaToPhys(va), where + ": " + formats.get(i)
                                + " translates 0x" + Long.toHexString(va) + " unlike " + formats.get(0));
                    }
                }
            }
        }
        for (Mapping m : shadow.values()) {
            for (int i = 0; i < tables.size(); i++) {
                PageTable t = tables.get(i);
                assertEquals(m.pa() + m.len() - unit, t.iovaToPhys(m.iova() + m.len() - unit), formats.get(i) + ": " + m);
                assertEquals(m.len(), t.unmap(m.iova(), mins[i], m.len() / mins[i]), formats.get(i) + ": " + m);
            }
        }
        // Only the tops are left, each the size its format gives its top level: a concatenated
        // stage-2 root is 2..16 granules, a 16K/64K granule table 4/16 frames.
        long tops = 0;
        for (PageTable t : tables) {
            long top = 1L << t.format().tableOrder(t.topLevel());
            assertEquals(top, t.tableFrames(), t.format() + ": only the top is left after unmapping everything");
            tops += top;
        }
        assertEquals(before + tops, memory.allocatedFrames(), "frames left in host memory after unmapping everything");
        for (PageTable t : tables) {
            t.destroy();
        }
        assertEquals(before, memory.allocatedFrames(), "destroy() returned every frame");
    }

    /** A random one of the sizes in {@code bitmap}, each equally likely. */
    private static long pick(SplittableRandom rnd, long bitmap) {
        int n = rnd.nextInt(Long.bitCount(bitmap));
        long s = bitmap;
        for (int i = 0; i < n; i++) {
            s &= s - 1;
        }
        return Long.lowestOneBit(s);
    }
}
