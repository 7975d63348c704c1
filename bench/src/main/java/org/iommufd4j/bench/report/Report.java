package org.iommufd4j.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.iommufd4j.bench.BenchRun;
import org.iommufd4j.bench.Suite;
import org.iommufd4j.bench.Suites;
import org.iommufd4j.bench.catalog.FormatCatalog;
import org.openjdk.jmh.results.RunResult;

/**
 * Turns a run into {@code report.md} and one PNG chart per suite that ran. Every figure is shown
 * per call and per entry, as a ratio to the store floor of the same run, and beside Linux
 * generic_pt's figure for the same operation, which was measured separately and is labelled so.
 */
public final class Report {
    /** The markdown file's name inside the output folder. */
    public static final String MARKDOWN = "report.md";

    /** The floor figure ratios divide by: 256 consecutive stores cycling over 2 MiB of tables. */
    static final String FLOOR_REFERENCE_METHOD = "store256";
    static final String FLOOR_REFERENCE_TABLES = "512";

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'");

    /** What was written. */
    public record Written(Path markdown, List<Path> charts) {
    }

    private Report() {
    }

    public static Written write(BenchRun.Outcome outcome) throws IOException {
        Path out = outcome.request().outDir();
        Files.createDirectories(out);
        LinuxFigures linux = LinuxFigures.load();
        List<Measurement> all = new ArrayList<>();
        for (RunResult r : outcome.results()) {
            all.add(Measurement.of(r));
        }
        all.sort(Comparator.comparing((Measurement m) -> Suites.ALL.indexOf(m.suite()))
                .thenComparing(Measurement::method).thenComparing(Measurement::label));
        Optional<Measurement> floor = floorReference(all);

        StringBuilder md = new StringBuilder();
        header(md, outcome, all, floor);
        Targets.write(md, all, floor, outcome.heap());
        List<Path> charts = new ArrayList<>();
        for (Suite suite : Suites.ALL) {
            List<Measurement> rows = all.stream().filter(m -> m.suite() == suite).collect(Collectors.toList());
            if (outcome.unavailable().contains(suite)) {
                unavailable(md, suite);
            } else if (!rows.isEmpty()) {
                Path chart = out.resolve(suite.name() + ".png");
                SuiteChart.draw(suite, chartRows(suite, rows), linux, chart);
                charts.add(chart);
                suiteTable(md, suite, rows, floor, linux, chart.getFileName().toString());
                md.append(SuiteNotes.of(suite));
                if (suite == Suites.MIXED) {
                    Targets.mixedRatios(md, rows);
                }
                if (suite == Suites.STACK) {
                    Targets.heapSection(md, outcome.heap());
                }
            }
        }
        footer(md, linux, all);
        Path markdown = out.resolve(MARKDOWN);
        Files.writeString(markdown, md, StandardCharsets.UTF_8);
        return new Written(markdown, List.copyOf(charts));
    }

    /**
     * The rows a suite's chart shows: all of them, except that a per-entry chart leaves out calls
     * that write no entries, and the formats chart shows each format's smallest page only (the
     * table has every page size; a full run would otherwise draw hundreds of bars).
     */
    static List<Measurement> chartRows(Suite suite, List<Measurement> rows) {
        List<Measurement> out = rows;
        if (suite.chartMetric() == Suite.ChartMetric.PER_ENTRY) {
            out = out.stream().filter(m -> m.entries() > 0).collect(Collectors.toList());
        }
        if (suite == Suites.FORMATS) {
            java.util.Map<String, Long> smallest = new java.util.HashMap<>();
            for (Measurement m : out) {
                smallest.merge(m.format(), FormatCatalog.bytes(m.params().get("page")), Math::min);
            }
            out = out.stream().filter(m -> FormatCatalog.bytes(m.params().get("page")) == smallest.get(m.format()))
                    .collect(Collectors.toList());
        }
        return out.isEmpty() ? rows : out;
    }

    /** The floor store256 over 512 tables if it ran, else the fastest floor figure of the run. */
    static Optional<Measurement> floorReference(List<Measurement> all) {
        List<Measurement> floor = all.stream().filter(m -> m.suite() == Suites.FLOOR && m.entries() > 0)
                .collect(Collectors.toList());
        Optional<Measurement> preferred = floor.stream()
                .filter(m -> m.method().equals(FLOOR_REFERENCE_METHOD)
                        && FLOOR_REFERENCE_TABLES.equals(m.params().get("tables")))
                .findFirst();
        return preferred.isPresent() ? preferred
                : floor.stream().min(Comparator.comparingDouble(Measurement::nsPerEntry));
    }

