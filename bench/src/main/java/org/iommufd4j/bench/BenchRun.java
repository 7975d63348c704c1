package org.iommufd4j.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.iommufd4j.bench.catalog.FormatCatalog;
import org.iommufd4j.bench.catalog.SlotLayout;
import org.iommufd4j.bench.heap.HeapRun;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.pt.PageTableFormat;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.BenchmarkList;
import org.openjdk.jmh.runner.BenchmarkListEntry;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.format.OutputFormat;
import org.openjdk.jmh.runner.format.OutputFormatFactory;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs suites through JMH's Runner API and writes JMH's JSON. The floor suite always runs, since
 * the report states every figure as a ratio to the floor of the same run.
 */
public final class BenchRun {
    /** The JMH result file's name inside the output folder. */
    public static final String JSON = "jmh-result.json";

    /**
     * What to run.
     *
     * @param suites the suites asked for, empty for all (the floor is added if missing)
     * @param formats page-table formats for the suites that sweep them; empty = each suite's own list
     * @param settings iteration counts and times
     * @param outDir where the JSON (and the report) go
     * @param onePerSuite run only the first benchmark (by name) of each suite: the build's smoke test
     * @param jmhOutput JMH's progress output, or null for none
     */
    public record Request(List<Suite> suites, List<String> formats, BenchSettings settings, Path outDir,
            boolean onePerSuite, PrintStream jmhOutput) {
        public Request {
            suites = List.copyOf(suites);
            formats = List.copyOf(formats);
        }
    }

    /**
     * What ran.
     *
     * @param ran the suites that had benchmarks to run, in catalog order
     * @param unavailable the suites asked for whose implementation has not landed
     * @param results JMH's results, one per benchmark and parameter combination
     * @param json the JMH JSON file
     * @param loadAtStart the machine's load averages when the run started ("" if unknown)
     * @param heap heap bytes per mapped page measured in fresh JVMs (when the stack suite ran)
     */
    public record Outcome(Request request, List<Suite> ran, List<Suite> unavailable, List<RunResult> results,
            Path json, Instant started, Duration elapsed, String loadAtStart, List<HeapRun> heap) {
    }

    /** The domain format of the heap measurement when {@code --formats} does not name one. */
    static final String HEAP_FORMAT = "vtd-ss-48";

    private BenchRun() {
    }

    /**
     * The benchmarks compiled into this module, by suite name (every catalog suite is a key; an
     * unavailable suite maps to an empty list). Benchmarks of no suite are under the key "".
     */
    public static Map<String, List<String>> benchmarksBySuite() {
        Map<String, List<String>> bySuite = new LinkedHashMap<>();
        Suites.ALL.forEach(s -> bySuite.put(s.name(), new ArrayList<>()));
        OutputFormat silent = OutputFormatFactory.createFormatInstance(System.out, VerboseMode.SILENT);
        TreeSet<String> names = new TreeSet<>();
        for (BenchmarkListEntry e : BenchmarkList.defaultList().getAll(silent, List.of())) {
            names.add(e.getUsername());
        }
        for (String name : names) {
            String owner = name.substring(0, name.lastIndexOf('.'));
            String suite = Suites.ALL.stream().filter(s -> s.benchmarkClass().equals(owner))
                    .map(Suite::name).findFirst().orElse("");
            bySuite.computeIfAbsent(suite, k -> new ArrayList<>()).add(name);
        }
        return bySuite;
    }

    /**
     * Forks inherit this JVM's command-line options (and its java.class.path, which the launcher's
     * {@code lib/*} has already expanded); add the properties the benchmarks read if they were set
     * some other way, e.g. by surefire or in code.
     */
    private static List<String> forkArgs() {
        List<String> inherited = ManagementFactory.getRuntimeMXBean().getInputArguments();
        List<String> args = new ArrayList<>();
        for (String property : List.of(BenchMachine.PLUGINS_DIR_PROPERTY, "java.awt.headless")) {
            String value = System.getProperty(property);
            if (value != null && inherited.stream().noneMatch(a -> a.startsWith("-D" + property + "="))) {
                args.add("-D" + property + "=" + value);
            }
        }
        return args;
    }

