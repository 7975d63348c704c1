package org.iommufd4j.selftest.runner;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.plugin.DriverRegistry;
import org.iommufd4j.plugin.LoadedDriver;
import org.iommufd4j.plugin.PluginFailure;
import org.iommufd4j.selftest.kit.Glob;
import org.iommufd4j.selftest.kit.KernelCase;
import org.iommufd4j.selftest.kit.KernelOrder;
import org.iommufd4j.selftest.kit.Suite;
import org.iommufd4j.selftest.kit.SuiteConfig;
import org.junit.platform.engine.DiscoverySelector;
import org.junit.platform.engine.discovery.DiscoverySelectors;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.reporting.legacy.xml.LegacyXmlReportGeneratingListener;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./iommufd4j selftest}: runs the ported kernel suite through the JUnit Platform launcher
 * and prints TAP 13 as kselftest does. Exit 0 when nothing failed, 1 when a case failed (or the
 * suite does not match its catalogue, or no driver loaded), 2 on usage errors.
 */
@Command(name = "selftest", mixinStandardHelpOptions = true,
        description = {"Run the kernel's iommufd selftest suite (iommufd.c and iommufd_fail_nth.c, ported to JUnit 5) "
                + "against a driver plugin and print TAP 13 as kselftest does.",
                "Cases that need the selftest mock (IOMMU_TEST_CMD, mock constants) SKIP on other drivers; "
                        + "cases not ported yet SKIP with what they await."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:no case failed", "1:a case failed, the suite does not match its catalogue, or no driver loaded",
                "2:usage error (bad option, unknown driver, a filter that selects nothing)"})