    private static void header(StringBuilder md, BenchRun.Outcome outcome, List<Measurement> all, Optional<Measurement> floor) {
        md.append("# iommufd4j benchmark report\n\n");
        md.append("- Run: ").append(WHEN.format(outcome.started().atOffset(ZoneOffset.UTC)))
                .append(", took ").append(duration(outcome.elapsed().toMillis())).append('\n');
        md.append("- Settings: ").append(outcome.request().settings().describe()).append('\n');
        md.append("- Machine: ").append(MachineInfo.describe()).append('\n');
        if (!outcome.loadAtStart().isEmpty()) {
            md.append("- Load average (1/5/15 min) when the run started: ").append(outcome.loadAtStart())
                    .append(" (").append(Runtime.getRuntime().availableProcessors())
                    .append(" CPUs; a load above that means other work competed for the CPUs)\n");
        }
        String jdk = outcome.results().isEmpty() ? System.getProperty("java.vm.name") + " " + System.getProperty("java.version")
                : outcome.results().get(0).getParams().getVmName() + " " + outcome.results().get(0).getParams().getJdkVersion();
        md.append("- JVM: ").append(jdk).append(", JMH ")
                .append(outcome.results().isEmpty() ? "" : outcome.results().get(0).getParams().getJmhVersion()).append('\n');
        String suites = outcome.request().suites().stream().map(Suite::name).collect(Collectors.joining(", "));
        md.append("- Suites asked for: ").append(suites.isEmpty() ? "all" : suites)
                .append(" (the floor always runs: the ratios need it)\n");
        if (!outcome.request().formats().isEmpty()) {
            md.append("- Formats: ").append(String.join(", ", outcome.request().formats())).append('\n');
        }
        md.append("- Raw results: [").append(BenchRun.JSON).append("](").append(BenchRun.JSON).append(") (JMH JSON)\n\n");
        md.append("> These figures come from one run on the machine above. On a small or shared machine (for\n")
                .append("> example 2 vCPUs shared with builds) run-to-run noise of 10-30 % is normal; compare ratios\n")
                .append("> within one run rather than absolute numbers across runs. The Linux generic_pt columns were\n")
                .append("> measured separately (C, not JMH) and are copied from `linux-generic-pt.csv`; see the end.\n\n");
        if (floor.isPresent()) {
            md.append("**Floor reference for the ratios:** ").append(ns(floor.get().nsPerEntry()))
                    .append(" ns per 8-byte store (floor ").append(floor.get().label()).append(").\n\n");
        } else {
            md.append("**Floor reference:** none measured in this run, so no ratios.\n\n");
        }
    }

