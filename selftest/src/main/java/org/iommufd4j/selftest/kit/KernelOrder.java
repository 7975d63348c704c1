package org.iommufd4j.selftest.kit;

import java.util.Comparator;
import org.junit.jupiter.api.ClassDescriptor;
import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.MethodDescriptor;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.MethodOrdererContext;

/**
 * Runs the suite in the kernel's order (the catalogue's): fixtures in file order, and a fixture's
 * tests in the order the kernel declares them. Each test then runs its variants in turn.
 */
public final class KernelOrder {
    private KernelOrder() {
    }

    private static final Catalogue CATALOGUE = Catalogue.load();

    private static int position(Class<?> fixtureClass, java.lang.reflect.Method method) {
        if (!method.isAnnotationPresent(KernelTest.class) || !fixtureClass.isAnnotationPresent(Fixture.class)) {
            return Integer.MAX_VALUE;
        }
        return KernelCase.of(fixtureClass, method).stream().mapToInt(k -> CATALOGUE.position(k.name())).min().orElse(Integer.MAX_VALUE);
    }

    /** The fixture's tests in kernel order. */
    public static final class Methods implements MethodOrderer {
        @Override
        public void orderMethods(MethodOrdererContext context) {
            context.getMethodDescriptors().sort(Comparator.comparingInt(
                    (MethodDescriptor d) -> position(context.getTestClass(), d.getMethod()))
                    .thenComparing(d -> d.getMethod().getName()));
        }
    }

    /** Fixtures in kernel order; other classes after them. Set as junit.jupiter.testclass.order.default. */
    public static final class Classes implements ClassOrderer {
        @Override
        public void orderClasses(ClassOrdererContext context) {
            context.getClassDescriptors().sort(Comparator.comparingInt((ClassDescriptor d) -> Suite.kernelTests(d.getTestClass()).stream()
                    .mapToInt(m -> position(d.getTestClass(), m)).min().orElse(Integer.MAX_VALUE))
                    .thenComparing(d -> d.getTestClass().getName()));
        }
    }
}
