package org.iommufd4j.spi;

import java.util.Map;

/**
 * How a simulated device is described to its driver: a name and driver-specific options (for
 * example the page-table format or the number of PASID bits).
 */
public record DeviceConfig(String name, Map<String, String> options) {
    public DeviceConfig {
        options = Map.copyOf(options);
    }

    public static DeviceConfig named(String name) {
        return new DeviceConfig(name, Map.of());
    }

    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }
}
