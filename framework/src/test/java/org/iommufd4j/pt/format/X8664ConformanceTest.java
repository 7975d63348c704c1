package org.iommufd4j.pt.format;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.kit.FormatConformanceKit;

/** The conformance kit over the x86-64 configurations Linux's kunit runs (x86_64.h kunit_fmt_cfgs). */
class X8664ConformanceTest extends FormatConformanceKit {
    /** Every configuration tested; {@link X8664DifferentialTest} runs the same list. */
    static final List<PageTableFormat> CONFIGURATIONS = List.of(X8664Format.fourLevel(), X8664Format.fiveLevel(),
            new X8664Format(47, false, true), new X8664Format(56, false, true), new X8664Format(48, true, false));

    @Override
    protected List<PageTableFormat> formats() {
        return CONFIGURATIONS;
    }
}
