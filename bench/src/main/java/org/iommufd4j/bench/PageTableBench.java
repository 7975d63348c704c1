package org.iommufd4j.bench;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.plugin.DriverRegistry;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.spi.HostServices;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The page-table engine's map and unmap, after Linux's kunit_iommu_perf.h and the tables of the
 * generic_pt cover letter: one call mapping 256 x 4 KiB, the same unmapped, a single 4 KiB map and
 * unmap, and in the same run the floor: 8-byte stores into a plain {@code long[]}.
 *
 * <p>Run e.g. {@code -p pages=1,256}: {@code map4k}/{@code unmap4k} with {@code pages=256} are
 * the "256*2^12" rows, with {@code pages=1} the "2^12" rows.
 *
 * <p>Formats: {@code x86-64-48} and {@code x86-64-57} are built in; a plugin's formats are named
 * {@code driver:format} (e.g. {@code vtd:vtd-ss-48}, {@code mock:mock}) and loaded from the
 * plugins directory in system property {@code iommufd4j.plugins} (default
 * {@code target/iommufd4j/plugins}), e.g. {@code -p format=x86-64-48,vtd:vtd-ss-48}.
 *
 * <p>An anchor page stays mapped at the end of the measured range's leaf table, so the tables the
 * range needs persist across iterations (as Linux's keep theirs when an unmap does not cover the
 * whole table) and the numbers measure entry writes, not table allocation.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class PageTableBench {
    static final long PAGE = 4096;
    static final int RW = Prot.READ | Prot.WRITE;
    /** 2 MiB-aligned IOVA; the PA is only 4 KiB-aligned, so the engine must use 4 KiB leaves. */
    static final long IOVA = 0x4000_0000L;
    static final long PA = 0x1_0000_1000L;

    /**
     * A page table of the format under test with its anchor page. Each benchmark's state extends
     * it (JMH would give a helper-method dependency its own instance, not the benchmark's).
     */
    @State(Scope.Thread)
    public abstract static class Table {
        @Param({"x86-64-48"})
        public String format;

        PageTable table;
        DriverRegistry registry;

        @Setup(Level.Trial)
        public void setUp() {
            FailNth failNth = new FailNth();
            PhysicalMemory memory = new PhysicalMemory(64L << 20, failNth);
            table = new PageTable(resolve(format, memory, failNth), memory);
            // The anchor: last 4 KiB of the 2 MiB region the benchmarks use.
            table.map(IOVA + (1L << 21) - PAGE, PA, PAGE, 1, RW);
        }

        private PageTableFormat resolve(String name, PhysicalMemory memory, FailNth failNth) {
            switch (name) {
                case "x86-64-48":
                    return X8664Format.fourLevel();
                case "x86-64-57":
                    return X8664Format.fiveLevel();
                default:
                    break;
            }
            int colon = name.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("unknown format " + name + " (built in: x86-64-48, x86-64-57;"
                        + " plugin formats: driver:format)");
            }
            Path dir = Path.of(System.getProperty("iommufd4j.plugins", "target/iommufd4j/plugins"));
            registry = DriverRegistry.load(dir, new HostServices() {
                @Override
                public PhysicalMemory memory() {
                    return memory;
                }

                @Override
                public FailNth failNth() {
                    return failNth;
                }
            });
            String driver = name.substring(0, colon);
            PageTableFormat f = registry.driver(driver)
                    .orElseThrow(() -> new IllegalArgumentException("no driver " + driver + " in " + dir))
                    .driver().pageTableFormats().get(name.substring(colon + 1));
            if (f == null) {
                throw new IllegalArgumentException("driver " + driver + " exports no format " + name.substring(colon + 1));
            }
            return f;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            table.destroy();
            if (registry != null) {
                registry.close();
            }
        }
    }

    /** A table whose measured range holds nothing when each call starts. */
    @State(Scope.Thread)
    public static class Unmapped extends Table {
        @Param({"1", "256"})
        public int pages;

        @Setup(Level.Invocation)
        public void clear() {
            if (table.iovaToPhys(IOVA) != 0) {
                table.unmap(IOVA, PAGE, pages);
            }
        }
    }

    /** A table whose measured range is mapped when each call starts. */
    @State(Scope.Thread)
    public static class Mapped extends Table {
        @Param({"1", "256"})
        public int pages;

        @Setup(Level.Invocation)
        public void fill() {
            if (table.iovaToPhys(IOVA) == 0) {
                table.map(IOVA, PA, PAGE, pages, RW);
            }
        }
    }

    /** A table left as it is between calls. */
    @State(Scope.Thread)
    public static class Steady extends Table {
    }

    /** Maps {@code pages} (256: one call of 256 x 4 KiB, as Linux's 256*2^12 row; 1: a single page). */
    @Benchmark
    public void map4k(Unmapped t) {
        t.table.map(IOVA, PA, PAGE, t.pages, RW);
    }

    @Benchmark
    public long unmap4k(Mapped t) {
        return t.table.unmap(IOVA, PAGE, t.pages);
    }

    /** A 4 KiB map and its unmap back to back, without per-invocation setup. */
    @Benchmark
    public long mapUnmap1x4k(Steady t) {
        t.table.map(IOVA, PA, PAGE, 1, RW);
        return t.table.unmap(IOVA, PAGE, 1);
    }

    @Benchmark
    public long iovaToPhys(Steady t) {
        return t.table.iovaToPhys(IOVA + (1L << 21) - PAGE + 0x123);
    }

    /** The floor in the same run: 256 8-byte stores into a plain array, as a map of 256 x 4 KiB writes. */
    @State(Scope.Thread)
    public static class Floor {
        final long[] words = new long[512];
        long value = PA | 0x67;
    }

    @Benchmark
    public void rawStore256(Floor f, Blackhole bh) {
        long[] w = f.words;
        long v = f.value;
        for (int i = 0; i < 256; i++) {
            w[i] = v;
            v += PAGE;
        }
        f.value += 1;
        bh.consume(w);
    }

    @Benchmark
    public void rawStore1(Floor f, Blackhole bh) {
        f.words[7] = f.value++;
        bh.consume(f.words);
    }
}