public final class SelftestCommand implements Callable<Integer> {
    @Option(names = "--driver", paramLabel = "ID", defaultValue = SuiteConfig.MOCK,
            description = "Driver under test, or 'all' to run the suite once per loaded driver (default: ${DEFAULT-VALUE}).")
    String driver;

    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = "Folder of driver plugin jars (default: ${sys:iommufd4j.pluginsDir:-target/iommufd4j/plugins}).")
    Path pluginsDir;

    @Option(names = "--filter", paramLabel = "GLOB",
            description = "Run only the cases whose name (fixture.variant.test) matches; repeatable. "
                    + "* ? [..] {a,b} as in the shell, e.g. 'iommufd.*' or '*.no_domain.*'.")
    List<String> filters = new ArrayList<>();

    @Option(names = "--list", description = "Print the selected case names, one per line, and exit.")
    boolean list;

    @Option(names = "--junit-xml", paramLabel = "FILE",
            description = "Also write a JUnit XML report (with --driver all, one file per driver: FILE with -DRIVER before the extension).")
    Path junitXml;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** The suite to run; tests of the runner give it their own. */
    Supplier<Suite> suite = Suite::load;
    /** Whether to draw progress on stderr; null means "when stderr is a terminal". */
    Boolean progress;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        List<Glob> globs = new ArrayList<>();
        for (String f : filters) {
            try {
                globs.add(Glob.compile(f));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--filter: " + e.getMessage());
            }
        }
        Path dir = resolvePluginsDir();
        Suite s = suite.get();
        List<String> problems = s.check();
        if (!problems.isEmpty()) {
            out.println("Bail out! the suite does not match its case catalogue (" + problems.size() + " problem(s))");
            problems.forEach(p -> out.println("# " + p));
            out.flush();
            return 1;
        }
        SuiteConfig selection = new SuiteConfig(driver, dir, globs);
        List<KernelCase> cases = s.cases(selection);
        if (cases.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--filter " + String.join(" ", filters)
                    + " selects none of the " + s.cases().size() + " cases (see --list)");
        }
        if (list) {
            cases.forEach(c -> out.println(c.name()));
            out.flush();
            return 0;
        }
        List<String> drivers = driversUnderTest(dir, err);
        if (drivers == null) {
            return 1;
        }
        boolean nested = drivers.size() > 1;
        Tap outer = new Tap(out, "");
        if (nested) {
            outer.header(drivers.size());
        }
        List<DriverResult> results = new ArrayList<>();
        for (int i = 0; i < drivers.size(); i++) {
            String d = drivers.get(i);
            if (nested) {
                outer.line("# selftest: iommufd4j: driver " + d);
            }
            DriverResult r = runOne(s, new SuiteConfig(d, dir, globs), cases, new Tap(out, nested ? "# " : ""), xmlFor(d, nested), err);
            results.add(r);
            if (nested) {
                outer.line((r.fail() == 0 ? Tap.ok(i + 1, "selftest.driver." + d) : Tap.notOk(i + 1, "selftest.driver." + d)));
            }
        }
        summary(outer, results);
        return results.stream().anyMatch(r -> r.fail() > 0) ? 1 : 0;
    }

    private Path resolvePluginsDir() {
        if (pluginsDir != null) {
            return pluginsDir;
        }
        String prop = System.getProperty(SuiteConfig.PLUGINS_DIR);
        return Path.of(prop != null && !prop.isBlank() ? prop : "target/iommufd4j/plugins");
    }

    /** The drivers to run against, or null (after saying why) when there are none. */
    private List<String> driversUnderTest(Path dir, PrintWriter err) {
        IommufdComponent machine = IommufdComponent.create(MachineConfig.withPlugins(dir));
        try (DriverRegistry registry = machine.drivers()) {
            for (PluginFailure f : registry.failures()) {
                err.println("iommufd4j selftest: warning: " + f.path() + ": " + f.reason());
            }
            List<String> loaded = registry.drivers().stream().map(LoadedDriver::name).toList();
            if (loaded.isEmpty()) {
                err.println("iommufd4j selftest: no driver loaded from " + dir.toAbsolutePath().normalize());
                err.flush();
                return null;
            }
            if ("all".equals(driver)) {
                return loaded;
            }
            if (!loaded.contains(driver)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--driver " + driver + ": no such driver in "
                        + dir.toAbsolutePath().normalize() + "; loaded: " + String.join(", ", loaded) + " (or 'all')");
            }
            return List.of(driver);
        }
    }

    private DriverResult runOne(Suite s, SuiteConfig config, List<KernelCase> cases, Tap tap, Path xml, PrintWriter err) {
        boolean showProgress = progress != null ? progress : Terminal.stderrIsTerminal();
        TapListener listener = new TapListener(tap, config.driver(), cases, showProgress ? err : null);
        List<TestExecutionListener> listeners = new ArrayList<>(List.of(listener));
        Path xmlDir = null;
        if (xml != null) {
            try {
                xmlDir = Files.createTempDirectory("iommufd4j-junit-xml");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            listeners.add(new LegacyXmlReportGeneratingListener(xmlDir, err));
        }
        Launcher launcher = LauncherFactory.create();
        launcher.execute(request(s, config), listeners.toArray(TestExecutionListener[]::new));
        if (xmlDir != null) {
            moveReport(xmlDir, xml);
            JUnitXmlNames.rename(xml, cases);
        }
        return listener.result();
    }

    /** Exactly the suite's fixture classes, with the driver, the plugins and the filters as configuration. */
    static LauncherDiscoveryRequest request(Suite s, SuiteConfig config) {
        Map<String, String> params = new HashMap<>();
        params.put(SuiteConfig.DRIVER, config.driver());
        params.put(SuiteConfig.PLUGINS_DIR, config.pluginsDir().toString());
        params.put(SuiteConfig.FILTER, String.join(" ", config.filters().stream().map(Glob::pattern).toList()));
        params.put("junit.jupiter.testclass.order.default", KernelOrder.Classes.class.getName());
        List<DiscoverySelector> selectors = s.fixtures().stream()
                .map(c -> (DiscoverySelector) DiscoverySelectors.selectClass(c)).toList();
        return LauncherDiscoveryRequestBuilder.request()
                .selectors(selectors)
                .filters(new FixtureFilter(config))
                .configurationParameters(params)
                .build();
    }

    private Path xmlFor(String d, boolean nested) {
        if (junitXml == null || !nested) {
            return junitXml;
        }
        String name = junitXml.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String file = dot > 0 ? name.substring(0, dot) + "-" + d + name.substring(dot) : name + "-" + d;
        return junitXml.resolveSibling(file);
    }

    private static void moveReport(Path dir, Path target) {
        try (Stream<Path> files = Files.list(dir)) {
            Path report = files.filter(p -> p.getFileName().toString().endsWith(".xml")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("the JUnit XML listener wrote no report in " + dir));
            Path parent = target.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.move(report, target, StandardCopyOption.REPLACE_EXISTING);
            try (Stream<Path> rest = Files.walk(dir)) {
                for (Path p : rest.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the JUnit XML report " + target, e);
        }
    }

    /** The per-driver table, as TAP comments so the stream stays valid TAP. */
    private static void summary(Tap tap, List<DriverResult> results) {
        tap.line("# Summary");
        // SKIP: the kernel's own SKIP() (by design); SKIP-MOCK: mock-only on another driver; PENDING: not ported yet.
        tap.line(String.format("# %-10s %6s %6s %6s %10s %8s %6s", "DRIVER", "PASS", "FAIL", "SKIP", "SKIP-MOCK", "PENDING",
                "TOTAL"));
        for (DriverResult r : results) {
            tap.line(String.format("# %-10s %6d %6d %6d %10d %8d %6d", r.driver(), r.pass(), r.fail(), r.skipKernel(),
                    r.skipMockOnly(), r.skipPending(), r.planned()));
        }
    }
}
