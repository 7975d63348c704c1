package org.iommufd4j.bench;

import java.util.List;
import java.util.Map;

/**
 * A named group of benchmarks: the JMH benchmark class that implements it and, until that class
 * exists, what it awaits. A suite becomes available the moment its class is compiled into this
 * module (its benchmarks appear in JMH's generated list); nothing else has to change.
 *
 * @param name the name {@code --suite} takes
 * @param description one line for the help and the report
 * @param benchmarkClass the fully qualified JMH benchmark class
 * @param chartMetric what the suite's chart plots
 * @param intendedParams the parameters the suite sweeps ({@code @Param} name to values), shown in
 *        the report while it is not available and used by {@code --formats} validation
 * @param quickParams the reduced sweep of {@code --quick} ({@code @Param} name to values; the
 *        parameters it omits keep their full sweep), so a quick run of all suites stays short
 * @param awaits what the suite waits for, said while its class is missing
 */
public record Suite(String name, String description, String benchmarkClass, ChartMetric chartMetric,
        Map<String, List<String>> intendedParams, Map<String, List<String>> quickParams, String awaits) {

    /** The {@code @Param} that selects a page-table format, set by {@code --formats}. */
    public static final String FORMAT_PARAM = "format";

    public Suite {
        intendedParams = Map.copyOf(intendedParams);
        quickParams = Map.copyOf(quickParams);
    }

    /** Whether this suite sweeps page-table formats (so {@code --formats} applies to it). */
    public boolean takesFormats() {
        return intendedParams.containsKey(FORMAT_PARAM);
    }

    /** The quantity a suite's chart shows. */
    public enum ChartMetric {
        /** ns per call of the operation (one ioctl, one map call). */
        PER_CALL("ns per call"),
        /** ns per page-table entry written. */
        PER_ENTRY("ns per entry");

        private final String axisTitle;

        ChartMetric(String axisTitle) {
            this.axisTitle = axisTitle;
        }

        public String axisTitle() {
            return axisTitle;
        }
    }
}
