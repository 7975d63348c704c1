package org.iommufd4j.selftest.kit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A kernel {@code FIXTURE(name)}: the class holds the fixture's state, its {@code FIXTURE_SETUP}
 * and {@code FIXTURE_TEARDOWN} are the class's {@code @BeforeEach} and {@code @AfterEach}, and each
 * {@code TEST_F} is a {@link KernelTest} method named as in the kernel.
 *
 * <p>{@link #variants()} is the fixture's {@code FIXTURE_VARIANT}: an enum whose constants are the
 * {@code FIXTURE_VARIANT_ADD} entries, named as in the kernel, with the variant's fields as the
 * enum's fields. Every kernel test then runs once per constant as {@code fixture.variant.test};
 * without variants it runs once as {@code fixture.test}. The variant (and the {@code SelftestMachine}
 * of the case) are handed to any setup, test or teardown method that declares a parameter of that type.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(FixtureExtension.class)
@TestMethodOrder(KernelOrder.Methods.class)
public @interface Fixture {
    /** The kernel's fixture name. */
    String value();

    /** The variant enum; {@link NoVariants} when the kernel fixture declares none. */
    Class<? extends Enum<?>> variants() default NoVariants.class;
}
