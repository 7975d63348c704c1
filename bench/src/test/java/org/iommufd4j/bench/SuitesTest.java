package org.iommufd4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Benchmark;

class SuitesTest {
    @Test
    void everyCompiledBenchmarkBelongsToACatalogSuite() {
        Map<String, List<String>> bySuite = BenchRun.benchmarksBySuite();
        assertTrue(bySuite.getOrDefault("", List.of()).isEmpty(),
                "benchmarks in no suite (add their class to Suites): " + bySuite.get(""));
    }

    @Test
    void everyBenchmarkMethodSaysHowTheReportReadsIt() throws Exception {
        for (Suite suite : Suites.ALL) {
            for (String name : BenchRun.benchmarksBySuite().get(suite.name())) {
                String method = name.substring(name.lastIndexOf('.') + 1);
                Method m = Arrays.stream(Class.forName(suite.benchmarkClass()).getMethods())
                        .filter(x -> x.getName().equals(method) && x.isAnnotationPresent(Benchmark.class))
                        .findFirst().orElseThrow();
                ReportAs how = m.getAnnotation(ReportAs.class);
                assertNotNull(how, name + " lacks @ReportAs");
                assertFalse(how.call().isBlank(), name);
            }
        }
    }

    @Test
    void theFloorAndDispatchAreAvailableAndTheEngineSuitesSayWhatTheyAwait() {
        Map<String, List<String>> bySuite = BenchRun.benchmarksBySuite();
        assertFalse(bySuite.get("floor").isEmpty());
        assertFalse(bySuite.get("dispatch").isEmpty());
        for (Suite s : List.of(Suites.FORMATS, Suites.STACK, Suites.MIXED)) {
            assertFalse(s.awaits().isBlank(), s.name());
            assertTrue(s.takesFormats(), s.name() + " should sweep page-table formats");
        }
    }

    @Test
    void suiteNamesAreUnique() {
        assertEquals(Suites.ALL.size(), new HashSet<>(Suites.byName().keySet()).size());
        assertEquals(Suites.DISPATCH, Suites.byName("dispatch").orElseThrow());
        assertTrue(Suites.byName("nope").isEmpty());
    }

    @Test
    void quickSweepsAreSubsetsOfTheFullSweeps() {
        for (Suite s : Suites.ALL) {
            s.quickParams().forEach((name, values) -> {
                assertTrue(s.intendedParams().containsKey(name), s.name() + ": quick param " + name + " is not swept");
                assertTrue(s.intendedParams().get(name).containsAll(values), s.name() + ": quick " + name + " = " + values);
                assertFalse(values.isEmpty(), s.name() + "." + name);
            });
        }
    }

    @Test
    void perSuiteJmhResultsJoinIntoOneJsonArray() {
        String joined = BenchRun.joinJsonArrays(List.of("[\n  {\"a\": 1}\n]\n", "[ ]", "[{\"b\": [2]}]"));
        assertEquals("[\n    {\"a\": 1},\n    {\"b\": [2]}\n]\n", joined);
        assertEquals("[\n]\n", BenchRun.joinJsonArrays(List.of("[]")));
    }
}
