package org.iommufd4j.bench;

import java.nio.file.Path;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;

/**
 * The simulated machine a benchmark's {@code @Setup} builds: driver plugins from the folder the
 * launcher (or the build) names in {@code iommufd4j.pluginsDir}, which JMH forks inherit.
 */
public final class BenchMachine {
    /** The property naming the plugins folder. */
    public static final String PLUGINS_DIR_PROPERTY = "iommufd4j.pluginsDir";

    private BenchMachine() {
    }

    /** A new machine with {@code memoryBytes} of host memory (a multiple of 2 MiB). */
    public static IommufdComponent create(long memoryBytes) {
        return IommufdComponent.create(new MachineConfig(memoryBytes, pluginsDir()));
    }

    public static Path pluginsDir() {
        String dir = System.getProperty(PLUGINS_DIR_PROPERTY);
        return Path.of(dir != null && !dir.isBlank() ? dir : "target/iommufd4j/plugins");
    }
}
