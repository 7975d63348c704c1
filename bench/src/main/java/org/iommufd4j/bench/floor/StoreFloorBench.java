package org.iommufd4j.bench.floor;

import java.util.concurrent.TimeUnit;
import org.iommufd4j.bench.ReportAs;
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

/**
 * The physical floor every page-table format is measured against: plain 8-byte stores of
 * leaf-entry-shaped values into preallocated 4 KiB tables ({@code long[512]}), with no walk, no
 * checks and no allocation. It is the Java twin of the C loop in perf-anchors §6/§7
 * ({@code pt[i] = pa | 3}). The loops here are the operation itself (N stores), hence
 * {@code @OperationsPerInvocation(N)}: scores are ns per store.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
public class StoreFloorBench {
    /** Entries in one 4 KiB table of 8-byte entries. */
    static final int TABLE_ENTRIES = 512;
    /** Entries one batched 256 x 4 KiB map writes (the anchors' {@code 256*2^12} call). */
    static final int BATCH = 256;

    /**
     * Tables the calls cycle through: 1 stays in the L1 cache; 512 is 2 MiB, the leaf tables of
     * 1 GiB mapped as 4 KiB pages, the working set of the Linux floor in perf-anchors §6/§7.
     */
    @Param({"1", "512"})
    public int tables;

    private long[][] table;
    /** The next table (fill) or half table (batch) to write; cycles so the working set is all tables. */
    private int next;
    /** Non-final, so the stored values are not compile-time constants. */
    private long physicalBase = 0x1_0000_0000L;
    private long readWrite = 0b11;

    @Setup(Level.Trial)
    public void allocateTables() {
        table = new long[tables][TABLE_ENTRIES];
        next = 0;
    }

    /** One whole table: 512 consecutive stores. */
    @Benchmark
    @OperationsPerInvocation(TABLE_ENTRIES)
    @ReportAs(call = "fill a 4 KiB table: 512 stores", entries = TABLE_ENTRIES, linux = "floor.store")
    public long[] fillTable() {
        long[] t = table[next];
        next = next + 1 == tables ? 0 : next + 1;
        long entry = physicalBase | readWrite;
        for (int i = 0; i < t.length; i++) {
            t[i] = entry + ((long) i << 12);
        }
        return t;
    }

    /** Half a table, as a batched 256 x 4 KiB map writes it: 256 consecutive stores. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    @ReportAs(call = "256 consecutive stores (a 256 x 4 KiB map's leaves)", entries = BATCH, linux = "floor.store")
    public long[] store256() {
        int half = next;
        next = half + 1 == 2 * tables ? 0 : half + 1;
        long[] t = table[half >> 1];
        int start = (half & 1) * BATCH;
        long entry = (physicalBase | readWrite) - ((long) start << 12);
        // Indexed from start to end (not start + i) so C2 eliminates the range checks and
        // vectorises the loop as it does fillTable's.
        for (int i = start, end = start + BATCH; i < end; i++) {
            t[i] = entry + ((long) i << 12);
        }
        return t;
    }
}
