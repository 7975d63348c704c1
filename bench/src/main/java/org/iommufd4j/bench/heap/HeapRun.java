package org.iommufd4j.bench.heap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@link HeapPerPage} in fresh JVMs (same java, same class path), once per garbage collector:
 * the JVM's default (G1), where an array of 2 MiB or more is a humongous object that takes whole
 * regions, and the parallel collector, whose heap use is the bytes of the live objects.
 *
 * @param gc the collector's label as the report shows it
 * @param result what the fresh JVM measured
 */
public record HeapRun(String gc, HeapPerPage.Result result) {

    /** The collectors measured: label and JVM options. */
    static final List<List<String>> COLLECTORS = List.of(
            List.of("G1 (the default)"),
            List.of("Parallel (live object bytes)", "-XX:+UseParallelGC"));

    /** Measures {@code format} for each backing and each collector; throws when a JVM fails. */
    public static List<HeapRun> measure(String format, List<String> backings, Path pluginsDir) throws IOException {
        List<HeapRun> out = new ArrayList<>();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        for (String backing : backings) {
            for (List<String> gc : COLLECTORS) {
                List<String> cmd = new ArrayList<>();
                cmd.add(java);
                cmd.addAll(gc.subList(1, gc.size()));
                cmd.add("-cp");
                cmd.add(System.getProperty("java.class.path"));
                cmd.add(HeapPerPage.class.getName());
                cmd.add(format);
                cmd.add(backing);
                cmd.add(pluginsDir.toAbsolutePath().toString());
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                try {
                    if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                        p.destroyForcibly();
                        throw new IOException("heap measurement failed (" + String.join(" ", cmd) + "):\n" + output);
                    }
                } catch (InterruptedException e) {
                    p.destroyForcibly();
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while measuring the heap", e);
                }
                String line = output.lines().filter(l -> l.startsWith("heap ")).reduce((a, b) -> b)
                        .orElseThrow(() -> new IOException("no heap line in:\n" + output));
                out.add(new HeapRun(gc.get(0), HeapPerPage.Result.parse(line)));
            }
        }
        return out;
    }
}
