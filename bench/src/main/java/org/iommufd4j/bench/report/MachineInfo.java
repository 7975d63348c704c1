package org.iommufd4j.bench.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** A one-line description of the machine a run was measured on, for the report's header. */
final class MachineInfo {
    private MachineInfo() {
    }

    static String describe() {
        return cpuModel().orElse(System.getProperty("os.arch")) + ", "
                + Runtime.getRuntime().availableProcessors() + " CPU(s) visible to the JVM, "
                + (Runtime.getRuntime().maxMemory() >> 20) + " MiB max heap, "
                + System.getProperty("os.name") + " " + System.getProperty("os.version");
    }

    /** The CPU model Linux reports, if this is Linux. */
    private static Optional<String> cpuModel() {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return Optional.empty();
        }
        try (var lines = Files.lines(cpuinfo)) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
