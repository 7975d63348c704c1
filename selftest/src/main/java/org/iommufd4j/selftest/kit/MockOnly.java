package org.iommufd4j.selftest.kit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A case that only makes sense on the selftest mock driver: it uses IOMMU_TEST_CMD operations or
 * the mock's constants (MOCK_APERTURE_*, MOCK_PAGE_SIZE, its hw_info). Against any other driver it
 * is reported as SKIP with the reason. Cases without it are generic: they need at most a
 * paging-capable driver and run in kit mode against every driver. Allowed on a fixture class, a
 * variant constant (its setup uses the mock) and a {@link KernelTest} method.
 */
@Documented
@Target({ElementType.TYPE, ElementType.FIELD, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
public @interface MockOnly {
    /** What of the mock it uses, e.g. "IOMMU_TEST_OP_MOCK_DOMAIN". */
    String value();
}
