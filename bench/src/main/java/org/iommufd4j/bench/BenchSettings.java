package org.iommufd4j.bench;

import org.openjdk.jmh.runner.options.TimeValue;

/**
 * How long JMH measures: forks, warmup and measurement iterations. The report prints them beside
 * the figures, since a quick run's error bars mean less than a full run's.
 *
 * @param name the preset's name, as the report shows it
 * @param forks JVM forks per benchmark (0 runs in this JVM: only for the smoke test)
 * @param reducedSweep sweep each suite's {@link Suite#quickParams()} instead of all its parameters
 * @param singleShotWarmups warmup iterations of the benchmarks run in single-shot batches (map and
 *        unmap, which change the table: each iteration is one batch of calls on prepared slots)
 * @param singleShotMeasurements measured single-shot iterations
 */
public record BenchSettings(String name, int forks, int warmupIterations, TimeValue warmupTime,
        int measurementIterations, TimeValue measurementTime, boolean reducedSweep,
        int singleShotWarmups, int singleShotMeasurements) {

    /**
     * {@code --quick}: one fork, short iterations, each suite's reduced sweep; must stay under
     * 3 minutes on 2 cores (about 25 s per 10 benchmark/parameter combinations).
     */
    public static final BenchSettings QUICK = new BenchSettings("quick", 1,
            3, TimeValue.milliseconds(200), 5, TimeValue.milliseconds(200), true, 200, 100);

    /** The default: two forks (JIT profiles differ between JVMs), 5 x 1 s warmup, 8 x 1 s measurement. */
    public static final BenchSettings FULL = new BenchSettings("full", 2,
            5, TimeValue.seconds(1), 8, TimeValue.seconds(1), false, 1000, 400);

    /** The build's smoke test: proves the benchmarks and the report run, measures nothing worth reading. */
    public static final BenchSettings SMOKE = new BenchSettings("smoke", 0,
            1, TimeValue.milliseconds(50), 1, TimeValue.milliseconds(50), true, 2, 2);

    public String describe() {
        return String.format("%s: %d fork(s), %d x %s warmup, %d x %s measurement per benchmark"
                + " (single-shot map/unmap batches: %d warmup, %d measured)%s",
                name, forks, warmupIterations, warmupTime, measurementIterations, measurementTime,
                singleShotWarmups, singleShotMeasurements, reducedSweep ? ", reduced parameter sweep" : "");
    }
}
