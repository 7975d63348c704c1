package org.iommufd4j.plugin;

import java.nio.file.Path;

/** A file in the plugins folder that did not give a driver, and why. */
public record PluginFailure(Path path, String reason) {
}
