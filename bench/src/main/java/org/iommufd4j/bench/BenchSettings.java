package org.iommufd4j.bench;

import org.openjdk.jmh.runner.options.TimeValue;

/**
 * How long JMH measures: forks, warmup and measurement iterations. The report prints them beside
 * the figures, since a quick run's error bars mean less than a full run's.
 *
 * @param name the preset's name, as the report shows it
 * @param forks JVM forks per benchmark (0 runs in this JVM: only for the smoke test)
 */
public record BenchSettings(String name, int forks, int warmupIterations, TimeValue warmupTime,
        int measurementIterations, TimeValue measurementTime) {

    /** {@code --quick}: one fork, short iterations; finishes the current suites in well under a minute. */
    public static final BenchSettings QUICK = new BenchSettings("quick", 1,
            3, TimeValue.milliseconds(200), 5, TimeValue.milliseconds(200));

    /** The default: two forks (JIT profiles differ between JVMs), 5 x 1 s warmup, 8 x 1 s measurement. */
    public static final BenchSettings FULL = new BenchSettings("full", 2,
            5, TimeValue.seconds(1), 8, TimeValue.seconds(1));

    /** The build's smoke test: proves the benchmarks and the report run, measures nothing worth reading. */
    public static final BenchSettings SMOKE = new BenchSettings("smoke", 0,
            1, TimeValue.milliseconds(50), 1, TimeValue.milliseconds(50));

    public String describe() {
        return String.format("%s: %d fork(s), %d x %s warmup, %d x %s measurement per benchmark",
                name, forks, warmupIterations, warmupTime, measurementIterations, measurementTime);
    }
}
