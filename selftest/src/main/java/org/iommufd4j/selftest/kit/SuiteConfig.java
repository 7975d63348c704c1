package org.iommufd4j.selftest.kit;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * How the suite runs: which driver is under test, where the plugins are, which cases are selected.
 * Read from JUnit configuration parameters, which fall back to system properties, so the same keys
 * work for {@code ./iommufd4j selftest}, surefire ({@code -Diommufd4j.driver=vtd}) and an IDE.
 *
 * @param driver the driver under test: mock-only cases SKIP on any other
 * @param pluginsDir the driver plugins folder
 * @param filters globs over case names; empty selects every case
 */
public record SuiteConfig(String driver, Path pluginsDir, List<Glob> filters) {
    public static final String DRIVER = "iommufd4j.driver";
    public static final String PLUGINS_DIR = "iommufd4j.pluginsDir";
    /** Globs separated by white space (case names have none). */
    public static final String FILTER = "iommufd4j.filter";
    /** The kernel suite's own driver. */
    public static final String MOCK = "mock";
    static final String DEFAULT_PLUGINS_DIR = "target/iommufd4j/plugins";

    public SuiteConfig {
        filters = List.copyOf(filters);
    }

    public static SuiteConfig from(ExtensionContext context) {
        return read(context::getConfigurationParameter);
    }

    public static SuiteConfig fromSystemProperties() {
        return read(key -> Optional.ofNullable(System.getProperty(key)));
    }

    private static SuiteConfig read(Function<String, Optional<String>> parameters) {
        String driver = parameters.apply(DRIVER).filter(s -> !s.isBlank()).orElse(MOCK).trim();
        String dir = parameters.apply(PLUGINS_DIR).filter(s -> !s.isBlank()).orElse(DEFAULT_PLUGINS_DIR).trim();
        List<Glob> filters = parameters.apply(FILTER).stream()
                .flatMap(s -> Arrays.stream(s.trim().split("\\s+")))
                .filter(s -> !s.isEmpty())
                .map(Glob::compile)
                .toList();
        return new SuiteConfig(driver, Path.of(dir), filters);
    }

    /** True when the case of this name is selected by the filters. */
    public boolean selects(String caseName) {
        return filters.isEmpty() || filters.stream().anyMatch(g -> g.matches(caseName));
    }

    /** True when the driver under test is the selftest mock. */
    public boolean mockDriver() {
        return MOCK.equals(driver);
    }
}
