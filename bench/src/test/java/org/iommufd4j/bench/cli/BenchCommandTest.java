package org.iommufd4j.bench.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.ServiceLoader;
import org.iommufd4j.cli.CommandProvider;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class BenchCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = new CommandLine(new BenchCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return cl.execute(args);
    }

    @Test
    void theLauncherFindsTheBenchCommandThroughServiceLoader() {
        boolean found = ServiceLoader.load(CommandProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .anyMatch(p -> p.name().equals("bench") && p.command() instanceof BenchCommand);
        assertTrue(found);
    }

    @Test
    void listSaysWhichSuitesAreAvailable() {
        assertEquals(0, run("--list"));
        String text = out.toString();
        for (String suite : List.of("floor", "dispatch", "formats", "stack", "mixed")) {
            assertTrue(text.matches("(?s).*" + suite + "\\s+\\d+ benchmark method\\(s\\).*"), text);
        }
        assertFalse(text.contains("not available yet"), text);
    }

    @Test
    void anUnknownSuiteIsAUsageErrorNamingTheSuites() {
        assertEquals(2, run("--suite", "nope"));
        assertTrue(err.toString().contains("unknown suite 'nope'; the suites are floor, dispatch, formats, stack, mixed"),
                err.toString());
    }

    @Test
    void aMalformedFormatNameIsAUsageError() {
        assertEquals(2, run("--formats", "amdv1,Bad Name"));
        assertTrue(err.toString().contains("'Bad Name' is not a format name"), err.toString());
    }
}
