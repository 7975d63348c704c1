package org.iommufd4j.uapi.selftest;

import org.iommufd4j.uapi.At;
import org.iommufd4j.uapi.KernelStruct;

/** The mock driver's user-data structs and constants (iommufd_test.h). */
public final class SelftestUapi {
    private SelftestUapi() {
    }

    /** MOCK_PAGE_SIZE: the mock domain's granule. */
    public static final long MOCK_PAGE_SIZE = 2048;
    /** MOCK_HUGE_PAGE_SIZE: 512 mock pages. */
    public static final long MOCK_HUGE_PAGE_SIZE = 512 * MOCK_PAGE_SIZE;
    /** MOCK_APERTURE_START / MOCK_APERTURE_LAST. */
    public static final long MOCK_APERTURE_START = 1L << 24;
    public static final long MOCK_APERTURE_LAST = (1L << 31) - 1;

    /** MOCK_FLAGS_DEVICE_*: dev_flags of MOCK_DOMAIN_FLAGS (bit 1, the former HUGE_IOVA, is gone). */
    public static final int MOCK_FLAGS_DEVICE_NO_DIRTY = 1 << 0;
    public static final int MOCK_FLAGS_DEVICE_PASID = 1 << 2;

    /** CREATE_ACCESS flags (iommufd_test.h). */
    public static final int MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES = 1 << 0;
    /** ACCESS_PAGES flags: pin for writing. */
    public static final int MOCK_FLAGS_ACCESS_WRITE = 1 << 0;
    /** ACCESS_RW flags: write to the IOVA; force the slow (kthread-style) path. */
    public static final int MOCK_ACCESS_RW_WRITE = 1 << 0;
    public static final int MOCK_ACCESS_RW_SLOW_PATH = 1 << 2;

    /** MOCK_IOMMUPT_*: iommu_hwpt_selftest.pagetable_type. */
    public static final int MOCK_IOMMUPT_DEFAULT = 0;
    public static final int MOCK_IOMMUPT_HUGE = 1;

    public static final int MOCK_NESTED_DOMAIN_IOTLB_ID_MAX = 3;
    public static final int MOCK_NESTED_DOMAIN_IOTLB_NUM = 4;
    /** IOMMU_TEST_PASID_RESERVED: replacing this PASID's domain fails with ENOMEM (rollback test). */
    public static final int IOMMU_TEST_PASID_RESERVED = 1024;
    public static final int MOCK_PASID_WIDTH = 20;

    public static final int IOMMU_HW_INFO_TYPE_SELFTEST = 0xfeedbeef;
    public static final int IOMMU_HW_INFO_SELFTEST_REGVAL = 0xdeadbeef;
    /** IOMMU_HWPT_DATA_SELFTEST: the data_type of {@link IommuHwptSelftest}. */
    public static final int IOMMU_HWPT_DATA_SELFTEST = 0xdead;
    public static final int IOMMU_TEST_IOTLB_DEFAULT = 0xbadbeef;
    public static final int IOMMU_HWPT_INVALIDATE_DATA_SELFTEST = 0xdeadbeef;
    public static final int IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID = 0xdadbeef;
    public static final int IOMMU_TEST_INVALIDATE_FLAG_ALL = 1 << 0;

    /** {@code struct iommu_hwpt_selftest}: HWPT_ALLOC data; min length ends at {@code iotlb}. */
    @KernelStruct(name = "iommu_hwpt_selftest", size = 8, sized = false)
    public record IommuHwptSelftest(@At(offset = 0, bytes = 4) int iotlb, @At(offset = 4, bytes = 4) int pagetableType) {
    }

    /** {@code struct iommu_hwpt_invalidate_selftest}: one IOMMU_HWPT_INVALIDATE entry. */
    @KernelStruct(name = "iommu_hwpt_invalidate_selftest", size = 8, sized = false)
    public record IommuHwptInvalidateSelftest(@At(offset = 0, bytes = 4) int flags, @At(offset = 4, bytes = 4) int iotlbId) {
    }

    /** {@code struct iommu_test_hw_info}: the GET_HW_INFO data of type 0xfeedbeef. */
    @KernelStruct(name = "iommu_test_hw_info", size = 8, sized = false)
    public record IommuTestHwInfo(@At(offset = 0, bytes = 4) int flags, @At(offset = 4, bytes = 4) int testReg) {
    }

    /** vIOMMU selftest types and limits (iommufd_test.h). */
    public static final int IOMMU_VIOMMU_TYPE_SELFTEST = 0xdeadbeef;
    public static final int IOMMU_VEVENTQ_TYPE_SELFTEST = 0xbeefbeef;
    public static final int IOMMU_HW_QUEUE_TYPE_SELFTEST = 0xdeadbeef;
    public static final int IOMMU_TEST_HW_QUEUE_MAX = 2;
    public static final int IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST = 0xdeadbeef;
    public static final int IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID = 0xdadbeef;
    /** The mock device's four fake cache entries and their initial value. */
    public static final int IOMMU_TEST_DEV_CACHE_DEFAULT = 0xbaddad;
    public static final int MOCK_DEV_CACHE_ID_MAX = 3;
    public static final int MOCK_DEV_CACHE_NUM = 4;

    /** {@code struct iommu_viommu_selftest}: VIOMMU_ALLOC data; min length ends at {@code out_data}. */
    @KernelStruct(name = "iommu_viommu_selftest", size = 24, sized = false)
    public record IommuViommuSelftest(@At(offset = 0, bytes = 4) int inData, @At(offset = 4, bytes = 4) int outData,
            @At(offset = 8, bytes = 8) long outMmapOffset, @At(offset = 16, bytes = 8) long outMmapLength) {
    }

    /** {@code struct iommu_viommu_invalidate_selftest}: one IOMMU_HWPT_INVALIDATE entry on a vIOMMU. */
    @KernelStruct(name = "iommu_viommu_invalidate_selftest", size = 12, sized = false)
    public record IommuViommuInvalidateSelftest(@At(offset = 0, bytes = 4) int flags, @At(offset = 4, bytes = 4) int vdevId,
            @At(offset = 8, bytes = 4) int cacheId) {
    }

    /** {@code struct iommu_viommu_event_selftest}: the payload of a selftest vEVENT. */
    @KernelStruct(name = "iommu_viommu_event_selftest", size = 4, sized = false)
    public record IommuViommuEventSelftest(@At(offset = 0, bytes = 4) int virtId) {
    }
}
