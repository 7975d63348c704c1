package org.iommufd4j.uapi.selftest;

/** {@code enum} of IOMMU_TEST_OP_* (iommufd_test.h), numbered from 1 in the kernel's order. */
public final class IommuTestOp {
    private IommuTestOp() {
    }

    public static final int ADD_RESERVED = 1;
    public static final int MOCK_DOMAIN = 2;
    public static final int MD_CHECK_MAP = 3;
    public static final int MD_CHECK_REFS = 4;
    public static final int CREATE_ACCESS = 5;
    public static final int DESTROY_ACCESS_PAGES = 6;
    public static final int ACCESS_PAGES = 7;
    public static final int ACCESS_RW = 8;
    public static final int SET_TEMP_MEMORY_LIMIT = 9;
    public static final int MOCK_DOMAIN_REPLACE = 10;
    public static final int ACCESS_REPLACE_IOAS = 11;
    public static final int MOCK_DOMAIN_FLAGS = 12;
    public static final int DIRTY = 13;
    public static final int MD_CHECK_IOTLB = 14;
    public static final int TRIGGER_IOPF = 15;
    public static final int DEV_CHECK_CACHE = 16;
    public static final int TRIGGER_VEVENT = 17;
    public static final int PASID_ATTACH = 18;
    public static final int PASID_REPLACE = 19;
    public static final int PASID_DETACH = 20;
    public static final int PASID_CHECK_HWPT = 21;
    public static final int DMABUF_GET = 22;
    public static final int DMABUF_REVOKE = 23;
}
