package org.iommufd4j.pt.format;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/**
 * Every x86-64 configuration of the conformance test (4- and 5-level, sign-extended or not, with
 * and without 1 GiB pages): all translate alike.
 */
class X8664DifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        return X8664ConformanceTest.CONFIGURATIONS;
    }
}
