package org.iommufd4j.bench.report;

import java.lang.reflect.Method;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.iommufd4j.bench.ReportAs;
import org.iommufd4j.bench.Suite;
import org.iommufd4j.bench.Suites;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;

/**
 * One JMH result read the way the report prints it: per call and per entry, with its
 * {@link ReportAs} description.
 *
 * @param method the benchmark method's simple name
 * @param params its JMH parameters, sorted by name
 * @param nsPerCall the mean time of one call
 * @param errorPerCall the 99.9% confidence half-width of {@code nsPerCall}, NaN if JMH had too few samples
 * @param entries entries one call writes, 0 if none
 * @param linuxKey the key of the Linux figure to print beside it, "" if none
 * @param format the page-table format parameter, null if the benchmark has none
 */
record Measurement(Suite suite, String method, Map<String, String> params, String call, double nsPerCall,
        double errorPerCall, int entries, String linuxKey, String format) {

    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([A-Za-z0-9_]+)}");
    private static final Pattern LEADING_COUNT = Pattern.compile("^(\\d+)");

    double nsPerEntry() {
        return entries > 0 ? nsPerCall / entries : Double.NaN;
    }

    /** Method name and parameters, the way the table and the chart label it. */
    String label() {
        if (params.isEmpty()) {
            return method;
        }
        return method + " " + params.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    static Measurement of(RunResult result) {
        BenchmarkParams p = result.getParams();
        String benchmark = p.getBenchmark();
        int dot = benchmark.lastIndexOf('.');
        String className = benchmark.substring(0, dot);
        String methodName = benchmark.substring(dot + 1);
        Suite suite = Suites.ALL.stream().filter(s -> s.benchmarkClass().equals(className)).findFirst()
                .orElseThrow(() -> new IllegalStateException(benchmark + " belongs to no suite in Suites.ALL"));
        ReportAs how = reportAs(className, methodName);
        Map<String, String> params = new TreeMap<>();
        for (Object key : p.getParamsKeys()) {
            params.put((String) key, p.getParam((String) key));
        }
        Result<?> primary = result.getPrimaryResult();
        double perInvocation = toNanos(primary.getScore(), primary.getScoreUnit(), benchmark);
        double errorPerInvocation = toNanos(primary.getScoreError(), primary.getScoreUnit(), benchmark);
        // JMH's score is per operation: per invocation times the operations it declares, then
        // divided by the calls it makes (the map/unmap benchmarks make one call per slot).
        double ops = p.getOpsPerInvocation() / (double) Math.max(1, p.getMeasurement().getBatchSize())
                / how.callsPerInvocation();
        int entries = how.entries();
        if (!how.entriesParam().isEmpty()) {
            entries = leadingCount(params.get(how.entriesParam()), how.entriesParam(), benchmark);
        }
        return new Measurement(suite, methodName, params, how.call(), perInvocation * ops, errorPerInvocation * ops,
                entries, substitute(how.linux(), params, benchmark), params.get(Suite.FORMAT_PARAM));
    }

    private static ReportAs reportAs(String className, String methodName) {
        try {
            Class<?> type = Class.forName(className, false, Measurement.class.getClassLoader());
            for (Method m : type.getMethods()) {
                if (m.getName().equals(methodName) && m.isAnnotationPresent(ReportAs.class)) {
                    return m.getAnnotation(ReportAs.class);
                }
            }
            throw new IllegalStateException(className + "." + methodName + " lacks @ReportAs");
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("benchmark class " + className + " not on the class path", e);
        }
    }

    /** JMH's score is per op in the run's time unit; the bench runs in ns, but a JSON from elsewhere may not. */
    private static double toNanos(double score, String unit, String benchmark) {
        if (Double.isNaN(score)) {
            return score;
        }
        String time = unit.substring(0, unit.indexOf('/') < 0 ? unit.length() : unit.indexOf('/'));
        switch (time) {
            case "ns":
                return score;
            case "us":
                return score * 1e3;
            case "ms":
                return score * 1e6;
            case "s":
                return score * 1e9;
            default:
                throw new IllegalStateException(benchmark + ": score unit " + unit + " is not a time per operation");
        }
    }

    static int leadingCount(String value, String param, String benchmark) {
        Matcher m = value == null ? null : LEADING_COUNT.matcher(value);
        if (m == null || !m.find()) {
            throw new IllegalStateException(benchmark + ": @Param " + param + " = " + value + " does not start with a count");
        }
        return Integer.parseInt(m.group(1));
    }

    static String substitute(String template, Map<String, String> params, String benchmark) {
        Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String v = params.get(m.group(1));
            if (v == null) {
                throw new IllegalStateException(benchmark + ": @ReportAs(linux) names @Param " + m.group(1) + ", which it lacks");
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(v));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
