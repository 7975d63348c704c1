package org.iommufd4j.drivers.amdvi.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.kit.FormatConformanceKit;

/**
 * The conformance kit over AMD v1 (amdv1.h kunit_fmt_cfgs: starting level 2, growable and not),
 * on IOMMUs walking 4, 5 and 6 levels, and tables grown from modes 2 and 1, with and without
 * forced coherence.
 */
class AmdV1ConformanceTest extends FormatConformanceKit {
    /** Every configuration tested; {@link AmdV1DifferentialTest} runs the same list. */
    static final List<PageTableFormat> CONFIGURATIONS = List.of(AmdV1Format.linuxDefault(),
            AmdV1Format.linuxDefaultWith(4), AmdV1Format.linuxDefaultWith(5), new AmdV1Format(6, 2, false, false),
            new AmdV1Format(6, 1, true, false), new AmdV1Format(6, 1, true, true), new AmdV1Format(6, 0, true, true));

    @Override
    protected List<PageTableFormat> formats() {
        return CONFIGURATIONS;
    }
}
