package org.iommufd4j.bench.report;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.iommufd4j.bench.Suites;
import org.iommufd4j.bench.heap.HeapPerPage;
import org.iommufd4j.bench.heap.HeapRun;
import org.junit.jupiter.api.Test;

class TargetsTest {
    private static Measurement formats(String method, double nsPerCall, int entries) {
        return new Measurement(Suites.FORMATS, method, Map.of("format", "amdv1", "page", "4K"), "c", nsPerCall, Double.NaN,
                entries, "", "amdv1");
    }

    @Test
    void eachTargetIsComparedWithTheRunsFigureAndMissesAreSaid() {
        Measurement floor = new Measurement(Suites.FLOOR, "store256", Map.of("tables", "512"), "c", 76.8, Double.NaN, 256, "", null);
        List<Measurement> all = List.of(floor,
                formats("map256", 204.8, 256),     // 0.8 ns/entry: met; 2.67x the floor: met
                formats("unmap256", 512.0, 256),   // 2.0 ns/entry: missed; 6.67x the floor: missed
                formats("map1", 25.0, 1),          // met
                new Measurement(Suites.STACK, "ioasMap", Map.of("domains", "1", "backing", "scattered", "format", "vtd-ss-48"),
                        "c", 7.5e6, Double.NaN, 262144, "", "vtd-ss-48"));
        List<HeapRun> heap = List.of(new HeapRun("G1", new HeapPerPage.Result("vtd-ss-48", "scattered", 262144, 5L << 20, 515)));
        StringBuilder md = new StringBuilder();
        Targets.write(md, all, Optional.of(floor), heap);
        String s = md.toString();
        assertTrue(s.contains("| amdv1, 4K: map of 256 pages in one call, ns per entry | 0.800 | ≤ 1.0 ns | yes |"), s);
        assertTrue(s.contains("| amdv1, 4K: map of 256 pages, ns per entry ÷ store floor | 2.67× | ≤ 4× (floor 0.300 ns) | yes |"), s);
        assertTrue(s.contains("| amdv1, 4K: unmap of 256 pages in one call, ns per entry | 2.00 | ≤ 1.0 ns | **no** |"), s);
        assertTrue(s.contains("| amdv1, 4K: unmap of 256 pages, ns per entry ÷ store floor | 6.67× | ≤ 4× (floor 0.300 ns) | **no** |"), s);
        assertTrue(s.contains("| amdv1, 4K: single map (1 page), ns per call | 25.0 | ≤ 30 ns | yes |"), s);
        assertTrue(s.contains("| amdv1, 4K: single unmap (1 page), ns per call | not measured in this run | ≤ 30 ns | — |"), s);
        assertTrue(s.contains("backing=scattered) | 7.50 ms | ≤ 5 ms | **no** |"), s);
        // 5 MiB / 262,144 pages = 20 bytes + 4 for the pin counter = 24: exactly the limit, met.
        assertTrue(s.contains("| 24.0 | ≤ 24 bytes | yes |"), s);
        assertTrue(s.contains("4 met, 3 missed, 1 not measured."), s);
    }
}