    private static ChainedOptionsBuilder options(Request request, Path json) {
        BenchSettings s = request.settings();
        ChainedOptionsBuilder options = new OptionsBuilder()
                .timeUnit(TimeUnit.NANOSECONDS)
                .forks(s.forks())
                .mode(Mode.AverageTime)
                .warmupIterations(s.warmupIterations())
                .warmupTime(s.warmupTime())
                .measurementIterations(s.measurementIterations())
                .measurementTime(s.measurementTime());
        options.threads(1)
                .shouldFailOnError(true)
                .resultFormat(ResultFormatType.JSON)
                .result(json.toString());
        List<String> forkArgs = forkArgs();
        if (!forkArgs.isEmpty()) {
            options.jvmArgsAppend(forkArgs.toArray(String[]::new));
        }
        if (request.jmhOutput() == null) {
            options.verbosity(VerboseMode.SILENT);
        }
        return options;
    }

    /** JMH writes each run's results as one JSON array; the output folder gets one array of all. */
    static String joinJsonArrays(List<String> arrays) {
        List<String> bodies = new ArrayList<>();
        for (String a : arrays) {
            String t = a.trim();
            if (!t.startsWith("[") || !t.endsWith("]")) {
                throw new IllegalStateException("JMH result is not a JSON array: " + t.substring(0, Math.min(40, t.length())));
            }
            String body = t.substring(1, t.length() - 1).trim();
            if (!body.isEmpty()) {
                bodies.add(body);
            }
        }
        return bodies.isEmpty() ? "[\n]\n" : "[\n    " + String.join(",\n    ", bodies) + "\n]\n";
    }

    /** Linux's 1/5/15-minute load averages, or "" where there is no /proc/loadavg: how busy the machine was. */
    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f.length >= 3 ? f[0] + " / " + f[1] + " / " + f[2] : "";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /**
     * One JMH run: the benchmarks (a regex), the parameters set on the command line, and whether
     * they are the map/unmap benchmarks that run one batch of calls over prepared slots per
     * invocation ({@link SlotLayout#SLOTS} calls), swept over every page size.
     */
    record JmhPlan(String include, Map<String, List<String>> params, boolean slotBatches) {
    }

    /** The benchmarks of {@code suite} that change their fixture and so run as batches over prepared slots. */
    static final Pattern SLOT_BATCH_METHODS = Pattern.compile("(map|unmap)\\d+");

