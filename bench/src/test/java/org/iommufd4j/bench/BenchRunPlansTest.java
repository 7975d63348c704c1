package org.iommufd4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How a suite becomes JMH runs: the formats suite per format, map/unmap as batches over prepared slots. */
class BenchRunPlansTest {
    private static BenchRun.Request request(List<String> formats, BenchSettings settings) {
        return new BenchRun.Request(List.of(Suites.FORMATS), formats, settings, Path.of("unused"), false, null);
    }

    private static List<String> formatsBenchmarks() {
        return BenchRun.benchmarksBySuite().get(Suites.FORMATS.name());
    }

    @Test
    void quickRunsEachQuickFormatAtItsSmallestPageWithMapUnmapAsSlotBatches() {
        List<BenchRun.JmhPlan> plans = BenchRun.plans(Suites.FORMATS, request(List.of(), BenchSettings.QUICK), formatsBenchmarks());
        assertEquals(6, plans.size(), plans.toString());
        for (BenchRun.JmhPlan p : plans) {
            assertEquals(List.of("4K"), p.params().get("page"), p.toString());
            assertEquals(p.slotBatches(), p.include().contains("map1"), p.toString());
            assertFalse(p.slotBatches() && p.include().contains("iovaToPhys"), p.toString());
        }
        // ARM LPAE as exported (no DBM) has no dirty state: its dirty benchmark is not run, the others' are.
        assertTrue(plans.stream().anyMatch(p -> p.params().get("format").equals(List.of("vtd-ss-48"))
                && p.include().contains("readAndClearDirty")));
        assertTrue(plans.stream().noneMatch(p -> p.params().get("format").equals(List.of("arm-lpae-s1-4k"))
                && p.include().contains("readAndClearDirty")));
    }

    @Test
    void aFullRunSweepsEveryPageSizeOfTheNamedFormatForMapAndUnmap() {
        List<BenchRun.JmhPlan> plans = BenchRun.plans(Suites.FORMATS, request(List.of("vtd-ss-48"), BenchSettings.FULL),
                formatsBenchmarks());
        BenchRun.JmhPlan slotBatches = plans.stream().filter(BenchRun.JmhPlan::slotBatches).findFirst().orElseThrow();
        assertEquals(List.of("4K", "2M", "1G"), slotBatches.params().get("page"));
        BenchRun.JmhPlan average = plans.stream().filter(p -> !p.slotBatches()).findFirst().orElseThrow();
        assertEquals(List.of("4K"), average.params().get("page"));
    }

    @Test
    void aFormatNoPluginExportsIsRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BenchRun.plans(Suites.FORMATS, request(List.of("vtd-ss-99"), BenchSettings.QUICK), formatsBenchmarks()));
        assertTrue(e.getMessage().contains("'vtd-ss-99'"), e.getMessage());
    }
}
