package org.iommufd4j.bench.formats;

import java.util.concurrent.TimeUnit;
import org.iommufd4j.bench.BenchMachine;
import org.iommufd4j.bench.ReportAs;
import org.iommufd4j.bench.catalog.FormatCatalog;
import org.iommufd4j.bench.catalog.SlotLayout;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.IotlbGather;
import org.iommufd4j.pt.Leaf;
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
 * Each exported page-table format driven through the generic engine ({@link PageTable}): map and
 * unmap of 1 page and of 256 pages in one call, iova-to-phys, and read-and-clear dirty over 1 GiB.
 *
 * <p>Map and unmap change the table, so they are not measured as a loop over the same call: each
 * invocation of {@code map*} and {@code unmap*} makes one call per slot of a {@link SlotLayout}
 * ({@link SlotLayout#SLOTS} calls, each on its own slot, declared with
 * {@code @OperationsPerInvocation} so JMH's score is per call), and an untimed
 * {@code @Setup(Level.Invocation)} empties (or fills) every slot before the next invocation. So each
 * timed call is exactly one map (or one unmap) on a table in the same steady state. The timer's own
 * cost (two {@code System.nanoTime()} per invocation, tens of ns) is spread over the batch's calls.
 * (Single-shot batches, used before, put JMH's per-iteration work between batches of a few
 * microseconds: their figures were dominated by cold caches and outliers.) The tables the slots
 * live in exist already (see {@link SlotLayout} for the calls that cover whole tables).
 *
 * <p>The physical address of every call is its IOVA plus one page: IOVA and PA then never share an
 * alignment above the page size, so every call writes leaves of exactly {@code page} (given aligned
 * addresses the engine, like Linux's iommu_map, would fuse a run into larger or contiguous pages).
 *
 * <p>{@code format} takes the names the loaded plugins export; the runner sets it, and {@code page},
 * per format from {@link FormatCatalog} (the values below are for running the jar by hand).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PageTableFormatBench {
    /** Host memory: tables only (the mapped physical addresses need not exist). */
    private static final long MEMORY = 2L << 30;
    static final int RW = Prot.READ | Prot.WRITE;
    /** One in this many leaves of the dirty range is dirty. */
    static final int DIRTY_STRIDE = 512;

    /**
     * The machine and the page table of {@code format}. (A state class of its own: JMH would give
     * the other states' helpers a second instance of the benchmark class itself.)
     */
    @State(Scope.Thread)
    public static class Table {
        @Param({"amdv1", "vtd-ss-48", "arm-lpae-s1-4k"})
        public String format;

        /** The page size: {@code 4K}, {@code 64K}, {@code 2M}, {@code 1G}, ... ({@link FormatCatalog#label}). */
        @Param({"4K"})
        public String page;

        IommufdComponent machine;
        PhysicalMemory memory;
        PageTableFormat pageTableFormat;
        PageTable table;
        long pageBytes;

        @Setup(Level.Trial)
        public void buildTable() {
            machine = BenchMachine.create(MEMORY);
            memory = machine.memory();
            pageTableFormat = FormatCatalog.named(machine, format);
            pageBytes = FormatCatalog.bytes(page);
            table = new PageTable(pageTableFormat, memory);
            if ((table.pgsizeBitmap() & pageBytes) == 0) {
                throw new IllegalArgumentException(format + " has no page size " + page + " (page sizes swept for it: "
                        + FormatCatalog.pageSizes(pageTableFormat, memory) + ")");
            }
        }

        @TearDown(Level.Trial)
        public void freeTable() {
            table.destroy();
        }
    }

    /** The slots of one benchmark, put in the state the next batch needs before every invocation. */
    public abstract static class Slots {
        SlotLayout layout;
        PageTable table;
        boolean[] mapped;

        final void prepare(Table b, int count, boolean wantMapped) {
            if (layout == null) {
                table = b.table;
                layout = SlotLayout.of(table, b.pageBytes, count);
                if (layout == null) {
                    throw new IllegalArgumentException(b.format + ": " + count + " x " + b.page + " slots do not fit its IOVA space");
                }
                mapped = new boolean[SlotLayout.SLOTS];
                for (long anchor : layout.anchorIova) {
                    table.map(anchor, anchor, layout.anchorSize, 1, RW);
                }
                // Fail now, not with a meaningless score, if the slots do not behave as measured.
                long iova = layout.slotIova[SlotLayout.SLOTS - 1];
                table.map(iova, iova + layout.page, layout.page, count, RW);
                if (table.iovaToPhys(iova + layout.page * count - 1) != iova + layout.page * (count + 1) - 1
                        || table.unmap(iova, layout.page, count) != layout.page * count) {
                    throw new IllegalStateException(b.format + ": a " + count + " x " + b.page + " slot did not round-trip");
                }
            }
            for (int k = 0; k < SlotLayout.SLOTS; k++) {
                if (mapped[k] != wantMapped) {
                    long iova = layout.slotIova[k];
                    if (wantMapped) {
                        table.map(iova, iova + layout.page, layout.page, layout.count, RW);
                    } else {
                        table.unmap(iova, layout.page, layout.count);
                    }
                    mapped[k] = wantMapped;
                }
            }
        }

        /** Maps every slot: {@code SLOTS} calls. */
        final void mapAll() {
            long[] slots = layout.slotIova;
            long page = layout.page;
            int count = layout.count;
            for (int k = 0; k < SlotLayout.SLOTS; k++) {
                long iova = slots[k];
                table.map(iova, iova + page, page, count, RW);
            }
            java.util.Arrays.fill(mapped, true);
        }

        /** Unmaps every slot: {@code SLOTS} calls; returns the bytes removed. */
        final long unmapAll() {
            long[] slots = layout.slotIova;
            long page = layout.page;
            int count = layout.count;
            long bytes = 0;
            for (int k = 0; k < SlotLayout.SLOTS; k++) {
                bytes += table.unmap(slots[k], page, count);
            }
            java.util.Arrays.fill(mapped, false);
            return bytes;
        }
    }

    @State(Scope.Thread)
    public static class Empty1 extends Slots {
        @Setup(Level.Invocation)
        public void empty(Table b) {
            prepare(b, 1, false);
        }
    }

    @State(Scope.Thread)
    public static class Full1 extends Slots {
        @Setup(Level.Invocation)
        public void fill(Table b) {
            prepare(b, 1, true);
        }
    }

    @State(Scope.Thread)
    public static class Empty256 extends Slots {
        @Setup(Level.Invocation)
        public void empty(Table b) {
            prepare(b, 256, false);
        }
    }

    @State(Scope.Thread)
    public static class Full256 extends Slots {
        @Setup(Level.Invocation)
        public void fill(Table b) {
            prepare(b, 256, true);
        }
    }

    /** Map calls of one page into an existing table, one per slot. */
    @Benchmark
    @OperationsPerInvocation(SlotLayout.SLOTS)
    @ReportAs(call = "map 1 page (1 call; 256 calls per invocation, each on an empty slot)", entries = 1,
            callsPerInvocation = SlotLayout.SLOTS, linux = "map.1x{page}")
    public void map1(Empty1 s) {
        s.mapAll();
    }

    /** Unmap calls of one page, one per slot. */
    @Benchmark
    @OperationsPerInvocation(SlotLayout.SLOTS)
    @ReportAs(call = "unmap 1 page (1 call; 256 calls per invocation, each on a mapped slot)", entries = 1,
            callsPerInvocation = SlotLayout.SLOTS, linux = "unmap.1x{page}")
    public long unmap1(Full1 s) {
        return s.unmapAll();
    }

    /** Map calls of 256 pages, one per slot. */
    @Benchmark
    @OperationsPerInvocation(SlotLayout.SLOTS)
    @ReportAs(call = "map 256 pages in one call (256 calls per invocation, each on an empty slot)", entries = 256,
            callsPerInvocation = SlotLayout.SLOTS, linux = "map.256x{page}")
    public void map256(Empty256 s) {
        s.mapAll();
    }

    /** Unmap calls of 256 pages, one per slot. */
    @Benchmark
    @OperationsPerInvocation(SlotLayout.SLOTS)
    @ReportAs(call = "unmap 256 pages in one call (256 calls per invocation, each on a mapped slot)", entries = 256,
            callsPerInvocation = SlotLayout.SLOTS, linux = "unmap.256x{page}")
    public long unmap256(Full256 s) {
        return s.unmapAll();
    }

    /** Translations over the 256 x 256-page slots, all mapped. */
    @State(Scope.Thread)
    public static class Lookups {
        private static final int ADDRESSES = 4096;
        long[] iova;
        PageTable table;
        int next;

        @Setup(Level.Trial)
        public void mapSlots(Table b) {
            table = b.table;
            Full256 slots = new Full256();
            slots.fill(b);
            iova = new long[ADDRESSES];
            // Spread over every slot and page, with an offset inside the page.
            for (int i = 0; i < ADDRESSES; i++) {
                long slot = slots.layout.slotIova[i % SlotLayout.SLOTS];
                long pageIndex = (i * 97L) % 256;
                iova[i] = slot + pageIndex * b.pageBytes + ((i * 8L) & (b.pageBytes - 1));
                if (b.table.iovaToPhys(iova[i]) != iova[i] + b.pageBytes) {
                    throw new IllegalStateException(b.format + ": 0x" + Long.toHexString(iova[i]) + " does not translate");
                }
            }
        }
    }

    /** One iova-to-phys walk of a mapped address. */
    @Benchmark
    @ReportAs(call = "iova_to_phys of one mapped address (a walk)")
    public long iovaToPhys(Lookups l) {
        int i = l.next;
        l.next = (i + 1) & (Lookups.ADDRESSES - 1);
        return l.table.iovaToPhys(l.iova[i]);
    }

    /** 1 GiB mapped with {@code page} pages in a table of its own, one leaf in {@link #DIRTY_STRIDE} dirty. */
    @State(Scope.Thread)
    public static class DirtyRange {
        static final long LENGTH = 1L << 30;
        PageTable table;
        PhysicalMemory memory;
        long base;
        long[] dirtyItemPa;
        long[] dirtyEntry;
        long found;
        final IotlbGather gather = new IotlbGather();

        @Setup(Level.Trial)
        public void map(Table b) {
            if (!b.pageTableFormat.supportsDirty()) {
                throw new IllegalArgumentException(b.format + " has no dirty tracking");
            }
            memory = b.memory;
            table = new PageTable(b.pageTableFormat, memory);
            base = (table.minIova() + LENGTH - 1) & -LENGTH;
            long pages = LENGTH / b.pageBytes;
            table.map(base, base + b.pageBytes, b.pageBytes, pages, RW);
            int dirty = (int) Math.max(1, pages / DIRTY_STRIDE);
            dirtyItemPa = new long[dirty];
            dirtyEntry = new long[dirty];
            for (int i = 0; i < dirty; i++) {
                Leaf leaf = table.lookup(base + (long) i * DIRTY_STRIDE * b.pageBytes);
                dirtyItemPa[i] = leaf.itemPa();
                dirtyEntry[i] = b.pageTableFormat.makeWriteDirty(leaf.level(), leaf.entry());
            }
            // Clean everything once, then check that the call finds exactly the dirtied leaves.
            table.readAndClearDirty(base, LENGTH, false, (iova, len) -> { }, gather);
            gather.reset();
            long[] count = new long[1];
            redirty();
            table.readAndClearDirty(base, LENGTH, false, (iova, len) -> count[0]++, gather);
            gather.reset();
            if (count[0] != dirty) {
                throw new IllegalStateException(b.format + ": " + count[0] + " dirty ranges reported, " + dirty + " dirtied");
            }
        }

        void redirty() {
            for (int i = 0; i < dirtyItemPa.length; i++) {
                memory.writeLong(dirtyItemPa[i], dirtyEntry[i]);
            }
        }

        @TearDown(Level.Trial)
        public void unmap() {
            table.destroy();
        }
    }

    /**
     * Read-and-clear dirty over 1 GiB of {@code page} pages of which one in {@link #DIRTY_STRIDE} is
     * dirty; the call first re-dirties them with one 8-byte store each, as the IOMMU would.
     */
    @Benchmark
    @ReportAs(call = "read and clear dirty over 1 GiB, 1 leaf in 512 dirty (re-dirtied by 1 store each in the call)")
    public long readAndClearDirty(DirtyRange d) {
        d.redirty();
        d.found = 0;
        d.table.readAndClearDirty(d.base, DirtyRange.LENGTH, false, (iova, len) -> d.found++, d.gather);
        d.gather.reset();
        return d.found;
    }
}
