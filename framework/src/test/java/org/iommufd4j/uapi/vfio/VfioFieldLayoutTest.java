package org.iommufd4j.uapi.vfio;

import static org.iommufd4j.uapi.LayoutSpec.assertLayout;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** VFIO type1 structs field by field from include/uapi/linux/vfio.h (cap headers flattened). */
class VfioFieldLayoutTest {

    static Stream<Arguments> specs() {
        return Stream.of(
                Arguments.of(VfioIommuType1Info.class, "argsz:4@0 flags:4@4 iova_pgsizes:8@8 cap_offset:4@16 pad:4@20"),
                Arguments.of(VfioIommuType1DmaMap.class, "argsz:4@0 flags:4@4 vaddr:8@8 iova:8@16 size:8@24"),
                Arguments.of(VfioIommuType1DmaUnmap.class, "argsz:4@0 flags:4@4 iova:8@8 size:8@16"),
                Arguments.of(VfioInfoCapHeader.class, "id:2@0 version:2@2 next:4@4"),
                Arguments.of(VfioIommuType1InfoCapIovaRange.class, "id:2@0 version:2@2 next:4@4 nr_iovas:4@8 reserved:4@12"),
                Arguments.of(VfioIovaRange.class, "start:8@0 end:8@8"),
                Arguments.of(VfioIommuType1InfoDmaAvail.class, "id:2@0 version:2@2 next:4@4 avail:4@8"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void fieldsAreWhereVfioHPutsThem(Class<? extends Record> type, String spec) {
        assertLayout(type, spec);
    }
}
