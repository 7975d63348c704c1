package org.iommufd4j.uapi;

import static org.iommufd4j.uapi.LayoutSpec.assertLayout;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every field of every iommufd.h record at the offset kernel-iommufd.md §2.2 gives (the u32
 * {@code size} at 0 has no component). Written from the reference, independent of the annotations.
 */
class FieldLayoutTest {

    static Stream<Arguments> specs() {
        return Stream.of(
                Arguments.of(IommuDestroy.class, "id:4@4"),
                Arguments.of(IommuIoasAlloc.class, "flags:4@4 out_ioas_id:4@8"),
                Arguments.of(IommuIovaRange.class, "start:8@0 last:8@8"),
                Arguments.of(IommuIoasIovaRanges.class,
                        "ioas_id:4@4 num_iovas:4@8 __reserved:4@12 allowed_iovas:8@16 out_iova_alignment:8@24"),
                Arguments.of(IommuIoasAllowIovas.class, "ioas_id:4@4 num_iovas:4@8 __reserved:4@12 allowed_iovas:8@16"),
                Arguments.of(IommuIoasMap.class,
                        "flags:4@4 ioas_id:4@8 __reserved:4@12 user_va:8@16 length:8@24 iova:8@32"),
                Arguments.of(IommuIoasMapFile.class, "flags:4@4 ioas_id:4@8 fd:4@12 start:8@16 length:8@24 iova:8@32"),
                Arguments.of(IommuIoasCopy.class,
                        "flags:4@4 dst_ioas_id:4@8 src_ioas_id:4@12 length:8@16 dst_iova:8@24 src_iova:8@32"),
                Arguments.of(IommuIoasUnmap.class, "ioas_id:4@4 iova:8@8 length:8@16"),
                Arguments.of(IommuOption.class, "option_id:4@4 op:2@8 __reserved:2@10 object_id:4@12 val64:8@16"),
                Arguments.of(IommuVfioIoas.class, "ioas_id:4@4 op:2@8 __reserved:2@10"),
                Arguments.of(IommuHwptAlloc.class, "flags:4@4 dev_id:4@8 pt_id:4@12 out_hwpt_id:4@16 __reserved:4@20"
                        + " data_type:4@24 data_len:4@28 data_uptr:8@32 fault_id:4@40 __reserved2:4@44"),
                // in_data_type/out_data_type is one u32 union: the component is dataType
                Arguments.of(IommuHwInfo.class, "flags:4@4 dev_id:4@8 data_len:4@12 data_uptr:8@16 data_type:4@24"
                        + " out_max_pasid_log2:1@28 __reserved:3@29 out_capabilities:8@32"),
                Arguments.of(IommuHwptSetDirtyTracking.class, "flags:4@4 hwpt_id:4@8 __reserved:4@12"),
                Arguments.of(IommuHwptGetDirtyBitmap.class,
                        "hwpt_id:4@4 flags:4@8 __reserved:4@12 iova:8@16 length:8@24 page_size:8@32 data:8@40"),
                Arguments.of(IommuHwptInvalidate.class,
                        "hwpt_id:4@4 data_uptr:8@8 data_type:4@16 entry_len:4@20 entry_num:4@24 __reserved:4@28"),
                Arguments.of(IommuHwptPgfault.class, "flags:4@0 dev_id:4@4 pasid:4@8 grpid:4@12 perm:4@16"
                        + " __reserved:4@20 addr:8@24 length:4@32 cookie:4@36"),
                Arguments.of(IommuHwptPageResponse.class, "cookie:4@0 code:4@4"),
                Arguments.of(IommuFaultAlloc.class, "flags:4@4 out_fault_id:4@8 out_fault_fd:4@12"),
                Arguments.of(IommuViommuAlloc.class, "flags:4@4 type:4@8 dev_id:4@12 hwpt_id:4@16 out_viommu_id:4@20"
                        + " data_len:4@24 __reserved:4@28 data_uptr:8@32"),
                Arguments.of(IommuVdeviceAlloc.class, "viommu_id:4@4 dev_id:4@8 out_vdevice_id:4@12 virt_id:8@16"),
                Arguments.of(IommuIoasChangeProcess.class, "__reserved:4@4"),
                Arguments.of(IommufdVeventHeader.class, "flags:4@0 sequence:4@4"),
                Arguments.of(IommuVeventqAlloc.class, "flags:4@4 viommu_id:4@8 type:4@12 veventq_depth:4@16"
                        + " out_veventq_id:4@20 out_veventq_fd:4@24 __reserved:4@28"),
                Arguments.of(IommuHwQueueAlloc.class, "flags:4@4 viommu_id:4@8 type:4@12 index:4@16"
                        + " out_hw_queue_id:4@20 nesting_parent_iova:8@24 length:8@32"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("specs")
    void fieldsAreWhereTheReferenceSays(Class<? extends Record> type, String spec) {
        assertLayout(type, spec);
    }
}
