package org.iommufd4j.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.plugin.DriverRegistry;
import org.iommufd4j.plugin.LoadedDriver;
import org.iommufd4j.plugin.PluginFailure;
import org.iommufd4j.spi.DriverCapabilities;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code plugins}: lists every loaded driver plugin and every jar that failed to load. */
@Command(name = "plugins", mixinStandardHelpOptions = true,
        description = "List the driver plugins loaded from the plugins folder: id, version, jar, drivers and "
                + "their capabilities. Jars that fail to load are listed with the reason; exit 1 if any failed.")
final class PluginsCommand implements Callable<Integer> {
    @Mixin
    PluginsDirOption plugins;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        IommufdComponent machine = IommufdComponent.create(MachineConfig.withPlugins(plugins.resolve()));
        try (DriverRegistry registry = machine.drivers()) {
            out.printf("plugins folder: %s%n", registry.pluginsDir().toAbsolutePath().normalize());
            out.printf("%-8s %-16s %-8s %-36s %s%n", "PLUGIN", "VERSION", "DRIVER", "JAR", "CAPABILITIES");
            for (LoadedDriver d : registry.drivers()) {
                out.printf("%-8s %-16s %-8s %-36s %s%n", d.pluginId(), d.pluginVersion(), d.name(),
                        d.jar().getFileName(), describe(d.driver().capabilities()));
            }
            for (PluginFailure f : registry.failures()) {
                err.printf("FAILED   %s: %s%n", f.path(), f.reason());
            }
            out.printf("%d driver(s) loaded, %d failure(s)%n", registry.drivers().size(), registry.failures().size());
            out.flush();
            return registry.failures().isEmpty() && !registry.drivers().isEmpty() ? 0 : 1;
        }
    }

    private static String describe(DriverCapabilities caps) {
        String features = caps.features().stream().map(Enum::name).sorted().collect(Collectors.joining(","));
        String formats = caps.pageTableFormats().isEmpty() ? "-" : String.join(",", caps.pageTableFormats());
        return "features=" + (features.isEmpty() ? "-" : features) + " formats=" + formats;
    }
}
