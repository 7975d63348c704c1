package org.iommufd4j.inject;

import java.nio.file.Path;
import java.util.List;
import org.iommufd4j.spi.IommuDriverFactory;

/**
 * The simulated machine: how much host memory it has and where its driver plugins are.
 *
 * @param memoryBytes host physical memory, a multiple of 2 MiB (only touched memory costs heap)
 * @param pluginsDir the plugins folder
 * @param builtinDrivers driver factories on the class path, created before the plugins (a driver
 *        module's own tests use this; production machines load drivers only from jars)
 */
public record MachineConfig(long memoryBytes, Path pluginsDir, List<IommuDriverFactory> builtinDrivers) {
    public MachineConfig {
        builtinDrivers = List.copyOf(builtinDrivers);
    }

    public MachineConfig(long memoryBytes, Path pluginsDir) {
        this(memoryBytes, pluginsDir, List.of());
    }

    /** 64 GiB of host memory: frames cost heap only when written. */
    public static final long DEFAULT_MEMORY = 64L << 30;

    public static MachineConfig withPlugins(Path pluginsDir) {
        return new MachineConfig(DEFAULT_MEMORY, pluginsDir);
    }
}
