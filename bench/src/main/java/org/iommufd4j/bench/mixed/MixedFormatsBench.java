package org.iommufd4j.bench.mixed;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.iommufd4j.bench.BenchMachine;
import org.iommufd4j.bench.ReportAs;
import org.iommufd4j.bench.catalog.FormatCatalog;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Several page-table formats in one JVM. The engine's hot loops call the format through an
 * interface and read per-format data; a JVM that has run one format compiles them for that format
 * (monomorphic call sites, constant folding), a JVM that has run several cannot. With
 * {@code others=none} the fork only ever sees {@code format}; with {@code others=all} the trial
 * setup first runs the same work, long enough to be compiled, over every other format of
 * {@link #POOL} that the plugins export, one after the other, and then {@code format} is measured:
 * format A then B then C in one fork, the last one measured. The report gives the ratio of the two.
 *
 * <p>Each invocation maps 256 pages of the format's smallest size into an existing table and
 * unmaps them again (a pair, so the table is the same before every call), or walks one address.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class MixedFormatsBench {
    /** The formats run before the measured one when {@code others=all}. */
    static final List<String> POOL = List.of("amdv1", "amdv2", "vtd-ss-48", "x86-64-48", "arm-lpae-s1-4k",
            "arm-lpae-s2-4k", "arm-lpae-s1-64k", "mock");
    static final int RW = Prot.READ | Prot.WRITE;
    static final int PAGES = 256;
    /** Map+unmap pairs and walks run per other format before the measured one: enough for C2. */
    static final int POLLUTION_ROUNDS = 30_000;

    @Param({"amdv1", "vtd-ss-48", "arm-lpae-s1-4k"})
    public String format;

    @Param({"none", "all"})
    public String others;

    IommufdComponent machine;
    Workload measured;
    final List<String> ranBefore = new ArrayList<>();

    /** One format's table with a slot of 256 pages in an anchored table, and addresses to walk. */
    static final class Workload {
        final PageTable table;
        final long page;
        final long slot;
        final long[] walk = new long[256];
        int next;

        Workload(IommufdComponent machine, PageTableFormat format) {
            table = new PageTable(format, machine.memory());
            page = Long.lowestOneBit(table.pgsizeBitmap());
            long tableSpan = page << format.indexBits(0);
            long base = (table.minIova() + tableSpan - 1) & -tableSpan;
            // An anchor keeps the leaf table alive; the slot is the table's second half.
            table.map(base, base, page, 1, RW);
            slot = base + (tableSpan >>> 1);
            table.map(slot, slot + page, page, PAGES, RW);
            for (int i = 0; i < walk.length; i++) {
                walk[i] = slot + (i * 37L % PAGES) * page + 8 * i;
            }
        }

        /** One map call of 256 pages and one unmap call of them (PA = IOVA + one page: page-size leaves). */
        long mapUnmap() {
            long n = table.unmap(slot, page, PAGES);
            table.map(slot, slot + page, page, PAGES, RW);
            return n;
        }

        long walk() {
            int i = next;
            next = (i + 1) & (walk.length - 1);
            return table.iovaToPhys(walk[i]);
        }
    }

    @Setup(Level.Trial)
    public void build() {
        machine = BenchMachine.create(1L << 30);
        Map<String, PageTableFormat> exported = FormatCatalog.exported(machine);
        if (!exported.containsKey(format)) {
            throw new IllegalArgumentException("no loaded driver exports '" + format + "' (exported: " + exported.keySet() + ")");
        }
        switch (others) {
            case "none":
                break;
            case "all":
                for (String name : POOL) {
                    if (name.equals(format) || !exported.containsKey(name)) {
                        continue;
                    }
                    Workload w = new Workload(machine, exported.get(name));
                    long sink = 0;
                    for (int i = 0; i < POLLUTION_ROUNDS; i++) {
                        sink += w.mapUnmap() + w.walk();
                    }
                    if (sink == 0) {
                        throw new IllegalStateException(name + " did nothing");
                    }
                    w.table.destroy();
                    ranBefore.add(name);
                }
                break;
            default:
                throw new IllegalArgumentException("others=" + others + " is not 'none' or 'all'");
        }
        measured = new Workload(machine, exported.get(format));
        if (measured.mapUnmap() != PAGES * measured.page || measured.walk() == 0) {
            throw new IllegalStateException(format + ": the workload does not map what it should");
        }
    }

    @TearDown(Level.Trial)
    public void free() {
        measured.table.destroy();
    }

    /** Unmap and map again 256 pages of the smallest size: two calls, 512 entries written. */
    @Benchmark
    @OperationsPerInvocation(1)
    @ReportAs(call = "unmap + map of 256 pages of the format's smallest size (2 calls)", entries = 2 * PAGES)
    public long mapUnmap256() {
        return measured.mapUnmap();
    }

    /** One iova-to-phys walk. */
    @Benchmark
    @ReportAs(call = "iova_to_phys of one mapped address (a walk)")
    public long iovaToPhys() {
        return measured.walk();
    }
}