    /**
     * The JMH runs of a suite. Most suites are one run with their own parameters. The formats suite
     * is one run per format, because each format has its own page sizes, and within it map/unmap
     * (batches over prepared slots, at every page size) and the rest (at the smallest page) run
     * separately; dirty only where the format has it.
     */
    static List<JmhPlan> plans(Suite suite, Request request, List<String> names) {
        if (suite == Suites.FORMATS) {
            return formatPlans(suite, request, names);
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        if (request.settings().reducedSweep()) {
            params.putAll(suite.quickParams());
        }
        if (request.onePerSuite()) {
            // The smoke test: one parameter combination, the first value of the quick (else full) sweep.
            suite.intendedParams().forEach((name, values) -> params.put(name,
                    List.of(suite.quickParams().getOrDefault(name, values).get(0))));
        }
        if (!request.formats().isEmpty() && suite.takesFormats()) {
            params.put(Suite.FORMAT_PARAM, request.formats());
        }
        String include = request.onePerSuite()
                ? "^" + Pattern.quote(names.get(0)) + "$"
                : "^" + Pattern.quote(suite.benchmarkClass()) + "\\.";
        return List.of(new JmhPlan(include, params, false));
    }

    private static List<JmhPlan> formatPlans(Suite suite, Request request, List<String> names) {
        IommufdComponent machine = BenchMachine.create(64L << 20);
        try {
            return formatPlans(suite, request, names, machine);
        } finally {
            machine.drivers().close();
        }
    }

    private static List<JmhPlan> formatPlans(Suite suite, Request request, List<String> names, IommufdComponent machine) {
        Map<String, PageTableFormat> exported = FormatCatalog.exported(machine);
        List<String> formats = new ArrayList<>();
        if (!request.formats().isEmpty()) {
            for (String f : request.formats()) {
                if (!exported.containsKey(f)) {
                    throw new IllegalArgumentException("--formats: no loaded driver exports '" + f + "' (exported: "
                            + exported.keySet() + ")");
                }
                formats.add(f);
            }
        } else if (request.settings().reducedSweep()) {
            suite.quickParams().getOrDefault(Suite.FORMAT_PARAM, List.of()).stream()
                    .filter(exported::containsKey).forEach(formats::add);
        } else {
            formats.addAll(exported.keySet());
        }
        if (request.onePerSuite()) {
            formats = formats.subList(0, Math.min(1, formats.size()));
        }
        List<JmhPlan> plans = new ArrayList<>();
        for (String format : formats) {
            PageTableFormat f = exported.get(format);
            List<String> pages = FormatCatalog.pageSizes(f, machine.memory());
            if (request.settings().reducedSweep()) {
                pages = pages.subList(0, Math.min(1, pages.size()));
            }
            List<String> slotBatches = new ArrayList<>();
            List<String> others = new ArrayList<>();
            for (String name : names) {
                String method = name.substring(name.lastIndexOf('.') + 1);
                if (method.equals("readAndClearDirty") && !f.supportsDirty()) {
                    continue;
                }
                (SLOT_BATCH_METHODS.matcher(method).matches() ? slotBatches : others).add(method);
            }
            if (request.onePerSuite()) {
                slotBatches = slotBatches.subList(0, Math.min(1, slotBatches.size()));
                others = others.subList(0, Math.min(1, others.size()));
            }
            // Map/unmap at every page size; the walk and the dirty scan at the smallest only (they
            // take seconds per fork, and the page size changes little in them).
            String cls = "^" + Pattern.quote(suite.benchmarkClass()) + "\\.(";
            if (!others.isEmpty()) {
                plans.add(new JmhPlan(cls + String.join("|", others) + ")$",
                        Map.of(Suite.FORMAT_PARAM, List.of(format), "page", pages.subList(0, 1)), false));
            }
            if (!slotBatches.isEmpty()) {
                plans.add(new JmhPlan(cls + String.join("|", slotBatches) + ")$",
                        Map.of(Suite.FORMAT_PARAM, List.of(format), "page", pages), true));
            }
        }
        return plans;
    }

    public static Outcome run(Request request) throws RunnerException, IOException {
        Map<String, List<String>> available = benchmarksBySuite();
        List<Suite> ran = new ArrayList<>();
        List<Suite> unavailable = new ArrayList<>();
        for (Suite suite : Suites.ALL) {
            boolean asked = suite == Suites.FLOOR || request.suites().isEmpty() || request.suites().contains(suite);
            if (!asked) {
                continue;
            }
            (available.get(suite.name()).isEmpty() ? unavailable : ran).add(suite);
        }
        Files.createDirectories(request.outDir());
        Path json = request.outDir().resolve(JSON);
        String load = loadAverage();
        Instant started = Instant.now();
        // One JMH run per suite, so each suite gets its own parameters (--formats only where a
        // suite sweeps formats; a quick run's reduced sweep); the JSON files are then joined.
        List<RunResult> results = new ArrayList<>();
        List<String> jsonArrays = new ArrayList<>();
        for (Suite suite : ran) {
            Path suiteJson = request.outDir().resolve("jmh-" + suite.name() + ".json");
            for (JmhPlan plan : plans(suite, request, available.get(suite.name()))) {
                ChainedOptionsBuilder options = options(request, suiteJson);
                options.include(plan.include());
                plan.params().forEach((name, values) -> options.param(name, values.toArray(String[]::new)));
                Runner runner = request.jmhOutput() == null
                        ? new Runner(options.build())
                        : new Runner(options.build(), OutputFormatFactory.createFormatInstance(request.jmhOutput(), VerboseMode.NORMAL));
                results.addAll(runner.run());
                jsonArrays.add(Files.readString(suiteJson, StandardCharsets.UTF_8));
                Files.delete(suiteJson);
            }
        }
        Files.writeString(json, joinJsonArrays(jsonArrays), StandardCharsets.UTF_8);
        // Heap per mapped page: not a JMH figure (JMH's gc profiler measures allocation, not what
        // stays), so a fresh JVM per measurement, alongside the stack suite that maps the same 1 GiB.
        List<HeapRun> heap = List.of();
        if (ran.contains(Suites.STACK)) {
            String format = request.formats().isEmpty() ? HEAP_FORMAT : request.formats().get(0);
            List<String> backings = request.settings().reducedSweep() ? List.of("scattered") : List.of("scattered", "contiguous");
            heap = HeapRun.measure(format, backings, BenchMachine.pluginsDir());
        }
        Duration elapsed = Duration.between(started, Instant.now());
        return new Outcome(request, List.copyOf(ran), List.copyOf(unavailable), List.copyOf(results), json, started, elapsed,
                load, heap);
    }
}
