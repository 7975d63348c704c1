package org.iommufd4j.drivers.mock.pagetable;

import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/**
 * The mock's size-encoded contiguous entries (2 KiB items, NextLevel 7) against x86-64's plain
 * 4 KiB/2 MiB/1 GiB leaves: one random sequence, the same translations.
 */
class MockDifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        List<PageTableFormat> formats = new ArrayList<>(List.of(X8664Format.fourLevel()));
        formats.addAll(MockConformanceTest.CONFIGURATIONS);
        return formats;
    }
}
