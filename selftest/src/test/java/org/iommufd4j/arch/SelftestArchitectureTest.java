package org.iommufd4j.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.iommufd4j.selftest.kit.Suite;
import org.junit.jupiter.api.Test;

/**
 * The selftest module's layering: the ported fixtures ({@code selftest}) and the runner
 * ({@code selftest.runner}) use the kit ({@code selftest.kit}); the kit knows neither, so a
 * driver developer can write fixtures against it alone; the fixtures do not know the runner.
 */
class SelftestArchitectureTest {
    /** The module's own classes only (its class folder or jar), not the whole class path. */
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importLocations(java.util.Set.of(com.tngtech.archunit.core.importer.Location.of(
                    Suite.class.getProtectionDomain().getCodeSource().getLocation())));

    @Test
    void theImportSeesTheSuite() {
        org.junit.jupiter.api.Assertions.assertTrue(MAIN.contain("org.iommufd4j.selftest.IommufdTest"));
        org.junit.jupiter.api.Assertions.assertTrue(MAIN.contain("org.iommufd4j.selftest.runner.SelftestCommand"));
    }

    @Test
    void theKitDependsOnNeitherTheFixturesNorTheRunner() {
        noClasses().that().resideInAPackage("org.iommufd4j.selftest.kit..")
                .should().dependOnClassesThat().resideInAnyPackage("org.iommufd4j.selftest", "org.iommufd4j.selftest.runner..")
                .check(MAIN);
    }

    @Test
    void theFixturesDoNotKnowTheRunner() {
        noClasses().that().resideInAPackage("org.iommufd4j.selftest")
                .should().dependOnClassesThat().resideInAPackage("org.iommufd4j.selftest.runner..")
                .check(MAIN);
    }

    @Test
    void noPackageCycles() {
        slices().matching("org.iommufd4j.selftest.(*)..").should().beFreeOfCycles().check(MAIN);
    }
}
