package org.iommufd4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The launcher's commands and exit codes: 0 ok, 1 failure, 2 usage error. */
class MainTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void pluginsListsTheFourBundledDrivers() {
        assertEquals(0, run("plugins", "--plugins-dir", System.getProperty("iommufd4j.pluginsDir")), err.toString());
        for (String id : new String[] {"mock", "vtd", "smmuv3", "amdvi"}) {
            assertTrue(out.toString().lines().anyMatch(l -> l.startsWith(id + " ") && l.contains("drivers-" + id)), out.toString());
        }
        assertTrue(out.toString().contains("4 driver(s) loaded, 0 failure(s)"));
    }

    @Test
    void pluginsFailsOnAnEmptyFolder(@TempDir Path tmp) {
        assertEquals(1, run("plugins", "--plugins-dir", tmp.toString()));
        assertTrue(out.toString().contains("0 driver(s) loaded"));
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, run("no-such-command"));
        assertEquals(2, run());
        assertEquals(2, run("plugins", "--no-such-option"));
    }

    @Test
    void helpEverywhere() {
        for (String cmd : new String[] {"plugins", "selftest", "bench", "pt"}) {
            out.getBuffer().setLength(0);
            assertEquals(0, run(cmd, "--help"));
            assertTrue(out.toString().contains("Usage: iommufd4j " + cmd), out.toString());
        }
        assertEquals(0, run("--help"));
    }

    @Test
    void commandsNotBuiltYetSaySoAndFail() {
        assertEquals(1, run("bench"));
        assertTrue(err.toString().contains("awaits"), err.toString());
    }

    @Test
    void selftestComesFromTheSelftestModule() {
        assertTrue(Main.commandLine().getSubcommands().get("selftest").getCommand()
                instanceof org.iommufd4j.selftest.runner.SelftestCommand);
        out.getBuffer().setLength(0);
        assertEquals(0, run("selftest", "--list", "--filter", "iommufd.cmd_*"));
        assertEquals(java.util.List.of("iommufd.cmd_fail", "iommufd.cmd_length", "iommufd.cmd_ex_fail"), out.toString().lines().toList());
    }

    @Test
    void selftestRunsTheSuiteInKernelOrder() {
        assertEquals(0, run("selftest", "--filter", "iommufd.*", "--plugins-dir", System.getProperty("iommufd4j.pluginsDir")),
                err.toString());
        java.util.List<String> names = out.toString().lines().filter(l -> l.startsWith("ok ") || l.startsWith("not ok "))
                .map(l -> l.replaceFirst("^(not )?ok \\d+ (\\S+).*", "$2")).toList();
        assertEquals(java.util.List.of("iommufd.simple_close", "iommufd.cmd_fail", "iommufd.cmd_length", "iommufd.cmd_ex_fail",
                "iommufd.global_options", "iommufd.simple_ioctls", "iommufd.unmap_cmd", "iommufd.map_cmd", "iommufd.info_cmd",
                "iommufd.set_iommu_cmd", "iommufd.vfio_ioas"), names);
    }
}
