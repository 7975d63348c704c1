package org.iommufd4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --plugins-dir}, shared by every command that loads drivers. Without it the folder comes
 * from the {@value #PROPERTY} system property (the launcher sets it to the folder the build fills).
 */
final class PluginsDirOption {
    static final String PROPERTY = "iommufd4j.pluginsDir";

    @Option(names = "--plugins-dir", paramLabel = "DIR",
            description = "Folder of driver plugin jars (default: the ${sys:" + PROPERTY + "} property, "
                    + "set by ./iommufd4j to the folder the build fills).")
    Path dir;

    Path resolve() {
        if (dir != null) {
            return dir;
        }
        String prop = System.getProperty(PROPERTY);
        return Path.of(prop != null && !prop.isBlank() ? prop : "target/iommufd4j/plugins");
    }
}
