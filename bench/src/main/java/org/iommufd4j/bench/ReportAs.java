package org.iommufd4j.bench;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How the report reads a benchmark method's score. By the convention of this module one JMH
 * invocation of a benchmark method is one <em>call</em> of the operation it measures (a map of
 * 256 pages, one ioctl, one table fill); where the call writes N entries the method also carries
 * {@code @OperationsPerInvocation(N)}, so JMH's score is per entry and the report multiplies it
 * back to a per-call figure.
 *
 * <p>Suites added later (page-table formats, the IOAS stack) describe themselves with this
 * annotation alone; the report needs no code per suite.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface ReportAs {
    /** What one call is, as the table shows it ("256 stores", "IOMMU_DESTROY ioctl"). */
    String call();

    /**
     * Calls of the operation one invocation makes (the formats suite's map/unmap make one call per
     * prepared slot and carry {@code @OperationsPerInvocation} of the same number, so JMH's score is
     * per call); the report divides the invocation's time by it. 1 by default.
     */
    int callsPerInvocation() default 1;

    /** Page-table entries one call writes; 0 if it writes none (then there is no per-entry figure). */
    int entries() default 0;

    /**
     * The {@code @Param} whose value is the number of entries one call writes (for sweeps over
     * sizes); its leading digits are read, so {@code "256x4K"} counts 256. Overrides {@link #entries()}.
     */
    String entriesParam() default "";

    /**
     * The key of the Linux generic_pt figure measured for the same operation (see
     * {@code linux-generic-pt.csv}), or empty if Linux has none. {@code {name}} is replaced by the
     * value of the {@code @Param} of that name, e.g. {@code "map.{size}"}.
     */
    String linux() default "";
}
