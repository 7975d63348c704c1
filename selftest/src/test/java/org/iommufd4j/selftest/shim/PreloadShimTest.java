package org.iommufd4j.selftest.shim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.iommufd4j.server.UapiServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #8 end to end: the C program of selftest/src/test/c, an ordinary /dev/iommu user, runs
 * under {@code LD_PRELOAD=libiommufd4j-preload.so} against a uAPI server in this JVM with the
 * built driver plugins. The program checks what it sees (TAP); this test checks it passed and
 * that its exit left nothing behind on the server.
 */
@EnabledOnOs(OS.LINUX)
class PreloadShimTest {
    /** The C program's own alarm is 120 s; this only guards against a wedged process. */
    private static final long RUN_TIMEOUT_SECONDS = 180;

    @TempDir
    Path dir;

    @Test
    void theCTestPassesThroughTheShimAndItsExitReleasesEverything() throws Exception {
        Path socket = dir.resolve("iommufd4j.sock");
        try (UapiServer server = UapiServer.start(socket, builtFile("iommufd4j.pluginsDir"))) {
            Run run = run(socket);
            String report = "TAP output of the C test:\n" + run.output;
            assertEquals(0, run.exit, report);
            List<String> lines = run.output.lines().toList();
            assertTrue(lines.stream().noneMatch(l -> l.startsWith("not ok")), report);
            // Every planned test reported ok: a crash half-way would leave the plan short.
            int planned = lines.stream().filter(l -> l.matches("1\\.\\.\\d+")).findFirst()
                    .map(l -> Integer.parseInt(l.substring(3))).orElseThrow(() -> new AssertionError("no TAP plan\n" + report));
            assertEquals(planned, lines.stream().filter(l -> l.startsWith("ok ")).count(), report);
            assertTrue(planned >= 12, report);
            awaitReleased(server);
        }
    }

    @Test
    void openingDevIommuWithoutAServerIsEnodevWithAHint() throws Exception {
        Path socket = dir.resolve("nobody-listens.sock");
        Run run = run(socket, "--no-server");
        assertEquals(0, run.exit, "TAP output of the C test:\n" + run.output);
        assertTrue(run.output.contains("iommufd4j: no server at " + socket), run.output);
        assertTrue(run.output.contains("./iommufd4j serve"), run.output);
    }

    private record Run(int exit, String output) {
    }

    private Run run(Path socket, String... args) throws IOException, InterruptedException {
        Path program = builtFile("iommufd4j.shimTest");
        Path shim = builtFile("iommufd4j.preloadShim");
        List<String> command = new java.util.ArrayList<>();
        command.add(program.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
        pb.environment().put("LD_PRELOAD", shim.toString());
        pb.environment().put("IOMMUFD4J_SOCKET", socket.toString());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("the C test did not finish:\n" + new String(out, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The client's connections close with its exit; the server releases its contexts right after. */
    private static void awaitReleased(UapiServer server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            if (server.openContexts() == 0 && server.pinnedFrames() == 0 && server.liveObjects() == 0) {
                return;
            }
            Thread.sleep(20);
        }
        assertEquals(0, server.openContexts(), "contexts left open");
        assertEquals(0, server.pinnedFrames(), "frames left pinned");
        assertEquals(0, server.liveObjects(), "objects left alive");
    }

    private static Path builtFile(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            fail("system property " + property + " is not set: run through ./mvnw verify (selftest/pom.xml sets it)");
        }
        Path path = Path.of(value);
        if (!Files.exists(path)) {
            fail(path + " does not exist: the build makes it (./mvnw verify)");
        }
        return path;
    }
}
