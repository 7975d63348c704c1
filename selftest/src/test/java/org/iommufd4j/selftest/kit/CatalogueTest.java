package org.iommufd4j.selftest.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The catalogue check: every kernel case is a Java test under its kernel name, and nothing else is. */
class CatalogueTest {
    @Test
    void everyCatalogueLineIsOneJavaTestAndBack() {
        Suite suite = Suite.load();
        assertEquals(List.of(), suite.check());
        assertEquals(254, suite.catalogue().names().size(), "246 cases of iommufd.c and 8 of iommufd_fail_nth.c");
        assertEquals(suite.catalogue().names(), suite.cases().stream().map(KernelCase::name).toList(),
                "the suite's cases in kernel order");
    }

    @Test
    void checkNamesWhatIsMissingAndWhatIsExtra() {
        Suite suite = Suite.load();
        List<String> lines = new java.util.ArrayList<>(suite.catalogue().names());
        lines.remove("iommufd.simple_close");
        lines.add("iommufd.not_in_java");
        lines.add("iommufd.cmd_fail");
        List<String> problems = Catalogue.parse(lines).check(suite.cases());
        assertTrue(problems.contains("no Java test for catalogue case iommufd.not_in_java"), problems.toString());
        assertTrue(problems.contains("catalogue lists iommufd.cmd_fail twice"), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("Java test IommufdTest#simple_close (iommufd.simple_close) is not in the catalogue")),
                problems.toString());
        assertEquals(3, problems.size(), problems.toString());
    }

    @Test
    void everyCaseThatDoesNotRunSaysWhatItAwaits() {
        SuiteConfig mock = new SuiteConfig("mock", java.nio.file.Path.of("."), List.of());
        for (KernelCase c : Suite.load().cases()) {
            c.skipReason(mock).ifPresent(reason -> assertTrue(
                    reason.startsWith("not ported yet: needs ") && reason.matches(".*\\(issue #[34]\\).*"), c + ": " + reason));
        }
    }
}
