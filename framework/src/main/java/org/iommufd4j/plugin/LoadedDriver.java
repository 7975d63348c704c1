package org.iommufd4j.plugin;

import java.nio.file.Path;
import org.iommufd4j.spi.IommuDriver;

/**
 * A driver and where it came from.
 *
 * @param pluginId the PF4J plugin id (from the jar's manifest)
 * @param pluginVersion its version
 * @param jar the jar it was loaded from
 * @param description the factory's one-line description
 * @param driver the driver instance for this host
 */
public record LoadedDriver(String pluginId, String pluginVersion, Path jar, String description, IommuDriver driver) {
    public String name() {
        return driver.name();
    }
}
