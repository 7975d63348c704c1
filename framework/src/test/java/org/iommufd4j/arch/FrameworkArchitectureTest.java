package org.iommufd4j.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The framework's package rules (DESIGN.md's table), checked on its production classes. */
class FrameworkArchitectureTest {
    private static final JavaClasses FRAMEWORK = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ArchitectureRules.ROOT);

    @TestFactory
    Stream<DynamicTest> eachPackageUsesOnlyWhatTheTableAllows() {
        return ArchitectureRules.frameworkLayering().stream()
                .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(FRAMEWORK)));
    }

    @Test
    void everyPackageIsListed() {
        ArchitectureRules.everyPackageIsListed().check(FRAMEWORK);
    }

    @Test
    void noPackageCycles() {
        ArchitectureRules.noPackageCycles().check(FRAMEWORK);
    }

    @Test
    void jakartaInjectOnly() {
        ArchitectureRules.noJavaxInject().check(FRAMEWORK);
    }
}
