package org.iommufd4j.drivers.mock.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.kit.FormatConformanceKit;

/** The conformance kit over the mock format's default, huge and growable variants. */
class MockConformanceTest extends FormatConformanceKit {
    /** Every configuration tested; {@link MockDifferentialTest} runs the same list. */
    static final List<PageTableFormat> CONFIGURATIONS = List.of(MockFormat.DEFAULT, MockFormat.HUGE, MockFormat.GROWABLE);

    @Override
    protected List<PageTableFormat> formats() {
        return CONFIGURATIONS;
    }
}
