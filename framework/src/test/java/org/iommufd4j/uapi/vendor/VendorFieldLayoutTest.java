package org.iommufd4j.uapi.vendor;

import static org.iommufd4j.uapi.LayoutSpec.assertLayout;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Vendor structs field by field from the C layouts in pagetable-formats.md §2.6, §3.6, §4.6. */
class VendorFieldLayoutTest {

    static Stream<Arguments> specs() {
        return Stream.of(
                Arguments.of(IommuHwptVtdS1.class, "flags:8@0 pgtbl_addr:8@8 addr_width:4@16 __reserved:4@20"),
                Arguments.of(IommuHwInfoVtd.class, "flags:4@0 __reserved:4@4 cap_reg:8@8 ecap_reg:8@16"),
                Arguments.of(IommuHwptVtdS1Invalidate.class, "addr:8@0 npages:8@8 flags:4@16 __reserved:4@20"),
                Arguments.of(IommuHwInfoArmSmmuv3.class, "flags:4@0 __reserved:4@4 idr0:4@8 idr1:4@12 idr2:4@16"
                        + " idr3:4@20 idr4:4@24 idr5:4@28 iidr:4@32 aidr:4@36"),
                Arguments.of(IommuHwptArmSmmuv3.class, "ste0:8@0 ste1:8@8"),
                Arguments.of(IommuViommuArmSmmuv3Invalidate.class, "cmd0:8@0 cmd1:8@8"),
                Arguments.of(IommuVeventArmSmmuv3.class, "evt0:8@0 evt1:8@8 evt2:8@16 evt3:8@24"),
                Arguments.of(IommuHwInfoAmd.class, "efr:8@0 efr2:8@8"),
                Arguments.of(IommuHwptAmdGuest.class, "dte0:8@0 dte1:8@8 dte2:8@16 dte3:8@24"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void fieldsAreWhereTheCStructPutsThem(Class<? extends Record> type, String spec) {
        assertLayout(type, spec);
    }
}
