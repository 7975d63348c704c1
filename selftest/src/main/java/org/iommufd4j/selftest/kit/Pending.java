package org.iommufd4j.selftest.kit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A kernel case that is not ported yet because a feature it needs has not landed: it is reported
 * as SKIP with the reason "not ported yet: needs ...", and its setup does not run. On a fixture
 * class it covers every case of the fixture; on a variant constant every case of that variant
 * (its setup needs the feature); on a {@link KernelTest} method every variant of that test.
 * Remove it when the port lands: the test must then pass.
 */
@Documented
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface Pending {
    /** What the case awaits. */
    Awaits value();

    /** Optional precision, e.g. the one operation missing. */
    String detail() default "";
}
