package org.iommufd4j.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import org.iommufd4j.core.TestMachine;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drivers arrive as jars loaded at run time, each in its own class loader. */
class DriverRegistryTest {
    private final HostServices host = hostServices();

    private static HostServices hostServices() {
        var machine = TestMachine.create();
        return HostServices.of(machine.memory(), machine.failNth());
    }

    private static List<String> names(DriverRegistry r) {
        return r.drivers().stream().map(LoadedDriver::name).sorted().toList();
    }

    @Test
    void theFourBundledDriversLoadFromTheirJars() {
        try (DriverRegistry registry = DriverRegistry.load(PluginFolder.built(), host)) {
            assertEquals(List.of("amdvi", "mock", "smmuv3", "vtd"), names(registry));
            assertTrue(registry.failures().isEmpty(), registry.failures().toString());
            for (LoadedDriver d : registry.drivers()) {
                assertTrue(d.jar().getFileName().toString().startsWith("drivers-" + d.name()), d.jar().toString());
                IommuDriver driver = d.driver();
                // Loaded by the plugin's class loader, not from the class path.
                assertNotSame(getClass().getClassLoader(), driver.getClass().getClassLoader());
                assertEquals("org.pf4j.PluginClassLoader", driver.getClass().getClassLoader().getClass().getName());
            }
        }
    }

    @Test
    void removingAJarRemovesItsDriver(@TempDir Path tmp) {
        Path dir = PluginFolder.copy(tmp.resolve("plugins"), "drivers-smmuv3");
        try (DriverRegistry registry = DriverRegistry.load(dir, host)) {
            assertEquals(List.of("amdvi", "mock", "vtd"), names(registry));
        }
    }

    @Test
    void aBrokenJarIsReportedAndTheOthersStillLoad(@TempDir Path tmp) throws IOException {
        Path dir = PluginFolder.copy(tmp.resolve("plugins"));
        Files.write(dir.resolve("broken.jar"), new byte[] {'n', 'o', 't', ' ', 'a', ' ', 'z', 'i', 'p'});
        Path noDriver = dir.resolve("no-driver.jar");
        writeJar(noDriver, "empty-plugin");
        try (DriverRegistry registry = DriverRegistry.load(dir, host)) {
            assertEquals(List.of("amdvi", "mock", "smmuv3", "vtd"), names(registry));
            assertEquals(2, registry.failures().size(), registry.failures().toString());
            PluginFailure broken = registry.failures().stream()
                    .filter(f -> f.path().getFileName().toString().equals("broken.jar")).findFirst().orElseThrow();
            assertTrue(broken.reason().startsWith("not a loadable plugin"), broken.reason());
            PluginFailure empty = registry.failures().stream()
                    .filter(f -> f.path().equals(noDriver)).findFirst().orElseThrow();
            assertTrue(empty.reason().contains("no IommuDriverFactory"), empty.reason());
        }
    }

    @Test
    void aMissingFolderIsAFailureNotACrash(@TempDir Path tmp) {
        try (DriverRegistry registry = DriverRegistry.load(tmp.resolve("absent"), host)) {
            assertTrue(registry.drivers().isEmpty());
            assertEquals(1, registry.failures().size());
            assertTrue(registry.failures().get(0).reason().contains("does not exist"));
        }
    }

    /** A valid PF4J plugin jar (manifest only) that provides no driver. */
    private static void writeJar(Path path, String id) throws IOException {
        Manifest mf = new Manifest();
        mf.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        mf.getMainAttributes().putValue("Plugin-Id", id);
        mf.getMainAttributes().putValue("Plugin-Version", "1.0.0");
        try (OutputStream out = Files.newOutputStream(path); JarOutputStream jar = new JarOutputStream(out, mf)) {
            jar.putNextEntry(new ZipEntry("README"));
            jar.write("no classes".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            jar.closeEntry();
        }
    }
}
