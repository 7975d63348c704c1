package org.iommufd4j.inject;

import java.nio.file.Path;

/**
 * The simulated machine: how much host memory it has and where its driver plugins are.
 *
 * @param memoryBytes host physical memory, a multiple of 2 MiB (only touched memory costs heap)
 * @param pluginsDir the plugins folder
 */
public record MachineConfig(long memoryBytes, Path pluginsDir) {
    /** 64 GiB of host memory: frames cost heap only when written. */
    public static final long DEFAULT_MEMORY = 64L << 30;

    public static MachineConfig withPlugins(Path pluginsDir) {
        return new MachineConfig(DEFAULT_MEMORY, pluginsDir);
    }
}
