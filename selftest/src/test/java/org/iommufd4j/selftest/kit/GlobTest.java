package org.iommufd4j.selftest.kit;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GlobTest {
    @Test
    void starCrossesDotsAndMatchesTheWholeName() {
        Glob g = Glob.compile("iommufd_ioas.*");
        assertTrue(g.matches("iommufd_ioas.no_domain.area"));
        assertFalse(g.matches("iommufd.simple_close"));
        assertFalse(Glob.compile("iommufd").matches("iommufd.simple_close"), "no implicit prefix match");
        assertTrue(Glob.compile("*.no_domain.*").matches("iommufd_ioas.no_domain.copy_area"));
    }

    @Test
    void questionMarkSetsAndAlternatives() {
        assertTrue(Glob.compile("sample.?.x").matches("sample.a.x"));
        assertFalse(Glob.compile("sample.?.x").matches("sample.ab.x"));
        assertTrue(Glob.compile("v[0-9]").matches("v7"));
        assertFalse(Glob.compile("v[!0-9]").matches("v7"));
        assertTrue(Glob.compile("v[!0-9]").matches("vx"));
        assertTrue(Glob.compile("*.{area,copy_area}").matches("iommufd_ioas.mock_domain.copy_area"));
        assertFalse(Glob.compile("*.{area,copy_area}").matches("iommufd_ioas.mock_domain.area_allowed"));
        assertTrue(Glob.compile("a,b").matches("a,b"), "a comma outside braces is literal");
    }

    @Test
    void regexMetacharactersAreLiteral() {
        assertTrue(Glob.compile("a+b(c)$").matches("a+b(c)$"));
        assertFalse(Glob.compile("a.b").matches("axb"));
        assertTrue(Glob.compile("x\\*").matches("x*"));
        assertFalse(Glob.compile("x\\*").matches("xy"));
        assertTrue(Glob.compile("[.+]").matches("+"));
    }

    @Test
    void malformedGlobsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Glob.compile("a[bc"));
        assertThrows(IllegalArgumentException.class, () -> Glob.compile("{a,b"));
        assertThrows(IllegalArgumentException.class, () -> Glob.compile("a}"));
        assertThrows(IllegalArgumentException.class, () -> Glob.compile("a\\"));
    }
}
