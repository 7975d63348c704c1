package org.iommufd4j.bench.stack;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.iommufd4j.bench.BenchMachine;
import org.iommufd4j.bench.ReportAs;
import org.iommufd4j.bench.catalog.IoasDevices;
import org.iommufd4j.bench.catalog.UserPages;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdIoctl;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The whole stack for 1 GiB of a process's 4 KiB pages: IOMMU_IOAS_MAP, IOMMU_IOAS_UNMAP and
 * IOMMU_IOAS_COPY through the byte ioctl API ({@code ctx.ioctl(cmd, ByteBuffer)}), down to the
 * page tables of 0, 1 or 2 paging domains in the IOAS.
 *
 * <p>Domains come from devices of the driver that exports {@code format}, bound to the context and
 * attached through the device API ({@link IoasDevices}): the first to the IOAS (its automatic
 * HWPT), a second to a HWPT_PAGING allocated on the IOAS with IOMMU_HWPT_ALLOC.
 *
 * <p>The benchmark methods reach the fixture through their per-invocation state only: JMH gives a
 * state passed both to a benchmark method and to another state's helper two instances.
 *
 * <p>Each call is milliseconds long, so the map/unmap state is restored around every call in an
 * untimed {@code @Setup(Level.Invocation)}: the timer's own cost (tens of ns) is negligible here.
 * {@code backing=contiguous}: the process's pages were faulted in order, so their frames are
 * physically contiguous and the io_pagetable hands the domains 2 MiB runs; {@code scattered}: faulted
 * in reverse order, so no two neighbouring pages are contiguous and every 4 KiB page is its own
 * domain map call and leaf entry (the worst case, and what "1 GiB in 4 KiB pages" costs).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IoasStackBench {
    static final long LENGTH = 1L << 30;
    static final int PAGES = (int) (LENGTH >>> PhysicalMemory.PAGE_SHIFT);
    /** Where the IOAS_MAP goes (FIXED_IOVA) and where IOAS_COPY puts its copy. */
    static final long IOVA = 1L << 32;
    static final int RW = IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE;

    /**
     * The machine, the process, the two IOAS and their domains. (A state class of its own: JMH
     * would give a nested state's helper another instance of the benchmark class itself.)
     */
    @State(Scope.Thread)
    public static class Stack {
        @Param({"vtd-ss-48"})
        public String format;

        @Param({"0", "1", "2"})
        public int domains;

        @Param({"scattered", "contiguous"})
        public String backing;

        IommufdComponent machine;
        SimProcess process;
        IommufdContext ctx;
        long userVa;
        int ioas;
        int copyDst;
        final List<IoasDevices> attached = new ArrayList<>();
        ByteBuffer map;
        ByteBuffer unmap;
        ByteBuffer copy;
        boolean mapped;
        boolean copied;

        @Setup(Level.Trial)
        public void build() {
            machine = BenchMachine.create(4L << 30);
            process = SimProcess.root(machine.memory());
            ctx = machine.iommufd().open(process);
            userVa = process.mmapAnonymous(LENGTH, false);
            UserPages.fault(process, userVa, LENGTH, backing);
            ioas = ctx.ioasAlloc();
            copyDst = ctx.ioasAlloc();
            for (int id : new int[] {ioas, copyDst}) {
                attached.add(IoasDevices.attach(machine, ctx, id, format, domains));
            }
            // struct iommu_ioas_map { size, flags, ioas_id, __reserved, user_va, length, iova }
            map = struct(40).putInt(4, RW | IommuIoasMapFlags.FIXED_IOVA).putInt(8, ioas)
                    .putLong(16, userVa).putLong(24, LENGTH).putLong(32, IOVA);
            // struct iommu_ioas_unmap { size, ioas_id, iova, length } (length written back)
            unmap = struct(24);
            // struct iommu_ioas_copy { size, flags, dst_ioas_id, src_ioas_id, length, dst_iova, src_iova }
            copy = struct(40).putInt(4, RW | IommuIoasMapFlags.FIXED_IOVA).putInt(8, copyDst).putInt(12, ioas)
                    .putLong(16, LENGTH).putLong(24, IOVA).putLong(32, IOVA);
            // Fail now, not with a meaningless score, if the ioctls do not do what is measured.
            ioasMap();
            ioasCopy();
            for (PagingDomain d : IoasDevices.domains(ctx, ioas)) {
                long pa = d.iovaToPhys(IOVA + LENGTH - PhysicalMemory.PAGE_SIZE);
                if (pa != process.frameAt(userVa + LENGTH - PhysicalMemory.PAGE_SIZE) << PhysicalMemory.PAGE_SHIFT) {
                    throw new IllegalStateException(d + " does not translate the last page of the map");
                }
            }
            unmapOrThrow(copyDst);
            copied = false;
        }

        private static ByteBuffer struct(int size) {
            ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(0, size);
            return b;
        }

        private void unmapOrThrow(int id) {
            unmap.putInt(4, id).putLong(8, IOVA).putLong(16, LENGTH);
            int rc = ctx.ioctl(IommufdIoctl.IOMMU_IOAS_UNMAP, unmap);
            if (rc != 0 || unmap.getLong(16) != LENGTH) {
                throw new IllegalStateException("IOAS_UNMAP of ioas " + id + " returned " + rc + ", length " + unmap.getLong(16));
            }
        }

        @TearDown(Level.Trial)
        public void close() {
            attached.forEach(IoasDevices::detachAll);
            ctx.close();
            if (machine.memory().pinnedFrames() != 0) {
                throw new IllegalStateException(machine.memory().pinnedFrames() + " frame(s) left pinned");
            }
        }

        int ioasMap() {
            int rc = ctx.ioctl(IommufdIoctl.IOMMU_IOAS_MAP, map);
            if (rc != 0) {
                throw new IllegalStateException("IOAS_MAP of 1 GiB returned " + rc);
            }
            mapped = true;
            return rc;
        }

        int ioasCopy() {
            int rc = ctx.ioctl(IommufdIoctl.IOMMU_IOAS_COPY, copy);
            if (rc != 0) {
                throw new IllegalStateException("IOAS_COPY of 1 GiB returned " + rc);
            }
            copied = true;
            return rc;
        }

    }

    /** The 1 GiB is not mapped in the source IOAS before each IOAS_MAP. */
    @State(Scope.Thread)
    public static class Unmapped {
        Stack stack;

        @Setup(Level.Invocation)
        public void unmap(Stack b) {
            stack = b;
            if (b.mapped) {
                b.unmapOrThrow(b.ioas);
                b.mapped = false;
            }
        }
    }

    /** The 1 GiB is mapped in the source IOAS before each IOAS_UNMAP. */
    @State(Scope.Thread)
    public static class Mapped {
        Stack stack;

        @Setup(Level.Invocation)
        public void map(Stack b) {
            stack = b;
            if (!b.mapped) {
                b.ioasMap();
            }
        }
    }

    /** The source holds the 1 GiB and the destination IOAS is empty before each IOAS_COPY. */
    @State(Scope.Thread)
    public static class CopyTarget {
        Stack stack;

        @Setup(Level.Invocation)
        public void empty(Stack b) {
            stack = b;
            if (!b.mapped) {
                b.ioasMap();
            }
            if (b.copied) {
                b.unmapOrThrow(b.copyDst);
                b.copied = false;
            }
        }
    }

    /** IOMMU_IOAS_MAP of 1 GiB (262,144 pages of 4 KiB) at a fixed IOVA: pins, then maps into every domain. */
    @Benchmark
    @ReportAs(call = "IOAS_MAP of 1 GiB of 4 KiB pages, byte API (pin + map into every domain)", entries = PAGES)
    public int ioasMap(Unmapped u) {
        return u.stack.ioasMap();
    }

    /** IOMMU_IOAS_UNMAP of the 1 GiB: unmaps every domain, unpins. */
    @Benchmark
    @ReportAs(call = "IOAS_UNMAP of 1 GiB of 4 KiB pages, byte API (unmap every domain + unpin)", entries = PAGES)
    public int ioasUnmap(Mapped m) {
        Stack s = m.stack;
        s.unmap.putInt(4, s.ioas).putLong(8, IOVA).putLong(16, LENGTH);
        int rc = s.ctx.ioctl(IommufdIoctl.IOMMU_IOAS_UNMAP, s.unmap);
        if (rc != 0) {
            throw new IllegalStateException("IOAS_UNMAP of 1 GiB returned " + rc);
        }
        s.mapped = false;
        return rc;
    }

    /** IOMMU_IOAS_COPY of the 1 GiB into a second IOAS with as many domains: no new pins. */
    @Benchmark
    @ReportAs(call = "IOAS_COPY of 1 GiB into a second IOAS with as many domains, byte API", entries = PAGES)
    public int ioasCopy(CopyTarget c) {
        return c.stack.ioasCopy();
    }
}
