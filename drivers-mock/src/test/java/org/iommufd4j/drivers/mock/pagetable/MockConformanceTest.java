package org.iommufd4j.drivers.mock.pagetable;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.kit.FormatConformanceKit;

/** The conformance kit over the mock format's default, huge and growable variants. */
class MockConformanceTest extends FormatConformanceKit {
    @Override
    protected List<PageTableFormat> formats() {
        return List.of(MockFormat.DEFAULT, MockFormat.HUGE, MockFormat.GROWABLE);
    }
}