    private static void suiteTable(StringBuilder md, Suite suite, List<Measurement> rows, Optional<Measurement> floor,
            LinuxFigures linux, String chartFile) {
        md.append("## ").append(suite.name()).append("\n\n").append(capitalise(suite.description())).append(".\n\n");
        md.append("| benchmark | one call | ns per call | entries per call | ns per entry | vs floor | ")
                .append("Linux generic_pt, this machine class (s7)¹ | Linux generic_pt, published i7-12700 (s1)¹ |\n");
        md.append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : rows) {
            md.append("| ").append(m.label())
                    .append(" | ").append(m.call())
                    .append(" | ").append(ns(m.nsPerCall())).append(error(m.errorPerCall()))
                    .append(" | ").append(m.entries() > 0 ? Integer.toString(m.entries()) : "—")
                    .append(" | ").append(m.entries() > 0 ? ns(m.nsPerEntry()) : "—")
                    .append(" | ").append(ratio(m, floor))
                    .append(" | ").append(linuxCell(linux.find(m.linuxKey(), m.format(), LinuxFigures.Origin.MACHINE)))
                    .append(" | ").append(linuxCell(linux.find(m.linuxKey(), m.format(), LinuxFigures.Origin.PUBLISHED)))
                    .append(" |\n");
        }
        md.append("\n![").append(suite.name()).append(" chart](").append(chartFile).append(")\n\n");
    }

    private static void unavailable(StringBuilder md, Suite suite) {
        md.append("## ").append(suite.name()).append("\n\n").append(capitalise(suite.description())).append(".\n\n");
        md.append("**Not available yet: awaits ").append(suite.awaits()).append(".** No figures are shown for it.\n");
        if (!suite.intendedParams().isEmpty()) {
            md.append("Intended parameters: ");
            md.append(new TreeMap<>(suite.intendedParams()).entrySet().stream()
                    .map(e -> "`" + e.getKey() + "` = " + e.getValue().stream().map(v -> "`" + v + "`")
                            .collect(Collectors.joining(", ")))
                    .collect(Collectors.joining("; ")));
            md.append(".\n");
        }
        md.append('\n');
    }

    private static void footer(StringBuilder md, LinuxFigures linux, List<Measurement> all) {
        md.append("## How to read the columns\n\n")
                .append("- **ns per call**: JMH average time of one call of the operation (one ioctl, one table fill,\n")
                .append("  one map of N pages), ± the 99.9 % confidence half-width (no ± when JMH had too few samples).\n")
                .append("- **ns per entry**: ns per call ÷ the page-table entries the call writes.\n")
                .append("- **vs floor**: ns per entry ÷ the floor reference above, i.e. how many raw 8-byte stores one\n")
                .append("  entry costs. For calls that write no entries it is ns per call ÷ the floor, marked \"stores\":\n")
                .append("  the call costs as much as that many raw stores.\n")
                .append("- ¹ **Linux generic_pt** columns: the same operation in Linux's C code, measured separately,\n")
                .append("  as ns per call (and per entry). \"—\" where Linux has no comparable figure (the ioctl path).\n\n");
        md.append("## Linux figures: sources\n\n");
        for (String note : linux.sourceNotes()) {
            md.append(note.isEmpty() ? ">\n" : "> " + note + "\n");
        }
        Set<String> notes = new LinkedHashSet<>();
        for (Measurement m : all) {
            for (LinuxFigures.Origin o : LinuxFigures.Origin.values()) {
                linux.find(m.linuxKey(), m.format(), o).filter(f -> !f.note().isEmpty())
                        .ifPresent(f -> notes.add("`" + f.key() + "` (" + o.csvName + "): " + f.note()));
            }
        }
        if (!notes.isEmpty()) {
            md.append("\nNotes on the figures used above:\n\n");
            notes.forEach(n -> md.append("- ").append(n).append('\n'));
        }
    }

    private static String ratio(Measurement m, Optional<Measurement> floor) {
        if (floor.isEmpty()) {
            return "—";
        }
        double base = floor.get().nsPerEntry();
        if (m.entries() > 0) {
            return String.format(Locale.ROOT, "%.2f×", m.nsPerEntry() / base);
        }
        return String.format(Locale.ROOT, "%,.0f stores", m.nsPerCall() / base);
    }

    private static String linuxCell(Optional<LinuxFigures.Figure> figure) {
        if (figure.isEmpty()) {
            return "—";
        }
        LinuxFigures.Figure f = figure.get();
        if (Double.isNaN(f.nsPerCall())) {
            return ns(f.nsPerEntry()) + " /entry";
        }
        String call = ns(f.nsPerCall());
        return Double.isNaN(f.nsPerEntry()) || f.nsPerEntry() == f.nsPerCall() ? call : call + " (" + ns(f.nsPerEntry()) + " /entry)";
    }

    /** Three significant digits, thousands grouped. */
    static String ns(double v) {
        if (Double.isNaN(v)) {
            return "—";
        }
        double a = Math.abs(v);
        if (a < 1) {
            return String.format(Locale.ROOT, "%.3f", v);
        }
        if (a < 10) {
            return String.format(Locale.ROOT, "%.2f", v);
        }
        if (a < 100) {
            return String.format(Locale.ROOT, "%.1f", v);
        }
        return String.format(Locale.ROOT, "%,.0f", v);
    }

    private static String error(double err) {
        return Double.isNaN(err) ? "" : " ± " + ns(err);
    }

    private static String duration(long millis) {
        long s = Math.round(millis / 1000.0);
        return s < 60 ? s + " s" : (s / 60) + " min " + (s % 60) + " s";
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}
