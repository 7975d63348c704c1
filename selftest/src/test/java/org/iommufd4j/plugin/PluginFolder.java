package org.iommufd4j.plugin;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The folder the build fills with the four driver jars, and copies of it for tests to change. */
final class PluginFolder {
    private PluginFolder() {
    }

    static Path built() {
        Path dir = Path.of(System.getProperty("iommufd4j.pluginsDir", "target/iommufd4j/plugins"));
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException(dir + " does not exist: run the build through package (./mvnw verify)");
        }
        return dir;
    }

    /** A copy of the built folder in {@code into}, without the jars whose names start with {@code skip}. */
    static Path copy(Path into, String... skip) {
        try (Stream<Path> jars = Files.list(built())) {
            Files.createDirectories(into);
            for (Path jar : (Iterable<Path>) jars::iterator) {
                String name = jar.getFileName().toString();
                if (Stream.of(skip).noneMatch(name::startsWith)) {
                    Files.copy(jar, into.resolve(name));
                }
            }
            return into;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
