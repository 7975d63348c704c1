package org.iommufd4j.plugin;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuDriverFactory;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.pf4j.RuntimeMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drivers of one host, loaded by PF4J from the jars of a plugins folder, each in its own class
 * loader. A jar that cannot be loaded (corrupt, no manifest, no driver, a driver that throws) is
 * reported as a {@link PluginFailure} and the others still load. Drivers are created once and
 * kept: PF4J makes new extension instances on every lookup.
 */
public final class DriverRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DriverRegistry.class);
    /** The host API version that a plugin's {@code Plugin-Requires} is checked against. */
    public static final String HOST_API_VERSION = "0.1.0";

    private final Path pluginsDir;
    private final DefaultPluginManager manager;
    private final Map<String, LoadedDriver> drivers = new LinkedHashMap<>();
    private final List<PluginFailure> failures = new ArrayList<>();

    private DriverRegistry(Path pluginsDir) {
        this.pluginsDir = pluginsDir;
        this.manager = new DefaultPluginManager(List.of(pluginsDir)) {
            @Override
            public RuntimeMode getRuntimeMode() {
                // Always jars from the folder: development mode would treat sibling modules as plugins.
                return RuntimeMode.DEPLOYMENT;
            }
        };
        manager.setSystemVersion(HOST_API_VERSION);
    }

    /** Loads every {@code *.jar} in {@code pluginsDir} and creates its drivers for {@code host}. */
    public static DriverRegistry load(Path pluginsDir, HostServices host) {
        return load(pluginsDir, host, List.of(), driver -> { });
    }

    /**
     * Creates the drivers of {@code builtins} (factories on the host's class path, e.g. a driver
     * module's own tests), then loads every {@code *.jar} in {@code pluginsDir}. {@code onLoad} is
     * told about each driver as it is created (the composition root registers its extension
     * ioctls there); if it throws for a plugin's driver, that plugin fails to load with the reason;
     * for a built-in driver the exception propagates (a programming error in the caller's setup).
     */
    public static DriverRegistry load(Path pluginsDir, HostServices host, List<IommuDriverFactory> builtins,
            Consumer<IommuDriver> onLoad) {
        DriverRegistry registry = new DriverRegistry(pluginsDir);
        registry.onLoad = onLoad;
        for (IommuDriverFactory factory : builtins) {
            if (registry.drivers.containsKey(factory.name())) {
                throw new IllegalArgumentException("built-in driver '" + factory.name() + "' is listed twice");
            }
            IommuDriver driver = factory.create(host);
            onLoad.accept(driver);
            registry.drivers.put(factory.name(), new LoadedDriver("builtin:" + factory.name(), HOST_API_VERSION,
                    Path.of("<class path>"), factory.description(), driver));
        }
        registry.loadAll(host);
        return registry;
    }

    private Consumer<IommuDriver> onLoad = driver -> { };

    private void loadAll(HostServices host) {
        if (!Files.isDirectory(pluginsDir)) {
            failures.add(new PluginFailure(pluginsDir, "plugins folder does not exist (build with ./mvnw package, or pass --plugins-dir)"));
            return;
        }
        List<Path> jars;
        try (Stream<Path> files = Files.list(pluginsDir)) {
            jars = files.filter(p -> p.getFileName().toString().endsWith(".jar")).sorted().toList();
        } catch (IOException e) {
            failures.add(new PluginFailure(pluginsDir, "cannot list: " + e.getMessage()));
            return;
        }
        for (Path jar : jars) {
            loadJar(jar, host);
        }
    }

    private void loadJar(Path jar, HostServices host) {
        String id;
        try {
            id = manager.loadPlugin(jar);
        } catch (RuntimeException e) {
            failures.add(new PluginFailure(jar, "not a loadable plugin: " + rootMessage(e)));
            return;
        }
        if (id == null) {
            failures.add(new PluginFailure(jar, "not a loadable plugin (PF4J refused it; see the log)"));
            return;
        }
        PluginWrapper plugin = manager.getPlugin(id);
        try {
            PluginState state = manager.startPlugin(id);
            if (state != PluginState.STARTED) {
                fail(jar, id, "plugin did not start (" + state + ")" + failedCause(plugin));
                return;
            }
            List<IommuDriverFactory> factories = manager.getExtensions(IommuDriverFactory.class, id);
            if (factories.isEmpty()) {
                fail(jar, id, "plugin " + id + " provides no IommuDriverFactory extension "
                        + "(is META-INF/extensions.idx in the jar, and the framework provided, not bundled?)");
                return;
            }
            for (IommuDriverFactory factory : factories) {
                if (drivers.containsKey(factory.name())) {
                    fail(jar, id, "driver '" + factory.name() + "' is already provided by "
                            + drivers.get(factory.name()).jar().getFileName());
                    return;
                }
                IommuDriver driver = factory.create(host);
                onLoad.accept(driver);
                drivers.put(factory.name(), new LoadedDriver(id, plugin.getDescriptor().getVersion(), jar,
                        factory.description(), driver));
            }
            LOG.debug("loaded plugin {} from {}", id, jar);
        } catch (RuntimeException | LinkageError e) {
            fail(jar, id, "driver failed to load: " + rootMessage(e));
        }
    }

    private void fail(Path jar, String id, String reason) {
        failures.add(new PluginFailure(jar, reason));
        drivers.values().removeIf(d -> d.pluginId().equals(id));
        try {
            manager.unloadPlugin(id);
        } catch (RuntimeException e) {
            LOG.debug("unloading {} after a failure also failed", id, e);
        }
    }

    private static String failedCause(PluginWrapper plugin) {
        return plugin != null && plugin.getFailedException() != null ? ": " + rootMessage(plugin.getFailedException()) : "";
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String msg = t.getMessage();
        return t.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
    }

    /** The folder the drivers came from. */
    public Path pluginsDir() {
        return pluginsDir;
    }

    /** Loaded drivers, in jar order. */
    public List<LoadedDriver> drivers() {
        return List.copyOf(drivers.values());
    }

    /** A driver by name. */
    public Optional<LoadedDriver> driver(String name) {
        return Optional.ofNullable(drivers.get(name));
    }

    /** Files that did not give a driver. */
    public List<PluginFailure> failures() {
        return Collections.unmodifiableList(failures);
    }

    @Override
    public void close() {
        drivers.clear();
        // One by one over a copy: PF4J's own stopPlugins() trips over its list while stopping.
        for (PluginWrapper plugin : List.copyOf(manager.getPlugins())) {
            manager.unloadPlugin(plugin.getPluginId());
        }
    }
}
