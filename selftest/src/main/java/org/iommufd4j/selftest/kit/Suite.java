package org.iommufd4j.selftest.kit;

import java.lang.reflect.Method;
import java.util.Comparator;
import java.util.List;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * The ported suite: the {@link Fixture} classes of {@value #PACKAGE} found on the class path (as
 * the JUnit engine finds them, so the list the runner plans is the list the engine runs) and
 * their cases in kernel order.
 */
public final class Suite {
    /** Where the fixtures live. */
    public static final String PACKAGE = "org.iommufd4j.selftest";

    private final Catalogue catalogue;
    private final List<Class<?>> fixtures;
    private final List<KernelCase> cases;

    private Suite(Catalogue catalogue, List<Class<?>> fixtures) {
        this.catalogue = catalogue;
        this.fixtures = fixtures.stream()
                .sorted(Comparator.comparingInt((Class<?> c) -> firstPosition(c)).thenComparing(Class::getName))
                .toList();
        this.cases = this.fixtures.stream()
                .flatMap(c -> kernelTests(c).stream().flatMap(m -> KernelCase.of(c, m).stream()))
                .sorted(Comparator.comparingInt((KernelCase k) -> catalogue.position(k.name())).thenComparing(KernelCase::name))
                .toList();
    }

    /** The suite on the class path, with the shipped catalogue. */
    public static Suite load() {
        return of(Catalogue.load(), ReflectionSupport.findAllClassesInPackage(PACKAGE,
                c -> c.isAnnotationPresent(Fixture.class), n -> true));
    }

    /** The suite made of {@code fixtures}, ordered by {@code catalogue}. */
    public static Suite of(Catalogue catalogue, List<Class<?>> fixtures) {
        return new Suite(catalogue, fixtures);
    }

    public Catalogue catalogue() {
        return catalogue;
    }

    public List<Class<?>> fixtures() {
        return fixtures;
    }

    /** Every case, in kernel order. */
    public List<KernelCase> cases() {
        return cases;
    }

    /** The cases {@code config} selects, in kernel order. */
    public List<KernelCase> cases(SuiteConfig config) {
        return cases.stream().filter(c -> config.selects(c.name())).toList();
    }

    /** The catalogue check: empty when every line has a Java test and every Java test a line. */
    public List<String> check() {
        return catalogue.check(cases);
    }

    static List<Method> kernelTests(Class<?> fixtureClass) {
        return AnnotationSupport.findAnnotatedMethods(fixtureClass, KernelTest.class, HierarchyTraversalMode.TOP_DOWN);
    }

    private int firstPosition(Class<?> fixtureClass) {
        return kernelTests(fixtureClass).stream()
                .flatMap(m -> KernelCase.of(fixtureClass, m).stream())
                .mapToInt(k -> catalogue.position(k.name()))
                .min().orElse(Integer.MAX_VALUE);
    }
}
