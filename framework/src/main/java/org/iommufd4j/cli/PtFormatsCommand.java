package org.iommufd4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.plugin.DriverRegistry;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableDump;
import org.iommufd4j.pt.PageTableFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code pt formats}: every page-table format the loaded plugins export. The widths and page sizes
 * are the engine's (a table of each format is made once), so they are what {@code pt dump} and the
 * drivers' domains get.
 */
@Command(name = "formats", mixinStandardHelpOptions = true,
        description = "List every page-table format the loaded driver plugins export: driver, format name, levels, "
                + "IOVA and output address bits, dirty tracking and page sizes. Exit 1 if a plugin failed to load, "
                + "a format is unusable, or there is no format at all.")
final class PtFormatsCommand implements Callable<Integer> {
    @Mixin
    PluginsDirOption plugins;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        IommufdComponent machine = IommufdComponent.create(MachineConfig.withPlugins(plugins.resolve()));
        try (DriverRegistry registry = machine.drivers()) {
            FormatCatalog catalog = new FormatCatalog(registry);
            boolean ok = true;
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"DRIVER", "FORMAT", "LEVELS", "VA BITS", "OA", "DIRTY", "PAGE SIZES"});
            for (FormatCatalog.Entry e : catalog.entries()) {
                PageTableFormat f = e.format();
                PageTable table;
                try {
                    table = new PageTable(f, machine.memory());
                } catch (RuntimeException ex) {
                    err.printf("iommufd4j pt formats: %s is unusable: %s%n", e.qualifiedName(), ex.getMessage());
                    ok = false;
                    continue;
                }
                try {
                    String levels = f.maxTopLevel() == f.topLevel() ? Integer.toString(f.topLevel() + 1)
                            : (f.topLevel() + 1) + "-" + (f.maxTopLevel() + 1);
                    String va = table.vaBits() + (f.signExtended() ? " sign-extended" : "");
                    rows.add(new String[] {e.driver(), e.name(), levels, va, Integer.toString(f.oaBits()),
                        f.supportsDirty() ? "yes" : "no", sizes(table.pgsizeBitmap())});
                } finally {
                    table.destroy();
                }
            }
            printColumns(out, rows);
            for (String p : catalog.problems()) {
                err.printf("FAILED   %s%n", p);
            }
            out.printf("%d format(s) from %d driver(s)%n", catalog.entries().size(), registry.drivers().size());
            out.flush();
            return ok && catalog.problems().isEmpty() && !catalog.entries().isEmpty() ? 0 : 1;
        }
    }

    /** Rows as columns as wide as their widest cell, two spaces apart; the last column unpadded. */
    private static void printColumns(PrintWriter out, List<String[]> rows) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] row : rows) {
            for (int c = 0; c < columns; c++) {
                width[c] = Math.max(width[c], row[c].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < columns - 1; c++) {
                line.append(row[c]).append(" ".repeat(width[c] - row[c].length() + 2));
            }
            out.println(line.append(row[columns - 1]));
        }
    }

    /** A page-size bitmap as {@code 4K,2M,1G}; three or more consecutive powers of two as a range {@code 2K-128G}. */
    static String sizes(long bitmap) {
        List<String> parts = new ArrayList<>();
        long rest = bitmap;
        while (rest != 0) {
            int lo = Long.numberOfTrailingZeros(rest);
            int hi = lo;
            while (hi < 63 && (rest & (1L << (hi + 1))) != 0) {
                hi++;
            }
            if (hi - lo >= 2) {
                parts.add(PageTableDump.sizeName(lo) + "-" + PageTableDump.sizeName(hi));
            } else {
                for (int b = lo; b <= hi; b++) {
                    parts.add(PageTableDump.sizeName(b));
                }
            }
            rest &= hi == 63 ? 0 : -(1L << (hi + 1));
        }
        return String.join(",", parts);
    }
}
