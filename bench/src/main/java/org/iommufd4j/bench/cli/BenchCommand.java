package org.iommufd4j.bench.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.iommufd4j.bench.BenchRun;
import org.iommufd4j.bench.BenchSettings;
import org.iommufd4j.bench.Suite;
import org.iommufd4j.bench.Suites;
import org.iommufd4j.bench.report.Report;
import org.openjdk.jmh.runner.RunnerException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code iommufd4j bench}: runs the benchmark suites through JMH and writes the report. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Run the JMH benchmark suites and write JMH's JSON, a markdown report and one PNG chart per suite "
                    + "into the output folder.",
            "Suites: floor (raw 8-byte stores, always run: every figure is reported as a ratio to it), "
                    + "dispatch (the ioctl path), formats (every exported page-table format: map/unmap/walk/dirty), "
                    + "stack (1 GiB IOAS_MAP/UNMAP/COPY through the ioctls, plus heap per mapped page), mixed "
                    + "(several formats in one JVM). See --list for which are available."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the suites ran and the report is written",
            "1:a benchmark failed, or a suite asked for is not available yet (the rest still ran)",
            "2:usage error"})
public final class BenchCommand implements Callable<Integer> {
    private static final Pattern FORMAT_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

    @Option(names = "--quick", description = "Short run: 1 fork, 3 x 200 ms warmup, 5 x 200 ms measurement, "
            + "a reduced sweep (default: 2 forks, 5 x 1 s warmup, 8 x 1 s measurement, every format and page size).")
    boolean quick;

    @Option(names = "--suite", paramLabel = "NAME", completionCandidates = SuiteNames.class,
            description = "Run only this suite (repeatable): ${COMPLETION-CANDIDATES}. Default: all available.")
    List<String> suites = new ArrayList<>();

    @Option(names = "--formats", paramLabel = "LIST", split = ",",
            description = "Page-table formats (comma-separated) for the suites that sweep formats "
                    + "(formats, stack, mixed). Default: formats runs every format the loaded plugins export "
                    + "(--quick: amdv1, vtd-ss-48, arm-lpae-s1-4k); stack and mixed their own lists.")
    List<String> formats = new ArrayList<>();

    @Option(names = "--out", paramLabel = "DIR",
            description = "Output folder (default: target/bench-report under the iommufd4j home, else the current folder).")
    Path outDir;

    @Option(names = "--list", description = "List the suites, whether each is available, and exit.")
    boolean list;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        // Charts are drawn with AWT; there is no display on a build machine.
        System.setProperty("java.awt.headless", "true");
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, List<String>> available = BenchRun.benchmarksBySuite();
        if (list) {
            for (Suite s : Suites.ALL) {
                int n = available.get(s.name()).size();
                out.printf("%-9s %s%n          %s%n", s.name(),
                        n > 0 ? n + " benchmark method(s)" : "not available yet: awaits " + s.awaits(), s.description());
            }
            out.flush();
            return 0;
        }
        List<Suite> chosen = new ArrayList<>();
        for (String name : suites) {
            Suite s = Suites.byName(name).orElseThrow(() -> new CommandLine.ParameterException(spec.commandLine(),
                    "unknown suite '" + name + "'; the suites are " + String.join(", ", Suites.byName().keySet())));
            if (!chosen.contains(s)) {
                chosen.add(s);
            }
        }
        for (String f : formats) {
            if (!FORMAT_NAME.matcher(f).matches()) {
                throw new CommandLine.ParameterException(spec.commandLine(),
                        "--formats: '" + f + "' is not a format name (lower-case letters, digits, '-' and '_')");
            }
        }
        List<Suite> selected = chosen.isEmpty() ? Suites.ALL : chosen;
        if (!formats.isEmpty() && selected.stream().noneMatch(s -> s.takesFormats() && !available.get(s.name()).isEmpty())) {
            err.println("bench: note: --formats applies to the formats, stack and mixed suites; none of the selected ones is available yet");
        }
        Path outDir = this.outDir != null ? this.outDir : defaultOut();
        BenchSettings settings = quick ? BenchSettings.QUICK : BenchSettings.FULL;
        out.printf("bench: %s; output in %s%n", settings.describe(), outDir.toAbsolutePath().normalize());
        out.flush();
        BenchRun.Outcome outcome;
        try {
            outcome = BenchRun.run(new BenchRun.Request(chosen, formats, settings, outDir, false, System.out));
        } catch (RunnerException e) {
            // JMH's own message says what failed: a benchmark's exception, or another JMH run
            // holding /tmp/jmh.lock (two runs at once would skew each other's figures).
            err.println("bench: JMH failed: " + e.getMessage());
            return 1;
        } catch (IllegalArgumentException e) {
            // A --formats name no loaded plugin exports.
            err.println("bench: " + e.getMessage());
            return 2;
        }
        Report.Written written = Report.write(outcome);
        for (Suite s : outcome.unavailable()) {
            err.printf("bench: suite %s: not available yet: awaits %s%n", s.name(), s.awaits());
        }
        out.printf("bench: %d result(s) in %s%n", outcome.results().size(), outcome.elapsed().toSeconds() >= 60
                ? outcome.elapsed().toMinutes() + " min " + outcome.elapsed().toSecondsPart() + " s"
                : outcome.elapsed().toSeconds() + " s");
        out.printf("bench: JMH JSON  %s%n", outcome.json().toAbsolutePath().normalize());
        out.printf("bench: report    %s%n", written.markdown().toAbsolutePath().normalize());
        for (Path chart : written.charts()) {
            out.printf("bench: chart     %s%n", chart.toAbsolutePath().normalize());
        }
        out.flush();
        boolean askedUnavailable = chosen.stream().anyMatch(outcome.unavailable()::contains);
        return askedUnavailable ? 1 : 0;
    }

    private static Path defaultOut() {
        String home = System.getProperty("iommufd4j.home");
        Path base = home != null && !home.isBlank() ? Path.of(home) : Path.of("");
        return base.resolve("target").resolve("bench-report");
    }

    /** The suite names, for help and shell completion. */
    static final class SuiteNames extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        SuiteNames() {
            super(Suites.byName().keySet());
        }
    }
}
