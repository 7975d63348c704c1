package org.iommufd4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.iommufd4j.bench.report.Report;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.results.RunResult;

/**
 * The jar cannot rot: one very short iteration of one benchmark per available suite runs through
 * the same Runner path as {@code iommufd4j bench}, and the JSON, the report and the charts appear.
 * The figures measured here mean nothing (50 ms, in the test JVM).
 */
class BenchSmokeTest {
    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    @Test
    void oneShortIterationPerAvailableSuiteWritesJsonReportAndCharts(@TempDir Path dir) throws Exception {
        Map<String, List<String>> available = BenchRun.benchmarksBySuite();
        BenchRun.Outcome outcome = BenchRun.run(
                new BenchRun.Request(List.of(), List.of(), BenchSettings.SMOKE, dir, true, null));

        List<Suite> expectedRan = Suites.ALL.stream().filter(s -> !available.get(s.name()).isEmpty())
                .collect(Collectors.toList());
        assertEquals(expectedRan, outcome.ran());
        assertTrue(outcome.ran().contains(Suites.FLOOR) && outcome.ran().contains(Suites.DISPATCH), outcome.ran().toString());
        for (Suite s : outcome.ran()) {
            String first = available.get(s.name()).get(0);
            assertTrue(outcome.results().stream().anyMatch(r -> r.getParams().getBenchmark().equals(first)),
                    "no result for " + first);
        }
        for (RunResult r : outcome.results()) {
            double score = r.getPrimaryResult().getScore();
            assertTrue(score > 0 && Double.isFinite(score), r.getParams().getBenchmark() + " scored " + score);
        }

        String json = Files.readString(outcome.json());
        assertTrue(json.trim().startsWith("[") && json.trim().endsWith("]"), "not a JSON array");
        for (RunResult r : outcome.results()) {
            assertTrue(json.contains("\"" + r.getParams().getBenchmark() + "\""), r.getParams().getBenchmark());
        }
        assertTrue(json.contains("\"primaryMetric\""));

        Report.Written written = Report.write(outcome);
        String md = Files.readString(written.markdown());
        for (Suite s : Suites.ALL) {
            assertTrue(md.contains("## " + s.name() + "\n"), "no section for " + s.name());
        }
        for (Suite s : outcome.unavailable()) {
            assertTrue(md.contains("Not available yet: awaits " + s.awaits()), s.name());
        }
        assertTrue(md.contains("**Floor reference for the ratios:**"), "no floor reference");
        assertTrue(md.contains("| 256 consecutive stores") || md.contains("| fill a 4 KiB table"), "no floor row");
        assertTrue(md.contains("0.29-0.31 ns/store"), "the Linux floor figure's note is missing");
        assertTrue(md.contains("## Targets (issue #7)\n"), "no targets section");
        if (outcome.ran().contains(Suites.FORMATS)) {
            // map/unmap run a batch of calls per invocation: their row exists and is per call, not per batch.
            assertTrue(outcome.results().stream().anyMatch(r -> r.getParams().getOpsPerInvocation() > 1
                    && r.getParams().getBenchmark().endsWith(".map1")), "no map batch ran");
            assertTrue(md.contains("single map (1 page), ns per call"), "the single-map target is missing");
        }
        if (outcome.ran().contains(Suites.STACK)) {
            assertFalse(outcome.heap().isEmpty(), "the stack suite ran without the heap measurement");
            assertTrue(md.contains("### Heap per mapped page"), "no heap section");
            outcome.heap().forEach(h -> assertTrue(h.result().deltaBytes() > 0 && h.result().tableFrames() > 0, h.toString()));
        }

        assertEquals(outcome.ran().size(), written.charts().size());
        for (Path chart : written.charts()) {
            BufferedImage image = ImageIO.read(chart.toFile());
            assertTrue(image != null && image.getWidth() >= 900 && image.getHeight() >= 500, chart.toString());
            assertTrue(md.contains("](" + chart.getFileName() + ")"), "the report does not show " + chart.getFileName());
        }
    }
}
