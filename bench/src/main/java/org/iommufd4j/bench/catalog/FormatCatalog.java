package org.iommufd4j.bench.catalog;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.plugin.LoadedDriver;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;

/**
 * The page-table formats the loaded driver plugins export ({@code IommuDriver.pageTableFormats()}),
 * and the page sizes the benchmarks sweep for each: every leaf level's item size and the largest
 * contiguous size of that level, up to 1 GiB, kept only where the benchmark's IOVA layout
 * ({@link SlotLayout}, 256 slots of 256 pages, plus 1 GiB for the dirty range) fits the format's
 * IOVA space.
 */
public final class FormatCatalog {
    /** The largest page size swept: 256 pages of it per call stay within every 48-bit space. */
    static final long MAX_PAGE = 1L << 30;

    private FormatCatalog() {
    }

    /** Every exported format by name, in driver (jar) order. */
    public static Map<String, PageTableFormat> exported(IommufdComponent machine) {
        Map<String, PageTableFormat> all = new LinkedHashMap<>();
        for (LoadedDriver d : machine.drivers().drivers()) {
            d.driver().pageTableFormats().forEach(all::putIfAbsent);
        }
        return all;
    }

    /** The format named {@code name}, or an exception listing what the plugins export. */
    public static PageTableFormat named(IommufdComponent machine, String name) {
        Map<String, PageTableFormat> all = exported(machine);
        PageTableFormat f = all.get(name);
        if (f == null) {
            throw new IllegalArgumentException("no loaded driver exports page-table format '" + name + "' (exported: "
                    + all.keySet() + ", plugins from " + machine.drivers().pluginsDir() + ")");
        }
        return f;
    }

    /** The page sizes (as {@link #label} strings) swept for {@code format}, smallest first. */
    public static List<String> pageSizes(PageTableFormat format, PhysicalMemory memory) {
        PageTable probe = new PageTable(format, memory);
        try {
            long bitmap = probe.pgsizeBitmap();
            List<String> out = new ArrayList<>();
            for (int level = 0; level <= format.maxTopLevel(); level++) {
                long sizes = format.leafSizes(level) & bitmap;
                long item = 1L << format.itemShift(level);
                List<Long> chosen = new ArrayList<>();
                if ((sizes & item) != 0) {
                    chosen.add(item);
                }
                long contiguous = sizes & -(item << 1);
                long capped = contiguous & ((MAX_PAGE << 1) - 1);
                if (capped != 0) {
                    chosen.add(Long.highestOneBit(capped));
                }
                for (long size : chosen) {
                    if (size <= MAX_PAGE && SlotLayout.fitsEveryLayout(probe, size)) {
                        out.add(label(size));
                    }
                }
            }
            return out;
        } finally {
            probe.destroy();
        }
    }

    /** 4096 → "4K", 2 MiB → "2M", 1 GiB → "1G". */
    public static String label(long bytes) {
        if (bytes >= 1L << 30 && (bytes & ((1L << 30) - 1)) == 0) {
            return (bytes >>> 30) + "G";
        }
        if (bytes >= 1L << 20 && (bytes & ((1L << 20) - 1)) == 0) {
            return (bytes >>> 20) + "M";
        }
        if (bytes >= 1L << 10 && (bytes & ((1L << 10) - 1)) == 0) {
            return (bytes >>> 10) + "K";
        }
        return Long.toString(bytes);
    }

    /** The inverse of {@link #label}. */
    public static long bytes(String label) {
        String s = label.trim().toUpperCase(Locale.ROOT);
        char unit = s.charAt(s.length() - 1);
        long shift = unit == 'K' ? 10 : unit == 'M' ? 20 : unit == 'G' ? 30 : 0;
        String digits = shift == 0 ? s : s.substring(0, s.length() - 1);
        return Long.parseLong(digits) << shift;
    }
}
