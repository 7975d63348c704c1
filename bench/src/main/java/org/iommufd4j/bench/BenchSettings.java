package org.iommufd4j.bench;

import org.openjdk.jmh.runner.options.TimeValue;

/**
 * How long JMH measures: forks, warmup and measurement iterations. The report prints them beside
 * the figures, since a quick run's error bars mean less than a full run's.
 *
 * @param name the preset's name, as the report shows it
 * @param forks JVM forks per benchmark (0 runs in this JVM: only for the smoke test)
 * @param reducedSweep sweep each suite's {@link Suite#quickParams()} instead of all its parameters
 */
public record BenchSettings(String name, int forks, int warmupIterations, TimeValue warmupTime,
        int measurementIterations, TimeValue measurementTime, boolean reducedSweep) {

    /**
     * {@code --quick}: one fork, short iterations, each suite's reduced sweep; must stay under
     * 3 minutes on 2 cores (about 25 s per 10 benchmark/parameter combinations).
     */
    public static final BenchSettings QUICK = new BenchSettings("quick", 1,
            3, TimeValue.milliseconds(200), 5, TimeValue.milliseconds(200), true);

    /** The default: two forks (JIT profiles differ between JVMs), 5 x 1 s warmup, 8 x 1 s measurement. */
    public static final BenchSettings FULL = new BenchSettings("full", 2,
            5, TimeValue.seconds(1), 8, TimeValue.seconds(1), false);

    /** The build's smoke test: proves the benchmarks and the report run, measures nothing worth reading. */
    public static final BenchSettings SMOKE = new BenchSettings("smoke", 0,
            1, TimeValue.milliseconds(50), 1, TimeValue.milliseconds(50), true);

    public String describe() {
        return String.format("%s: %d fork(s), %d x %s warmup, %d x %s measurement per benchmark%s",
                name, forks, warmupIterations, warmupTime, measurementIterations, measurementTime,
                reducedSweep ? ", reduced parameter sweep" : "");
    }
}
