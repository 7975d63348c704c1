package org.iommufd4j.pt.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Supplier;
import javax.xml.parsers.DocumentBuilderFactory;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.hw.Access;
import org.iommufd4j.hw.DmaFault;
import org.iommufd4j.hw.PageWalker;
import org.iommufd4j.hw.Translation;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.BitField;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.pt.Leaf;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableDump;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The format conformance kit: the checks Linux's generic_pt kunit suites (kunit_generic_pt.h,
 * kunit_iommu_pt.h) run against every format, run here against any {@link PageTableFormat}
 * through the engine. A module tests its formats by extending this class:
 *
 * <pre>{@code
 * class MyFormatConformanceTest extends FormatConformanceKit {
 *     protected List<PageTableFormat> formats() {
 *         return List.of(new MyFormat(3), new MyFormat(4));
 *     }
 * }
 * }</pre>
 *
 * Every check runs once per format. Random sequences are seeded ({@link #seed()}) and report the
 * seed and step on failure. Besides the engine's own view ({@code iovaToPhys}, {@code lookup}),
 * translations are checked from the hardware's side: {@link PageWalker} walks the raw tables from
 * the root using only the format's decoders, as the IOMMU does. Each check ends with a leak check: after everything is unmapped the
 * table holds only its top, and destroying it returns every frame to host memory.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class FormatConformanceKit {
    private static final int RW = Prot.READ | Prot.WRITE;

    /** The formats (with their configurations) to check. */
    protected abstract List<PageTableFormat> formats();

    /** The seed of the random sequences; override to reproduce a failure. */
    protected long seed() {
        return 0x5eed_1234_abcdL;
    }

    /** Host memory for one check. */
    protected long memoryBytes() {
        return 64L << 20;
    }

    /** Random operations per format in {@link #randomMapUnmapMatchesAShadowModel}. */
    protected int randomOperations() {
        return 400;
    }

    // ---------------------------------------------------------------- fixture

    /** One table in fresh memory, with the frame counts a leak check compares against. */
    protected final class Fixture {
        public final FailNth failNth = new FailNth();
        public final PhysicalMemory memory = new PhysicalMemory(memoryBytes(), failNth);
        public final PageTable table;
        public final long baselineFrames;
        public final long topFrames;
        public int topChanges;

        Fixture(PageTableFormat format) {
            long before = memory.allocatedFrames();
            table = new PageTable(format, memory, -1L, (pa, level) -> topChanges++);
            baselineFrames = before;
            topFrames = table.tableFrames();
            assertEquals(before + topFrames, memory.allocatedFrames(), "the engine counts the top table's frames");
        }

        /** The table's frames agree with host memory, and only the top is left when {@code empty}. */
        public void checkFrames(boolean empty) {
            assertEquals(baselineFrames + table.tableFrames(), memory.allocatedFrames(),
                    "frames held by the engine and frames allocated in host memory disagree");
            if (empty) {
                assertTrue(leaves(table).isEmpty(), "leaves left after unmapping everything");
                assertEquals(framesOfTop(), table.tableFrames(), "table frames left after unmapping everything");
            }
        }

        private long framesOfTop() {
            return 1L << table.format().tableOrder(table.topLevel());
        }

        /** Destroys the table and checks every frame went back. */
        public void destroyAndCheck() {
            table.destroy();
            assertEquals(baselineFrames, memory.allocatedFrames(), "destroy() leaked table frames");
        }
    }

    protected Fixture fixture(PageTableFormat format) {
        return new Fixture(format);
    }

    protected static List<Leaf> leaves(PageTable table) {
        List<Leaf> out = new ArrayList<>();
        table.forEachLeaf(0, -1L, out::add);
        return out;
    }

    private static Errno errnoOf(Runnable r) {
        return assertThrows(IommufdException.class, r::run).errno();
    }

    private static long minPage(PageTable t) {
        return Long.lowestOneBit(t.pgsizeBitmap());
    }

    /** Highest IOVA + 1 the kit uses (the lower half), capped so sizes stay in range. */
    private static long vaEnd(PageTable t) {
        long max = t.maxIova();
        return max == -1L ? 1L << 62 : Math.min(max + 1, 1L << 62);
    }

    private static long oaLimit(PageTable t) {
        int oa = t.format().oaBits();
        return oa >= 63 ? Long.MAX_VALUE : 1L << oa;
    }

    // ---------------------------------------------------------------- geometry

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void geometryIsConsistent(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        assertNotEquals(0, t.pgsizeBitmap(), "a table must map at least one page size");
        assertEquals(0, t.pgsizeBitmap() & ~(oaLimit(t) - 1) & Long.MAX_VALUE, "page sizes beyond the output width");
        for (int level = 0; level <= format.maxTopLevel(); level++) {
            int shift = format.itemShift(level);
            if (level > 0) {
                assertEquals(format.itemShift(level - 1) + format.indexBits(level - 1), shift,
                        "level " + level + " items must span exactly one level-" + (level - 1) + " table");
                assertTrue(format.canHaveTable(level));
            }
            long sizes = format.leafSizes(level);
            if (sizes != 0) {
                assertTrue((sizes & (1L << shift)) != 0 || Long.numberOfTrailingZeros(sizes) > shift,
                        "level " + level + " leaf sizes start at or above the item size");
            }
            assertTrue(format.tableOrder(level) >= Math.max(0, format.indexBits(level) + 3 - 12),
                    "level " + level + " tables must hold 2^indexBits 8-byte items");
        }
        assertEquals(0, t.topPa() & ((4096L << format.tableOrder(t.topLevel())) - 1), "top table alignment");
        f.destroyAndCheck();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void declaredAddressMaskAgreesWithTheEncoders(PageTableFormat format) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(format.name().hashCode());
        long limit = format.oaBits() >= 63 ? Long.MAX_VALUE : (1L << format.oaBits()) - 1;
        for (int level = 0; level <= format.maxTopLevel(); level++) {
            long mask = format.oaMask(level);
            if (mask == 0) {
                continue;
            }
            for (int i = 0; i < 200; i++) {
                long oa = rnd.nextLong(limit) & -4096L;
                long page = oa & -(4096L << format.tableOrder(Math.max(0, level - 1)));
                assertEquals(format.encodeOa(level, oa), oa & mask, "level " + level + " encodeOa(0x" + Long.toHexString(oa) + ")");
                if (format.canHaveTable(level)) {
                    long entry = format.tableEntry(level, page);
                    assertEquals(format.tablePa(level, entry), entry & mask,
                            "level " + level + " tablePa of the item pointing to 0x" + Long.toHexString(page));
                }
            }
        }
    }

    // ---------------------------------------------------------------- map one page of every size

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void mapsOnePageOfEverySize(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        for (long sizes = t.pgsizeBitmap(); sizes != 0; sizes &= sizes - 1) {
            long size = Long.lowestOneBit(sizes);
            long iova = size >= vaEnd(t) / 2 ? 0 : size; // a size-aligned IOVA that is not 0 when possible
            long pa = Math.min(oaLimit(t) - size, size * 3);
            t.map(iova, pa, size, 1, RW);
            List<Leaf> all = leaves(t);
            assertEquals(1, all.size(), "one entry for a 0x" + Long.toHexString(size) + " page");
            Leaf leaf = all.get(0);
            assertEquals(Long.numberOfTrailingZeros(size), leaf.pageSizeLg2());
            assertEquals(iova, leaf.iova());
            assertEquals(pa, leaf.pa());
            assertEquals(pa, t.iovaToPhys(iova));
            assertEquals(pa + size - 1, t.iovaToPhys(iova + size - 1));
            assertEquals(pa + size / 2 + 8, t.iovaToPhys(iova + size / 2 + 8));
            assertEquals(0, t.iovaToPhys(iova + size));
            assertTrue((format.leafProt(leaf.level(), leaf.entry()) & Prot.WRITE) != 0);
            assertEquals(size, t.unmap(iova, size, 1));
            f.checkFrames(true);
        }
        f.destroyAndCheck();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void holdsTheLowestAndHighestOutputAddress(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        t.map(0, 0, min, 1, RW);
        long top = oaLimit(t) - min;
        t.map(min, top, min, 1, RW);
        assertEquals(0, t.iovaToPhys(5) - 5);
        assertEquals(top + 7, t.iovaToPhys(min + 7));
        assertEquals(top, t.lookup(min).pa());
        t.unmap(0, min, 2);
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void permissionsRoundTrip(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        int[] extras = {0, Prot.CACHE, Prot.NOEXEC, Prot.MMIO, Prot.CACHE | Prot.NOEXEC};
        long iova = 0;
        for (int rw : new int[] {Prot.READ, Prot.WRITE, RW}) {
            for (int extra : extras) {
                int prot = rw | extra;
                long frames = t.tableFrames();
                try {
                    t.map(iova, iova, min, 1, prot);
                } catch (IommufdException e) {
                    // A format may refuse a permission (VT-d force-writeable refuses read-only);
                    // tables the call allocated before the refusal must be gone again.
                    assertTrue(e.errno() == Errno.EINVAL || e.errno() == Errno.EOPNOTSUPP, e.getMessage());
                    assertEquals(0, t.iovaToPhys(iova));
                    assertEquals(frames, t.tableFrames());
                    f.checkFrames(false);
                    continue;
                }
                Leaf leaf = t.lookup(iova);
                int granted = format.leafProt(leaf.level(), leaf.entry());
                assertEquals((prot & Prot.WRITE) != 0, (granted & Prot.WRITE) != 0, "WRITE for prot " + prot);
                if ((prot & Prot.READ) != 0) {
                    assertTrue((granted & Prot.READ) != 0, "READ for prot " + prot);
                }
                iova += min;
            }
        }
        assertTrue(iova > 0, "READ|WRITE must always be accepted");
        t.unmap(0, min, iova / min);
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    // ---------------------------------------------------------------- page-size choice

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void choosesTheLargestPageAtEachStep(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        long big = Long.highestOneBit(t.pgsizeBitmap());
        // A range that starts just below a large boundary, so every size gets a chance.
        long cap = Math.min(big, Math.max(min << 12, 1L << 22));
        long span = Math.min(cap * 2, vaEnd(t) / 2);
        long iova = span / 2 - 3 * min;
        if (iova < 0) {
            iova = 0;
        }
        long pa = iova + (cap << 1);
        long len = Math.min(span - iova, vaEnd(t) - iova) / min * min;
        t.map(iova, pa, min, len / min, RW);
        long end = iova + len;
        long covered = 0;
        for (Leaf leaf : leaves(t)) {
            assertEquals(leaf.iova() + (pa - iova), leaf.pa());
            for (long s = t.pgsizeBitmap() & -(leaf.pageSize() << 1); s != 0; s &= s - 1) {
                long size = Long.lowestOneBit(s);
                boolean fits = (leaf.iova() & (size - 1)) == 0 && (leaf.pa() & (size - 1)) == 0
                        && Long.compareUnsigned(leaf.iova() + size, end) <= 0;
                assertFalse(fits, "a 0x" + Long.toHexString(leaf.pageSize()) + " entry at 0x"
                        + Long.toHexString(leaf.iova()) + " where 0x" + Long.toHexString(size) + " fits");
            }
            covered += leaf.pageSize();
        }
        assertEquals(len, covered);
        assertEquals(len, t.unmap(iova, min, len / min));
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void largePageMapsWhereSmallPagesWereUnmapped(PageTableFormat format) {
        // kunit_iommu_pt.h test_map_table_to_oa: tables emptied by unmap must not block a large page.
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        long big = Long.highestOneBit(t.pgsizeBitmap() & ((min << 10) - 1) & ~min);
        if (big == 0) {
            f.destroyAndCheck();
            return;
        }
        t.map(big, min, min, big / min, RW); // pa misaligned: only small pages
        assertEquals(big / min, leaves(t).size());
        assertEquals(big, t.unmap(big, min, big / min));
        t.map(big, big, big, 1, RW);
        assertEquals(1, leaves(t).size());
        assertEquals(Long.numberOfTrailingZeros(big), t.lookup(big).pageSizeLg2());
        t.unmap(big, big, 1);
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void pageSizeBoundaryRegression(PageTableFormat format) {
        // kunit_iommu_pt.h test_pgsize_boundary: [0xfef80000, 0xfef9ffff] -> 0x208b95d000.
        Fixture f = fixture(format);
        PageTable t = f.table;
        if ((t.pgsizeBitmap() & 0x1000) == 0 || t.maxIova() < 0xfef9ffffL
                || format.oaBits() < 39) {
            f.destroyAndCheck();
            return;
        }
        t.map(0xfef80000L, 0x208b95d000L, 0x1000, 0x20, RW);
        for (long off = 0; off < 0x20000; off += 0x1000) {
            assertEquals(0x208b95d000L + off, t.iovaToPhys(0xfef80000L + off));
        }
        assertEquals(0x20000, t.unmap(0xfef80000L, 0x1000, 0x20));
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    // ---------------------------------------------------------------- unmap rules

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void unmapNeverSplitsALargePage(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        long sizes = t.pgsizeBitmap() & ~min;
        if (sizes == 0) {
            f.destroyAndCheck();
            return; // one page size: nothing to split
        }
        long size = Long.lowestOneBit(sizes);
        t.map(size, 0, size, 1, RW);
        long frames = t.tableFrames();
        assertEquals(Errno.EINVAL, errnoOf(() -> t.unmap(size + min, min, 1)));
        assertEquals(frames, t.tableFrames());
        assertEquals(min + 1, t.iovaToPhys(size + min + 1));
        assertEquals(size, t.unmap(size, min, 1), "unmapping the start removes the whole entry");
        assertEquals(0, t.iovaToPhys(size));
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void unmapReportsWhatTableChangesNeedInvalidating(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        t.map(0, 0, min, 4, RW);
        IotlbGather g = new IotlbGather();
        assertEquals(4 * min, t.unmap(0, min, 4, g));
        assertFalse(g.isEmpty());
        assertEquals(0, g.start());
        assertTrue(Long.compareUnsigned(g.last(), 4 * min - 1) >= 0);
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    // ---------------------------------------------------------------- errors

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void badInputGetsLinuxErrnosAndChangesNothing(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        t.map(4 * min, 4 * min, min, 1, RW);
        long frames = t.tableFrames();
        List<Leaf> before = leaves(t);

        assertEquals(Errno.EINVAL, errnoOf(() -> t.map(0, 0, min, 1, 0)), "prot without READ/WRITE");
        assertEquals(Errno.EINVAL, errnoOf(() -> t.map(0, 0, min, 0, RW)), "zero pages");
        assertEquals(Errno.EINVAL, errnoOf(() -> t.map(min / 2, 0, min, 1, RW)), "unaligned iova");
        assertEquals(Errno.EINVAL, errnoOf(() -> t.map(0, min / 2, min, 1, RW)), "unaligned pa");
        assertEquals(Errno.EINVAL, errnoOf(() -> t.map(0, 0, min / 2, 2, RW)), "page size below the smallest");
        long missing = Long.lowestOneBit(~t.pgsizeBitmap() & -min);
        if (missing != 0 && missing < vaEnd(t)) {
            assertEquals(Errno.EINVAL, errnoOf(() -> t.map(0, 0, missing, 1, RW)), "page size the format lacks");
        }
        if (format.oaBits() < 63) {
            assertEquals(Errno.ERANGE, errnoOf(() -> t.map(0, oaLimit(t), min, 1, RW)), "pa beyond the output width");
            assertEquals(Errno.ERANGE, errnoOf(() -> t.map(0, oaLimit(t) - min, min, 2, RW)), "pa range crossing it");
        }
        if (t.maxIova() != -1L) {
            long beyond = t.maxIova() + 1;
            assertEquals(Errno.ERANGE, errnoOf(() -> t.map(beyond, 0, min, 1, RW)), "iova beyond the input width");
            assertEquals(Errno.ERANGE, errnoOf(() -> t.map(beyond - min, 0, min, 2, RW)), "range crossing it");
            assertEquals(Errno.ERANGE, errnoOf(() -> t.unmap(beyond, min, 1)), "unmap beyond the input width");
        }
        assertEquals(Errno.EOVERFLOW, errnoOf(() -> t.map(-min, 0, min, 2, RW)), "range wrapping 2^64");
        assertEquals(Errno.EADDRINUSE, errnoOf(() -> t.map(0, 0, min, 8, RW)), "overmap");
        assertEquals(Errno.ENOENT, errnoOf(() -> t.unmap(8 * min, min, 4)), "unmap of nothing");
        assertEquals(Errno.EINVAL, errnoOf(() -> t.unmap(min / 2, min, 1)), "unaligned unmap");

        assertEquals(frames, t.tableFrames());
        assertEquals(before, leaves(t));
        f.checkFrames(false);
        t.unmap(4 * min, min, 1);
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void everyInjectedTableAllocationFailureIsUndone(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        t.map(0, 0, min, 1, RW);
        long frames = t.tableFrames();
        List<Leaf> before = leaves(t);
        // Far from the first page and unaligned in pa: forces a fresh path of small-page tables.
        long iova = Math.max(vaEnd(t) / 2, min * 2);
        long count = (1L << (format.indexBits(0) + 1)) + 3;
        for (int n = 1; n < 64; n++) {
            f.failNth.arm(n);
            try {
                t.map(iova, min, min, count, RW);
            } catch (IommufdException e) {
                assertEquals(Errno.ENOMEM, e.errno(), "injection " + n);
                if (t.topLevel() == format.topLevel()) {
                    assertEquals(frames, t.tableFrames(), "injection " + n + " left tables behind");
                }
                assertEquals(before, leaves(t), "injection " + n + " left entries behind");
                f.checkFrames(false);
                continue;
            } finally {
                f.failNth.disarm();
            }
            assertTrue(n > 1, "mapping far away must allocate tables");
            assertEquals(min + (count - 1) * min, t.iovaToPhys(iova + (count - 1) * min));
            t.unmap(iova, min, count);
            t.unmap(0, min, 1);
            f.checkFrames(true);
            f.destroyAndCheck();
            return;
        }
        fail("the map never succeeded");
    }

    // ---------------------------------------------------------------- random sequences

    /** A mapping made by one map call, as the shadow model remembers it. */
    private record Mapping(long iova, long len, long pa) {
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void randomMapUnmapMatchesAShadowModel(PageTableFormat format) {
        randomSequence(format, seed(), randomOperations());
    }

    /** The same with 50 times the operations and another seed: run with the slow tests. */
    @Tag("slow")
    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void longRandomMapUnmapMatchesAShadowModel(PageTableFormat format) {
        randomSequence(format, ~seed(), 50 * randomOperations());
    }

    private void randomSequence(PageTableFormat format, long seed, int operations) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        SplittableRandom rnd = new SplittableRandom(seed ^ format.name().hashCode());
        long min = minPage(t);
        // A window where every size up to a few large pages occurs, inside the input width.
        long window = Math.min(vaEnd(t), Math.max(min << 14, 1L << 31));
        long maxSize = Math.min(Long.highestOneBit(t.pgsizeBitmap()), window / 4);
        TreeMap<Long, Mapping> shadow = new TreeMap<>();
        for (int step = 0; step < operations; step++) {
            String where = format + " seed 0x" + Long.toHexString(seed) + " step " + step;
            if (shadow.isEmpty() || rnd.nextInt(10) < 6) {
                long pgsize = randomPageSize(rnd, t.pgsizeBitmap() & (maxSize | (maxSize - 1)));
                long count = 1 + rnd.nextInt(pgsize == min ? 700 : 3);
                long len = pgsize * count;
                long iova = rnd.nextLong(window / pgsize) * pgsize;
                if (iova + len > window) {
                    continue;
                }
                long pa = randomPa(rnd, t, pgsize, len);
                boolean overlaps = overlaps(shadow, iova, len);
                try {
                    t.map(iova, pa, pgsize, count, RW);
                    assertFalse(overlaps, where + ": map over an existing mapping succeeded");
                    shadow.put(iova, new Mapping(iova, len, pa));
                } catch (IommufdException e) {
                    assertTrue(overlaps, where + ": " + e.getMessage());
                    assertEquals(Errno.EADDRINUSE, e.errno(), where);
                }
            } else {
                // Unmap a run of consecutive mappings (holes between them are skipped).
                List<Mapping> all = new ArrayList<>(shadow.values());
                int from = rnd.nextInt(all.size());
                int to = Math.min(all.size() - 1, from + rnd.nextInt(3));
                Mapping first = all.get(from);
                Mapping last = all.get(to);
                long len = last.iova() + last.len() - first.iova();
                long expected = 0;
                for (int i = from; i <= to; i++) {
                    expected += all.get(i).len();
                    shadow.remove(all.get(i).iova());
                }
                assertEquals(expected, t.unmap(first.iova(), min, len / min), where);
            }
            if (step % 16 == 0) {
                checkAgainstShadow(t, shadow, rnd, where);
                f.checkFrames(shadow.isEmpty());
            }
        }
        checkAgainstShadow(t, shadow, rnd, format + " final");
        for (Mapping m : new ArrayList<>(shadow.values())) {
            assertEquals(m.len(), t.unmap(m.iova(), min, m.len() / min));
        }
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    private static long randomPageSize(SplittableRandom rnd, long sizes) {
        int n = rnd.nextInt(Long.bitCount(sizes) + 2);
        long s = sizes;
        for (int i = 0; i < n && Long.bitCount(s) > 1; i++) {
            s &= s - 1;
        }
        // Bias to the smallest sizes: they exercise tables and contiguous runs the most.
        return rnd.nextInt(3) == 0 ? Long.lowestOneBit(s) : Long.lowestOneBit(sizes);
    }

    private static long randomPa(SplittableRandom rnd, PageTable t, long pgsize, long len) {
        long limit = Math.min(oaLimit(t), 1L << 46) - len;
        long pa = rnd.nextLong(Math.max(1, limit / pgsize)) * pgsize;
        // Sometimes align pa like the IOVA to allow larger pages, sometimes not.
        return rnd.nextBoolean() ? pa : pa & -Math.min(Long.highestOneBit(t.pgsizeBitmap()), 1L << 30);
    }

    private static boolean overlaps(TreeMap<Long, Mapping> shadow, long iova, long len) {
        Map.Entry<Long, Mapping> below = shadow.floorEntry(iova + len - 1);
        return below != null && below.getValue().iova() + below.getValue().len() > iova;
    }

    private static void checkAgainstShadow(PageTable t, TreeMap<Long, Mapping> shadow, SplittableRandom rnd, String where) {
        long mapped = 0;
        for (Mapping m : shadow.values()) {
            mapped += m.len();
            assertEquals(m.pa(), t.iovaToPhys(m.iova()), where + ": first byte of " + m);
            assertEquals(m.pa() + m.len() - 1, t.iovaToPhys(m.iova() + m.len() - 1), where + ": last byte of " + m);
            long off = rnd.nextLong(m.len()) & ~7L;
            assertEquals(m.pa() + off, t.iovaToPhys(m.iova() + off), where + ": inside " + m);
            if (!shadow.containsKey(m.iova() + m.len()) && !overlaps(shadow, m.iova() + m.len(), 1)) {
                assertEquals(0, t.iovaToPhys(m.iova() + m.len()), where + ": just after " + m);
            }
        }
        long inTable = 0;
        for (Leaf leaf : leaves(t)) {
            inTable += leaf.pageSize();
        }
        assertEquals(mapped, inTable, where + ": bytes mapped");
    }

    // ---------------------------------------------------------------- the hardware's view

    /** A mapping of the hardware-walk check, with the permissions it was made with. */
    private record ProtMapping(long iova, long len, long pa, int prot) {
    }

    /**
     * The engine and the hardware read the same bits: after a random sequence of maps (random
     * permissions and sizes) and unmaps, every item of every leaf translates through
     * {@link PageWalker} (which walks the raw tables from the root with only the format's
     * decoders, as the IOMMU does) to the address the shadow model and {@code iovaToPhys} give,
     * with READ/WRITE allowed or refused as mapped; unmapped IOVAs fault NOT_PRESENT. DMA writes
     * go through {@link PageWalker#walk} so formats with dirty state see them as hardware would.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void hardwareWalkTranslatesLikeTheEngine(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        PageWalker hardware = new PageWalker(f.memory);
        long seed = seed() * 31 + 7;
        SplittableRandom rnd = new SplittableRandom(seed ^ format.name().hashCode());
        long min = minPage(t);
        long window = Math.min(vaEnd(t), Math.max(min << 14, 1L << 31));
        long maxSize = Math.min(Long.highestOneBit(t.pgsizeBitmap()), window / 4);
        int[] prots = {Prot.READ, Prot.WRITE, RW, RW | Prot.CACHE, Prot.READ | Prot.NOEXEC, RW | Prot.MMIO};
        TreeMap<Long, ProtMapping> shadow = new TreeMap<>();
        int operations = Math.max(8, randomOperations() / 4);
        for (int step = 0; step < operations; step++) {
            String where = format + " seed 0x" + Long.toHexString(seed) + " step " + step;
            if (shadow.isEmpty() || rnd.nextInt(10) < 7) {
                long pgsize = randomPageSize(rnd, t.pgsizeBitmap() & (maxSize | (maxSize - 1)));
                long count = 1 + rnd.nextInt(pgsize == min ? 200 : 3);
                long len = pgsize * count;
                long iova = rnd.nextLong(window / pgsize) * pgsize;
                if (iova + len > window || overlapsAny(shadow, iova, len)) {
                    continue;
                }
                long pa = randomPa(rnd, t, pgsize, len);
                int prot = prots[rnd.nextInt(prots.length)];
                try {
                    t.map(iova, pa, pgsize, count, prot);
                } catch (IommufdException e) {
                    // A permission the format refuses (VT-d force-writeable: read-only): map it RW.
                    assertTrue(prot != RW && (e.errno() == Errno.EINVAL || e.errno() == Errno.EOPNOTSUPP), where + ": " + e);
                    prot = RW;
                    t.map(iova, pa, pgsize, count, prot);
                }
                shadow.put(iova, new ProtMapping(iova, len, pa, prot));
            } else {
                List<ProtMapping> all = new ArrayList<>(shadow.values());
                ProtMapping m = all.get(rnd.nextInt(all.size()));
                shadow.remove(m.iova());
                assertEquals(m.len(), t.unmap(m.iova(), min, m.len() / min), where);
                for (long va : new long[] {m.iova(), m.iova() + m.len() - 1}) {
                    assertFaults(hardware, t, va, DmaFault.Reason.NOT_PRESENT, where + ": unmapped " + m);
                }
            }
            if (step % 25 == 24) {
                checkHardwareAgrees(hardware, t, shadow, rnd, window, 64, where);
            }
        }
        checkHardwareAgrees(hardware, t, shadow, rnd, window, Integer.MAX_VALUE, format + " final");
        for (ProtMapping m : new ArrayList<>(shadow.values())) {
            assertEquals(m.len(), t.unmap(m.iova(), min, m.len() / min), "after DMA through the hardware model");
            assertFaults(hardware, t, m.iova(), DmaFault.Reason.NOT_PRESENT, format + ": unmapped " + m);
        }
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    /** Checks DMA through up to {@code sampledLeaves} leaves (every item of each), and unmapped IOVAs. */
    private void checkHardwareAgrees(PageWalker hardware, PageTable t, TreeMap<Long, ProtMapping> shadow,
            SplittableRandom rnd, long window, int sampledLeaves, String where) {
        PageTableFormat format = t.format();
        long mapped = 0;
        List<Leaf> leaves = leaves(t);
        int stride = Math.max(1, leaves.size() / sampledLeaves);
        for (int i = 0; i < leaves.size(); i++) {
            Leaf leaf = leaves.get(i);
            mapped += leaf.pageSize();
            if (i % stride != 0) {
                continue;
            }
            Map.Entry<Long, ProtMapping> owner = shadow.floorEntry(leaf.iova());
            if (owner == null || leaf.iova() + leaf.pageSize() > owner.getValue().iova() + owner.getValue().len()) {
                fail(where + ": leaf " + leaf + " outside every mapping");
            }
            ProtMapping m = owner.getValue();
            long itemSize = 1L << format.itemShift(leaf.level());
            // Every item of a contiguous entry: hardware reads the one its IOVA indexes.
            for (long item = leaf.iova(); item < leaf.iova() + leaf.pageSize(); item += itemSize) {
                long va = item + (rnd.nextLong(itemSize) & ~7L);
                checkDma(hardware, t, m, leaf, va, item == leaf.iova(), where);
            }
            checkDma(hardware, t, m, leaf, leaf.iova() + leaf.pageSize() - 1, false, where);
        }
        long expected = 0;
        for (ProtMapping m : shadow.values()) {
            expected += m.len();
        }
        assertEquals(expected, mapped, where + ": bytes the leaves map");
        // Unmapped IOVAs: just past each mapping, and random ones.
        for (ProtMapping m : shadow.values()) {
            long after = m.iova() + m.len();
            if (after < window && !overlapsAny(shadow, after, 1)) {
                assertFaults(hardware, t, after, DmaFault.Reason.NOT_PRESENT, where + ": just after " + m);
            }
        }
        for (int i = 0; i < 64; i++) {
            long va = rnd.nextLong(window) & ~7L;
            if (!overlapsAny(shadow, va, 1)) {
                assertFaults(hardware, t, va, DmaFault.Reason.NOT_PRESENT, where + ": random unmapped IOVA");
            }
        }
    }

    /**
     * DMA reads and writes at {@code va} translate as the engine and the shadow model say, or
     * fault for permission where the leaf forbids them ({@code checkRefusals}: once per leaf, a
     * fault costs a stack trace). Messages are built only on failure: this runs per item.
     */
    private static void checkDma(PageWalker hardware, PageTable t, ProtMapping m, Leaf leaf, long va, boolean checkRefusals,
            String where) {
        PageTableFormat format = t.format();
        Supplier<String> what = () -> where + ": DMA at 0x" + Long.toHexString(va) + " in " + m + ", leaf " + leaf;
        long pa = m.pa() + (va - m.iova());
        assertEquals(pa, t.iovaToPhys(va), () -> what.get() + ": the engine's iova_to_phys");
        int granted = format.leafProt(leaf.level(), leaf.entry());
        for (Access access : Access.values()) {
            int bit = access == Access.READ ? Prot.READ : Prot.WRITE;
            boolean asked = (m.prot() & bit) != 0;
            boolean allowed = (granted & bit) != 0;
            if (access == Access.WRITE) {
                assertEquals(asked, allowed, () -> what.get() + ": WRITE granted as mapped");
            } else if (asked) {
                assertTrue(allowed, () -> what.get() + ": READ granted as mapped");
            }
            if (!allowed) {
                if (checkRefusals) {
                    assertFault(hardware, t, va, access, DmaFault.Reason.PERMISSION, what.get());
                }
                continue;
            }
            Translation tr;
            try {
                tr = hardware.walk(format, t.topPa(), t.topLevel(), va, access);
            } catch (DmaFault e) {
                throw new AssertionError(what.get() + " " + access + " faulted: " + e.reason(), e);
            }
            if (pa != tr.pa(va) || leaf.level() != tr.level() || leaf.pageSizeLg2() != tr.pageSizeLg2()
                    || (granted & (Prot.READ | Prot.WRITE)) != (tr.prot() & (Prot.READ | Prot.WRITE))) {
                fail(what.get() + " " + access + ": the hardware translated it to 0x" + Long.toHexString(tr.pa(va))
                        + " through level " + tr.level() + ", 2^" + tr.pageSizeLg2() + " bytes, prot " + tr.prot()
                        + "; expected 0x" + Long.toHexString(pa) + ", prot " + granted);
            }
        }
    }

    /**
     * Both kinds of DMA at {@code va} fault for {@code reason}; NOT_PRESENT becomes OUT_OF_RANGE
     * beyond what the current top covers (a growable table that has not grown yet: AMD-Vi faults
     * an IOVA above its mode's reach).
     */
    private static void assertFaults(PageWalker hardware, PageTable t, long va, DmaFault.Reason reason, String what) {
        PageTableFormat format = t.format();
        int topBits = format.itemShift(t.topLevel()) + format.indexBits(t.topLevel());
        if (reason == DmaFault.Reason.NOT_PRESENT && !format.signExtended() && topBits < 64 && (va >>> topBits) != 0) {
            reason = DmaFault.Reason.OUT_OF_RANGE;
        }
        for (Access access : Access.values()) {
            assertFault(hardware, t, va, access, reason, what);
        }
    }

    private static void assertFault(PageWalker hardware, PageTable t, long va, Access access, DmaFault.Reason reason,
            String what) {
        // Faults are the expected outcome here and there are thousands: made inside an errnoOnly
        // scope they skip filling in a stack trace.
        DmaFault.Reason[] got = new DmaFault.Reason[1];
        IommufdException.errnoOnly(() -> {
            try {
                hardware.walk(t.format(), t.topPa(), t.topLevel(), va, access);
            } catch (DmaFault e) {
                got[0] = e.reason();
            }
            return 0;
        });
        assertEquals(reason, got[0], () -> what + ": " + access + " at 0x" + Long.toHexString(va) + " must fault");
    }

    private static boolean overlapsAny(TreeMap<Long, ProtMapping> shadow, long iova, long len) {
        Map.Entry<Long, ProtMapping> below = shadow.floorEntry(iova + len - 1);
        return below != null && below.getValue().iova() + below.getValue().len() > iova;
    }

    // ---------------------------------------------------------------- dirty

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void readAndClearDirtyCoversWholeEntries(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        if (!format.supportsDirty()) {
            assertEquals(Errno.EOPNOTSUPP, errnoOf(() -> t.readAndClearDirty(0, min, false, (a, b) -> { }, null)));
            f.destroyAndCheck();
            return;
        }
        long second = Long.lowestOneBit(t.pgsizeBitmap() & ~min);
        long big = second == 0 ? min : second;
        // Two entries of the second size (or two more pages, with one size) after four pages;
        // output addresses aligned to the page size only, so the engine cannot merge pages.
        long bigIova = Math.max(big * 2, min * 4);
        long end = bigIova + big * 2;
        t.map(0, min, min, 4, RW);
        t.map(bigIova, big * 5, big, 2, RW);
        PageWalker hardware = new PageWalker(f.memory);

        // A format may install writable leaves already dirty (io-pgtable-arm with
        // IO_PGTABLE_QUIRK_ARM_HD sets DBM and leaves AP[2] clear, so the first DMA write costs
        // no table update). iommufd makes no promise about the state of new mappings: enabling
        // tracking clears everything once (iommufd/io_pagetable.c iopt_set_dirty_tracking ->
        // iopt_clear_dirty_data, a read-and-clear over every area). The kit does the same, and
        // checks what that first pass reports are whole mapped entries.
        List<long[]> seen = new ArrayList<>();
        t.readAndClearDirty(0, end, false, (a, b) -> seen.add(new long[] {a, b}), null);
        for (long[] r : seen) {
            boolean small = r[1] == min && r[0] < 4 * min && r[0] % min == 0;
            boolean large = r[1] == big && (r[0] == bigIova || r[0] == bigIova + big);
            assertTrue(small || large, "the clearing pass reported 0x" + Long.toHexString(r[0]) + "+0x"
                    + Long.toHexString(r[1]) + ", which is not one mapped entry");
        }
        seen.clear();
        t.readAndClearDirty(0, end, false, (a, b) -> seen.add(new long[] {a, b}), null);
        assertTrue(seen.isEmpty(), "one read-and-clear leaves every mapping clean");

        // Writes: the engine's setDirty (the selftest's DIRTY op) and a DMA write through the
        // hardware model, which must be allowed on a writable-clean leaf and mark it dirty.
        t.setDirty(min * 2 + 3);
        t.setDirty(bigIova + big + big / 2); // inside the second large entry: a later item of a contiguous group
        dma(hardware, t, min * 1 + 8, Access.READ);
        dma(hardware, t, min * 3 + 16, Access.WRITE);
        IotlbGather g = new IotlbGather();
        t.readAndClearDirty(0, end, true, (a, b) -> seen.add(new long[] {a, b}), g);
        assertEquals(List.of(min * 2 + ":" + min, min * 3 + ":" + min, (bigIova + big) + ":" + big), ranges(seen),
                "the written entries, whole, and not the one only read");
        assertTrue(g.isEmpty(), "NO_CLEAR changes nothing to flush");

        seen.clear();
        t.readAndClearDirty(0, end, false, (a, b) -> seen.add(new long[] {a, b}), g);
        assertEquals(3, seen.size(), "NO_CLEAR left them dirty");
        assertFalse(g.isEmpty());
        seen.clear();
        t.readAndClearDirty(0, end, false, (a, b) -> seen.add(new long[] {a, b}), null);
        assertTrue(seen.isEmpty(), "clearing cleaned every item of each entry: each write is reported once");

        // After the clear the hardware still may write, and re-dirties exactly that entry.
        assertEquals(min * 2 + 8, dma(hardware, t, min + 8, Access.WRITE).pa(min + 8));
        t.readAndClearDirty(0, end, false, (a, b) -> seen.add(new long[] {a, b}), null);
        assertEquals(List.of(min + ":" + min), ranges(seen));
        assertEquals(Errno.ENOENT, errnoOf(() -> t.setDirty(end + min)));

        t.unmap(0, min, 4);
        t.unmap(bigIova, big, 2);
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    /** One DMA through the hardware model, which must not fault (a writable-clean leaf is writable). */
    private static Translation dma(PageWalker hardware, PageTable t, long iova, Access access) {
        try {
            return hardware.walk(t.format(), t.topPa(), t.topLevel(), iova, access);
        } catch (DmaFault e) {
            throw new AssertionError(t.format() + ": a DMA " + access + " at 0x" + Long.toHexString(iova)
                    + " of a mapped READ|WRITE page faulted (" + e.reason() + "); after a clear the leaf must stay"
                    + " writable and only its dirty state change", e);
        }
    }

    private static List<String> ranges(List<long[]> seen) {
        List<String> out = new ArrayList<>();
        for (long[] r : seen) {
            out.add(r[0] + ":" + r[1]);
        }
        return out;
    }

    // ---------------------------------------------------------------- dump

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void dumpWalksTheTablesAsTheEngineWroteThem(PageTableFormat format) throws Exception {
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        long second = Long.lowestOneBit(t.pgsizeBitmap() & ~min);
        long big = second == 0 ? min : second;
        // The large entries start past the small ones even when the format has one page size.
        long bigBase = Math.max(big * 2, (min * 4 + big - 1) / big * big);
        t.map(0, min * 3, min, 3, RW);
        t.map(bigBase, big * 5, big, 2, RW);
        if (format.supportsDirty()) {
            // New leaves may start dirty (ARM DBM): clear once, as iommufd does when tracking starts.
            t.readAndClearDirty(0, bigBase + big * 2, false, (iova, length) -> { }, null);
            t.setDirty(bigBase + big + big / 2); // inside the second large entry
        }
        PageTableDump d = PageTableDump.of(t);
        assertEquals(t.tableFrames(), d.tableFrames(), "frames of the tables the dump reached");
        long expectedItems = 0;
        for (Leaf leaf : leaves(t)) {
            expectedItems += 1L << (leaf.pageSizeLg2() - format.itemShift(leaf.level()));
        }
        List<PageTableDump.Item> items = d.leaves();
        assertEquals(expectedItems, items.size(), "leaf items (every item of a contiguous entry)");
        assertEquals(expectedItems, d.leafItemCount());
        for (PageTableDump.Item item : items) {
            String where = "item at iova 0x" + Long.toHexString(item.iova());
            Leaf leaf = t.lookup(item.iova());
            assertNull(item.problem(), where);
            assertEquals(leaf.pageSizeLg2(), item.pageSizeLg2(), where + ": entry size");
            assertEquals(leaf.translate(item.iova()), item.address(), where + ": output address");
            assertEquals(format.leafProt(leaf.level(), leaf.entry()), item.prot(), where + ": permissions");
            if (item.iova() == leaf.iova()) {
                assertEquals(leaf.itemPa(), item.itemPa(), where + ": first item of its entry");
                assertEquals(leaf.entry(), item.raw(), where);
            }
            boolean inDirtyEntry = format.supportsDirty() && leaf.iova() == bigBase + big;
            if (!format.supportsDirty()) {
                assertEquals(PageTableDump.DirtyState.NOT_TRACKED, item.dirty(), where);
            } else if (!inDirtyEntry) {
                assertEquals(PageTableDump.DirtyState.CLEAN, item.dirty(), where);
            }
            Set<String> names = new HashSet<>();
            for (BitField field : item.fields()) {
                assertTrue(!field.name().isBlank() && names.add(field.name()), where + ": field names are unique: " + field);
            }
        }
        if (format.supportsDirty()) {
            assertTrue(items.stream().anyMatch(i -> i.dirty() == PageTableDump.DirtyState.DIRTY), "the written entry is dirty");
        }
        // Every format's field names and meanings must survive the pictures' escaping.
        DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(
                new ByteArrayInputStream(d.svg().getBytes(StandardCharsets.UTF_8)));
        assertTrue(d.text().lines().count() >= 1 + d.tableCount() + items.size());
        t.unmap(0, min, 3);
        t.unmap(bigBase, big, 2);
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    // ---------------------------------------------------------------- growable top

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void growableTopGrowsOnDemandAndKeepsTranslations(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        t.map(0, min * 5, min, 1, RW);
        if (format.maxTopLevel() == format.topLevel()) {
            assertEquals(0, f.topChanges);
            f.destroyAndCheck();
            return;
        }
        int startTop = t.topLevel();
        long high = t.maxIova() - min + 1;
        t.map(high, min * 9, min, 1, RW);
        assertEquals(format.maxTopLevel(), t.topLevel());
        assertTrue(f.topChanges >= 1 && f.topChanges <= format.maxTopLevel() - startTop);
        assertEquals(min * 5, t.iovaToPhys(0));
        assertEquals(min * 9, t.iovaToPhys(high));
        t.unmap(0, min, 1);
        t.unmap(high, min, 1);
        f.checkFrames(true);
        f.destroyAndCheck();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("formats")
    void destroyReturnsEveryFrame(PageTableFormat format) {
        Fixture f = fixture(format);
        PageTable t = f.table;
        long min = minPage(t);
        t.map(0, 0, min, 1500, RW);
        t.map(vaEnd(t) / 2, 0, min, 3, RW);
        assertTrue(t.tableFrames() > f.topFrames);
        assertNull(t.lookup(vaEnd(t) / 2 + 3 * min));
        f.destroyAndCheck();
    }
}
