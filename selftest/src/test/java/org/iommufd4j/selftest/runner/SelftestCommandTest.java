package org.iommufd4j.selftest.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.selftest.kit.Catalogue;
import org.iommufd4j.selftest.kit.Suite;
import org.iommufd4j.selftestsample.SampleFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code ./iommufd4j selftest} on a sample fixture: the TAP it prints, its filters and exit codes. */
class SelftestCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private List<String> catalogue = new ArrayList<>(SampleFixture.CATALOGUE);

    private int run(String... args) {
        SelftestCommand command = new SelftestCommand();
        command.suite = () -> Suite.of(Catalogue.parse(catalogue), List.of(SampleFixture.class));
        command.progress = false;
        CommandLine cl = new CommandLine(command);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--plugins-dir", System.getProperty("iommufd4j.pluginsDir")));
        all.addAll(List.of(args));
        return cl.execute(all.toArray(String[]::new));
    }

    private List<String> lines() {
        return out.toString().lines().toList();
    }

    @Test
    void printsKselftestTapAndFailsWhenACaseFails() {
        assertEquals(1, run(), err.toString());
        List<String> l = lines();
        assertEquals("TAP version 13", l.get(0));
        assertEquals("1..10", l.get(1));
        // Methods run in the shipped catalogue's order; the sample's names are not in it, so by name.
        assertTrue(l.contains("ok 1 sample.a.fails_on_b"), out.toString());
        int notOk = l.indexOf("not ok 2 sample.b.fails_on_b");
        assertTrue(notOk > 0, out.toString());
        assertEquals("# SampleFixture.java:59:fails_on_b: variant value ==> expected: <1> but was: <2>", l.get(notOk - 1),
                "the diagnostic names the failing line and message");
        assertTrue(l.contains("not ok 3 sample.a.leaks"), "teardown's leak check fails the case: " + out);
        assertTrue(l.contains("# SampleFixture.java:48:teardown: teardown: 1 object(s) outlived their context"), out.toString());
        assertTrue(l.contains("ok 4 sample.b.leaks"), out.toString());
        assertTrue(l.contains("ok 5 sample.a.passes"), out.toString());
        assertTrue(l.contains("ok 6 sample.b.passes"), out.toString());
        assertTrue(l.contains("ok 7 sample.a.pending # SKIP not ported yet: needs the IOAS io_pagetable: map, unmap, copy, "
                + "IOVA ranges, allowed/reserved ranges (issue #3); sample"), out.toString());
        assertTrue(l.contains("# FAILED: 4 / 10 tests passed."), out.toString());
        assertTrue(l.contains("# Totals: pass:4 fail:2 xfail:0 xpass:0 skip:4 error:0"), out.toString());
        assertTrue(l.stream().anyMatch(s -> s.matches("# mock +4 +2 +2 +0 +2 +10")), "summary row: " + out);
    }

    @Test
    void theSummaryCountsACaseThatSkipsItselfApartFromPendingPortsAndMockOnlyCases() {
        assertEquals(0, run("--filter", "sample.*.skips_itself", "--filter", "sample.*.pending"), err.toString());
        List<String> l = lines();
        assertTrue(l.contains("ok 3 sample.a.skips_itself # SKIP Skipping test for variant a"), out.toString());
        assertTrue(l.contains("ok 4 sample.b.skips_itself # SKIP Skipping test for variant b"), out.toString());
        assertTrue(l.stream().anyMatch(s -> s.matches("# DRIVER +PASS +FAIL +SKIP +SKIP-MOCK +PENDING +TOTAL")), out.toString());
        // kselftest's Totals line has one skip count; the summary splits it: 2 SKIP(), 0 mock-only, 2 pending.
        assertTrue(l.contains("# Totals: pass:0 fail:0 xfail:0 xpass:0 skip:4 error:0"), out.toString());
        assertTrue(l.stream().anyMatch(s -> s.matches("# mock +0 +0 +2 +0 +2 +4")), "summary row: " + out);
    }

    @Test
    void onAnotherDriverASelfSkipThatNeverRanIsMockOnlyNotAKernelSkip() {
        assertEquals(0, run("--driver", "vtd", "--filter", "sample.*.skips_itself"), err.toString());
        List<String> l = lines();
        assertTrue(l.contains("ok 1 sample.a.skips_itself # SKIP Skipping test for variant a"), out.toString());
        assertTrue(l.stream().anyMatch(s -> s.matches("# vtd +0 +0 +1 +1 +0 +2")), "summary row: " + out);
    }

    @Test
    void filterSelectsByGlobAndAPassingRunExitsZero() {
        assertEquals(0, run("--filter", "*.passes", "--filter", "sample.?.pending"), err.toString());
        List<String> l = lines();
        assertEquals("1..4", l.get(1));
        assertTrue(l.contains("# Totals: pass:2 fail:0 xfail:0 xpass:0 skip:2 error:0"), out.toString());
        assertTrue(l.stream().noneMatch(s -> s.contains("fails_on_b")), out.toString());
    }

    @Test
    void onAnotherDriverMockOnlyCasesSkipWithTheReason() {
        assertEquals(0, run("--driver", "vtd", "--filter", "sample.*.passes"), err.toString());
        assertTrue(lines().contains("ok 1 sample.a.passes"), out.toString());
        assertTrue(lines().contains("ok 2 sample.b.passes # SKIP mock-only (a mock constant); the driver under test is vtd"),
                out.toString());
    }

    @Test
    void allDriversNestsOneTapStreamPerDriverAndSummarisesEach() {
        assertEquals(0, run("--driver", "all", "--filter", "sample.*.passes"), err.toString());
        List<String> l = lines();
        assertEquals("TAP version 13", l.get(0));
        assertEquals("1..4", l.get(1));
        for (String d : List.of("mock", "vtd", "smmuv3", "amdvi")) {
            assertTrue(l.stream().anyMatch(s -> s.matches("ok \\d selftest\\.driver\\." + d)), out.toString());
            assertTrue(l.stream().anyMatch(s -> s.matches("# " + d + " +\\d+ +0 .*")), out.toString());
        }
        assertTrue(l.contains("# # Totals: pass:1 fail:0 xfail:0 xpass:0 skip:1 error:0"), out.toString());
    }

    @Test
    void listPrintsTheSelectedNames() {
        assertEquals(0, run("--list", "--filter", "sample.a.*"));
        assertEquals(List.of("sample.a.passes", "sample.a.fails_on_b", "sample.a.pending", "sample.a.leaks", "sample.a.skips_itself"),
                lines());
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run("--filter", "sample.[ab"));
        assertTrue(err.toString().contains("unclosed '['"), err.toString());
        assertEquals(2, run("--filter", "nothing.*"));
        assertTrue(err.toString().contains("selects none"), err.toString());
        assertEquals(2, run("--driver", "no-such-driver"));
        assertTrue(err.toString().contains("no such driver"), err.toString());
        assertEquals(2, run("--no-such-option"));
    }

    @Test
    void noDriverLoadedExitsOne(@TempDir Path empty) {
        SelftestCommand command = new SelftestCommand();
        command.suite = () -> Suite.of(Catalogue.parse(catalogue), List.of(SampleFixture.class));
        CommandLine cl = new CommandLine(command);
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(out, true));
        assertEquals(1, cl.execute("--plugins-dir", empty.toString()));
        assertTrue(err.toString().contains("no driver loaded"), err.toString());
    }

    @Test
    void aSuiteThatDoesNotMatchItsCatalogueBailsOut() {
        catalogue.remove("sample.b.leaks");
        catalogue.add("sample.a.missing");
        assertEquals(1, run());
        List<String> l = lines();
        assertTrue(l.get(0).startsWith("Bail out! the suite does not match its case catalogue"), out.toString());
        assertTrue(l.contains("# no Java test for catalogue case sample.a.missing"), out.toString());
        assertTrue(l.stream().anyMatch(s -> s.contains("(sample.b.leaks) is not in the catalogue")), out.toString());
    }

    @Test
    void writesJUnitXml(@TempDir Path tmp) throws Exception {
        Path xml = tmp.resolve("reports/selftest.xml");
        assertEquals(1, run("--filter", "sample.b.*", "--junit-xml", xml.toString()));
        String report = Files.readString(xml);
        assertTrue(report.contains("<testsuite") && report.contains("tests=\"5\"") && report.contains("failures=\"1\""), report);
        assertTrue(report.contains("classname=\"org.iommufd4j.selftestsample.SampleFixture\""), report);
        assertTrue(!report.contains("()["), "no JUnit invocation names left: " + report);
        for (String name : List.of("sample.b.passes", "sample.b.fails_on_b", "sample.b.pending", "sample.b.leaks")) {
            assertTrue(report.contains("name=\"" + name + "\""), "kselftest names in the report: " + report);
        }
    }
}
