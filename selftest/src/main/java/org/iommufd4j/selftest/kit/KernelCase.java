package org.iommufd4j.selftest.kit;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One case of the kernel suite: a test of a fixture under one variant, named as kselftest names it
 * ({@code fixture.variant.test}, or {@code fixture.test} without variants).
 *
 * @param fixture the kernel fixture name
 * @param variant the variant name, empty when the fixture has none
 * @param test the kernel test name (the method's name)
 * @param fixtureClass the class that ports the fixture
 * @param method the method that ports the test
 * @param variantValue the variant constant, null when the fixture has none
 */
public record KernelCase(String fixture, String variant, String test, Class<?> fixtureClass, Method method,
        Enum<?> variantValue) {

    /** The kselftest name. */
    public String name() {
        return variant.isEmpty() ? fixture + "." + test : fixture + "." + variant + "." + test;
    }

    /** Every case of one {@link KernelTest} method of a {@link Fixture} class, in variant order. */
    public static List<KernelCase> of(Class<?> fixtureClass, Method method) {
        Fixture fixture = fixtureClass.getAnnotation(Fixture.class);
        if (fixture == null || !method.isAnnotationPresent(KernelTest.class)) {
            throw new IllegalArgumentException(fixtureClass.getName() + "#" + method.getName() + " is not a kernel test");
        }
        Enum<?>[] variants = fixture.variants().getEnumConstants();
        List<KernelCase> cases = new ArrayList<>();
        if (variants.length == 0) {
            cases.add(new KernelCase(fixture.value(), "", method.getName(), fixtureClass, method, null));
        }
        for (Enum<?> v : variants) {
            cases.add(new KernelCase(fixture.value(), v.name(), method.getName(), fixtureClass, method, v));
        }
        return cases;
    }

    /**
     * Why the case is not ported yet, if it is not: the fixture's, then the variant's (its setup
     * cannot run), then the test's {@link Pending}.
     */
    public Optional<String> pendingReason() {
        return first(Pending.class).map(p -> p.value().reason(p.detail()));
    }

    /** What of the mock driver the case uses, if it is {@link MockOnly}. */
    public Optional<String> mockOnly() {
        return first(MockOnly.class).map(MockOnly::value);
    }

    /**
     * Why the case does not run under {@code config}, if it does not: a mock-only case on another
     * driver (it will never apply there), else a pending port.
     */
    public Optional<String> skipReason(SuiteConfig config) {
        Optional<String> mock = mockOnly();
        if (mock.isPresent() && !config.mockDriver()) {
            return Optional.of("mock-only (" + mock.get() + "); the driver under test is " + config.driver());
        }
        return pendingReason();
    }

    private <A extends java.lang.annotation.Annotation> Optional<A> first(Class<A> type) {
        for (AnnotatedElement e : new AnnotatedElement[] {fixtureClass, variantField(), method}) {
            if (e != null && e.isAnnotationPresent(type)) {
                return Optional.of(e.getAnnotation(type));
            }
        }
        return Optional.empty();
    }

    private AnnotatedElement variantField() {
        if (variantValue == null) {
            return null;
        }
        try {
            return variantValue.getDeclaringClass().getField(variantValue.name());
        } catch (NoSuchFieldException e) {
            throw new IllegalStateException("enum constant without its field: " + variantValue, e);
        }
    }

    @Override
    public String toString() {
        return name();
    }
}
