package org.iommufd4j.bench.heap;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;
import java.nio.file.Path;
import org.iommufd4j.bench.catalog.IoasDevices;
import org.iommufd4j.bench.catalog.UserPages;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdIoctl;

/**
 * Bytes of Java heap per mapped 4 KiB page with 1 GiB mapped through IOAS_MAP into an IOAS with one
 * device attached (one engine domain, through the device API): what the page tables and the pin tracking cost. Run in a fresh JVM (the runner
 * starts one), so nothing else lives on the heap: the process's pages are faulted in first (the
 * process's own memory, not counted), the heap is measured after full GCs, 1 GiB is mapped, and
 * the heap is measured again. JMH's {@code -prof gc} measures allocation rate, not what stays.
 *
 * <p>Prints one line: {@code heap format=... backing=... pages=... delta=... perPage=...
 * tableFrames=... pinCounter=4}. PhysicalMemory's per-frame pin counter (4 bytes a frame, kept in
 * chunks of 65,536 frames) is allocated when the pages are first faulted in, before the first
 * measurement, so it is outside the delta and reported separately.
 */
public final class HeapPerPage {
    /** PhysicalMemory's pin count: one int per frame. */
    public static final int PIN_COUNTER_BYTES = Integer.BYTES;

    private HeapPerPage() {
    }

    /**
     * One measurement.
     *
     * @param deltaBytes heap retained by the map (after GC) minus before it
     * @param tableFrames the domain's page-table frames (4 KiB each) after the map
     */
    public record Result(String format, String backing, long pages, long deltaBytes, long tableFrames) {
        /** Heap bytes per mapped page: the retained delta per page plus the per-frame pin counter. */
        public double perPage() {
            return (double) deltaBytes / pages + PIN_COUNTER_BYTES;
        }

        public String line() {
            return String.format(Locale.ROOT, "heap format=%s backing=%s pages=%d delta=%d tableFrames=%d", format, backing,
                    pages, deltaBytes, tableFrames);
        }

        public static Result parse(String line) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 6 || !f[0].equals("heap")) {
                throw new IllegalArgumentException("not a heap measurement line: " + line);
            }
            return new Result(value(f[1], "format"), value(f[2], "backing"), Long.parseLong(value(f[3], "pages")),
                    Long.parseLong(value(f[4], "delta")), Long.parseLong(value(f[5], "tableFrames")));
        }

        private static String value(String field, String key) {
            if (!field.startsWith(key + "=")) {
                throw new IllegalArgumentException("expected " + key + "=..., got " + field);
            }
            return field.substring(key.length() + 1);
        }
    }

    /** {@code HeapPerPage <format> <scattered|contiguous> <plugins folder>}: prints {@link Result#line()}. */
    public static void main(String[] args) {
        if (args.length != 3) {
            System.err.println("usage: HeapPerPage <format> <scattered|contiguous> <plugins folder>");
            System.exit(2);
        }
        System.out.println(measure(args[0], args[1], Path.of(args[2])).line());
    }

    static long usedAfterGc(MemoryMXBean bean) {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, bean.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    public static Result measure(String format, String backing, Path pluginsDir) {
        long length = 1L << 30;
        IommufdComponent machine = IommufdComponent.create(new MachineConfig(4L << 30, pluginsDir));
        SimProcess process = SimProcess.root(machine.memory());
        IommufdContext ctx = machine.iommufd().open(process);
        long va = process.mmapAnonymous(length, false);
        UserPages.fault(process, va, length, backing);
        int ioasId = ctx.ioasAlloc();
        IoasDevices device = IoasDevices.attach(machine, ctx, ioasId, format, 1);
        PagingDomain domain = IoasDevices.domains(ctx, ioasId).get(0);
        ByteBuffer map = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        map.putInt(0, 40).putInt(4, IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE | IommuIoasMapFlags.FIXED_IOVA)
                .putInt(8, ioasId).putLong(16, va).putLong(24, length).putLong(32, 1L << 32);
        MemoryMXBean bean = ManagementFactory.getMemoryMXBean();
        long before = usedAfterGc(bean);
        int rc = ctx.ioctl(IommufdIoctl.IOMMU_IOAS_MAP, map);
        long after = usedAfterGc(bean);
        if (rc != 0) {
            throw new IllegalStateException("IOAS_MAP of 1 GiB returned " + rc);
        }
        long pages = length >>> PhysicalMemory.PAGE_SHIFT;
        long frames = ((PageTableDomain) domain).pageTable().tableFrames();
        if (machine.memory().pinnedFrames() != pages) {
            throw new IllegalStateException(machine.memory().pinnedFrames() + " frames pinned, expected " + pages);
        }
        // Everything stayed reachable through the second measurement; now release it.
        device.detachAll();
        ctx.close();
        return new Result(format, backing, pages, after - before, frames);
    }
}
