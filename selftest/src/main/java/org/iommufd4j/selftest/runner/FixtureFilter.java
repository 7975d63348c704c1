package org.iommufd4j.selftest.runner;

import java.lang.reflect.Method;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.KernelCase;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.SuiteConfig;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.support.descriptor.ClassSource;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.PostDiscoveryFilter;

/**
 * Keeps the kernel tests that have a case the filters select, so a fixture with none selected
 * is not set up at all (the per-variant selection itself happens in the fixture extension).
 */
final class FixtureFilter implements PostDiscoveryFilter {
    private final SuiteConfig config;

    FixtureFilter(SuiteConfig config) {
        this.config = config;
    }

    @Override
    public FilterResult apply(TestDescriptor descriptor) {
        var source = descriptor.getSource().orElse(null);
        if (source instanceof ClassSource cs) {
            return FilterResult.includedIf(cs.getJavaClass().isAnnotationPresent(Fixture.class), () -> "a kernel fixture",
                    () -> "not a kernel fixture");
        }
        if (source instanceof MethodSource ms) {
            Method m = ms.getJavaMethod();
            boolean selected = m.isAnnotationPresent(KernelTest.class) && ms.getJavaClass().isAnnotationPresent(Fixture.class)
                    && KernelCase.of(ms.getJavaClass(), m).stream().anyMatch(c -> config.selects(c.name()));
            return FilterResult.includedIf(selected, () -> "selected", () -> "no case of it is selected");
        }
        return FilterResult.included("not a class or method");
    }
}
