package org.iommufd4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.plugin.DriverRegistry;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableDump;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code pt dump}: builds a fresh machine, makes a page table of the named format in its host
 * memory, applies the maps in order through the engine (as a domain's map would: the smallest page
 * size times a count, the engine choosing the largest pages that fit), then prints the table as
 * the hardware would walk it. Exit 2 for usage errors (unknown format, bad --map syntax), 1 when
 * the engine refuses a map (its errno and message are shown) or a file cannot be written.
 */
@Command(name = "dump", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Build a page table of a format the plugins export, apply the maps, and print its tree: each "
                + "table and each present entry as its raw value in hex and what it decodes to.",
        footerHeading = "%nExample:%n",
        footer = "  ./iommufd4j pt dump --format vtd-ss-48 --map 0x200000:0x40000000:2M:rw --map 0x1000:0x5000:4K:r "
                + "--svg table.svg")
final class PtDumpCommand implements Callable<Integer> {
    @Mixin
    PluginsDirOption plugins;

    @Option(names = "--format", required = true, paramLabel = "NAME",
            description = "The format, as 'iommufd4j pt formats' lists it (DRIVER/NAME when several drivers export NAME).")
    String formatName;

    @Option(names = "--map", paramLabel = MapSpec.SYNTAX, converter = MapSpec.Converter.class,
            description = "Map LEN bytes at IOVA to PA with PROT (r, w or rw). Numbers in hex (0x...) or decimal, "
                    + "with an optional K, M, G or T suffix. Repeatable; applied in order.")
    List<MapSpec> maps = new ArrayList<>();

    @Option(names = "--set-dirty", paramLabel = "IOVA", converter = MapSpec.IovaConverter.class,
            description = "Mark the entry translating IOVA write-dirty, as a device write would (formats with dirty "
                    + "tracking). Repeatable.")
    List<Long> dirty = new ArrayList<>();

    @Option(names = "--svg", paramLabel = "FILE", description = "Also write the tree as an SVG picture.")
    Path svg;

    @Option(names = "--dot", paramLabel = "FILE", description = "Also write the tree as Graphviz DOT (dot -Tpng FILE).")
    Path dot;

    @Option(names = "--picture-rows", paramLabel = "N", defaultValue = "" + PageTableDump.DEFAULT_PICTURE_ROWS,
            description = "Entries per table the SVG and DOT pictures show before eliding the rest (default: ${DEFAULT-VALUE}).")
    int pictureRows;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (pictureRows < 1) {
            throw new CommandLine.ParameterException(cl, "--picture-rows must be at least 1: " + pictureRows);
        }
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        IommufdComponent machine = IommufdComponent.create(MachineConfig.withPlugins(plugins.resolve()));
        try (DriverRegistry registry = machine.drivers()) {
            FormatCatalog catalog = new FormatCatalog(registry);
            for (String p : catalog.problems()) {
                err.printf("iommufd4j pt dump: warning: %s%n", p);
            }
            FormatCatalog.Entry entry = catalog.find(formatName, cl);
            PageTable table;
            try {
                table = new PageTable(entry.format(), machine.memory());
            } catch (RuntimeException e) {
                err.printf("iommufd4j pt dump: format %s is unusable: %s%n", entry.qualifiedName(), e.getMessage());
                return 1;
            }
            try {
                for (MapSpec map : maps) {
                    try {
                        map(table, map);
                    } catch (IommufdException e) {
                        err.printf("iommufd4j pt dump: --map %s refused by %s: %s%n", map.text(), entry.qualifiedName(),
                                describe(e));
                        return 1;
                    }
                }
                for (long iova : dirty) {
                    try {
                        table.setDirty(iova);
                    } catch (IommufdException e) {
                        err.printf("iommufd4j pt dump: --set-dirty 0x%x refused by %s: %s%n", iova, entry.qualifiedName(),
                                describe(e));
                        return 1;
                    }
                }
                PageTableDump dump = PageTableDump.of(table);
                out.print(dump.text());
                out.flush();
                return write(err, "SVG", svg, svg == null ? null : dump.svg(pictureRows))
                        | write(err, "DOT", dot, dot == null ? null : dump.dot(pictureRows));
            } finally {
                table.destroy();
            }
        }
    }

    /**
     * Maps as the iommu core's iommu_map() hands a range to a domain: the length must be a multiple
     * of the smallest page size (else EINVAL, as iommu_map's "unaligned" check), and the engine
     * picks the largest page that fits at each step.
     */
    private static void map(PageTable table, MapSpec map) {
        long min = Long.lowestOneBit(table.pgsizeBitmap());
        if (map.length() % min != 0) {
            throw new IommufdException(Errno.EINVAL, "length 0x" + Long.toHexString(map.length())
                    + " is not a multiple of the smallest page size 0x" + Long.toHexString(min));
        }
        table.map(map.iova(), map.pa(), min, map.length() / min, map.prot());
    }

    /** {@code EINVAL (errno 22): message}. */
    private static String describe(IommufdException e) {
        String message = e.getMessage();
        String prefix = e.errno().name() + ": ";
        if (message != null && message.startsWith(prefix)) {
            message = message.substring(prefix.length());
        }
        return e.errno().name() + " (errno " + e.errno().value() + "): " + message;
    }

    /** Writes {@code text} to {@code file} when asked; 1 (and a message) when it cannot, else 0. */
    private static int write(PrintWriter err, String what, Path file, String text) {
        if (file == null) {
            return 0;
        }
        try {
            Files.writeString(file, text);
            err.printf("iommufd4j pt dump: wrote the %s picture to %s%n", what, file);
            return 0;
        } catch (IOException e) {
            err.printf("iommufd4j pt dump: cannot write the %s picture to %s: %s%n", what, file, e);
            return 1;
        } finally {
            err.flush();
        }
    }
}
