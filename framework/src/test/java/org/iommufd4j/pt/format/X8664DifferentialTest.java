package org.iommufd4j.pt.format;

import java.util.List;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.kit.FormatDifferentialKit;

/** 4- and 5-level, sign-extended or not, with and without 1 GiB pages: all translate alike. */
class X8664DifferentialTest extends FormatDifferentialKit {
    @Override
    protected List<PageTableFormat> formats() {
        return List.of(X8664Format.fourLevel(), X8664Format.fiveLevel(), new X8664Format(47, false, true),
                new X8664Format(48, true, false));
    }
}
