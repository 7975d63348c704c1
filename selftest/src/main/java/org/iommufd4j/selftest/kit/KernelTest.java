package org.iommufd4j.selftest.kit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;

/**
 * A kernel {@code TEST_F}: the method's name is the kernel test's name. It runs once per variant
 * of its {@link Fixture}; each run is reported as {@code fixture.variant.test}.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@TestTemplate
public @interface KernelTest {
}
