package org.iommufd4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.iommufd4j.plugin.DriverRegistry;
import org.iommufd4j.plugin.LoadedDriver;
import org.iommufd4j.plugin.PluginFailure;
import org.iommufd4j.pt.PageTableFormat;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The page-table formats the loaded driver plugins export ({@code IommuDriver.pageTableFormats()}),
 * by driver and name. A name may be given alone when one driver exports it, else as {@code DRIVER/NAME}.
 */
final class FormatCatalog {
    /** One exported format. */
    record Entry(String driver, String name, PageTableFormat format) {
        String qualifiedName() {
            return driver + "/" + name;
        }
    }

    private final List<Entry> entries = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    FormatCatalog(DriverRegistry registry) {
        for (PluginFailure f : registry.failures()) {
            problems.add(f.path() + ": " + f.reason());
        }
        for (LoadedDriver d : registry.drivers()) {
            Map<String, PageTableFormat> formats;
            try {
                formats = d.driver().pageTableFormats();
            } catch (RuntimeException | LinkageError e) {
                problems.add("driver " + d.name() + ": pageTableFormats() failed: " + e);
                continue;
            }
            formats.forEach((name, format) -> entries.add(new Entry(d.name(), name, format)));
        }
    }

    List<Entry> entries() {
        return List.copyOf(entries);
    }

    /** Plugins that did not load and drivers whose formats could not be listed. */
    List<String> problems() {
        return List.copyOf(problems);
    }

    /** The format called {@code name} (or {@code DRIVER/NAME}); a usage error when there is none or several. */
    Entry find(String name, CommandLine cl) {
        List<Entry> matches = entries.stream()
                .filter(e -> e.name().equals(name) || e.qualifiedName().equals(name))
                .toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            String known = entries.isEmpty() ? "none (no driver plugin exports a format; see 'iommufd4j plugins')"
                    : entries.stream().map(Entry::name).distinct().collect(Collectors.joining(", "));
            throw new ParameterException(cl, "unknown page-table format '" + name + "'; the loaded plugins export: "
                    + known + " (see 'iommufd4j pt formats')");
        }
        throw new ParameterException(cl, "page-table format '" + name + "' is exported by several drivers; say which: "
                + matches.stream().map(Entry::qualifiedName).collect(Collectors.joining(", ")));
    }
}
