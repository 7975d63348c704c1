package org.iommufd4j.arch;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.iommufd4j.drivers.rogue.RogueDriver;
import org.junit.jupiter.api.Test;

/** The driver rules, run over the four driver modules' compiled classes. */
class DriverArchitectureTest {
    private static final List<Path> DRIVER_CLASSES = Arrays.stream(
                    System.getProperty("iommufd4j.driverClasses", "").split(","))
            .filter(s -> !s.isBlank()).map(Path::of).toList();

    private static JavaClasses drivers() {
        assertFalse(DRIVER_CLASSES.isEmpty(), "iommufd4j.driverClasses names the driver modules' class folders");
        DRIVER_CLASSES.forEach(p -> assertTrue(Files.isDirectory(p), p + " is built"));
        return new ClassFileImporter().importPaths(DRIVER_CLASSES);
    }

    @Test
    void everyBundledDriverSeesOnlyTheSpi() {
        JavaClasses classes = drivers();
        assertTrue(classes.stream().anyMatch(c -> c.getPackageName().startsWith("org.iommufd4j.drivers.vtd")));
        ArchitectureRules.driversSeeOnlyTheSpi().check(classes);
        ArchitectureRules.driversAreIndependent().check(classes);
    }

    @Test
    void aDriverThatImportsAFrameworkInternalFailsTheRule() {
        JavaClasses rogue = new ClassFileImporter().importClasses(RogueDriver.class);
        AssertionError error = assertThrows(AssertionError.class, () -> ArchitectureRules.driversSeeOnlyTheSpi().check(rogue));
        assertTrue(error.getMessage().contains("org.iommufd4j.core.IommufdContext"), error.getMessage());
    }
}
