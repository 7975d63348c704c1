package org.iommufd4j.selftest.kit;

/** The features a pending case waits for, with the issue that tracks each. */
public enum Awaits {
    IOAS_PAGETABLE("the IOAS io_pagetable: map, unmap, copy, IOVA ranges, allowed/reserved ranges (issue #3)"),
    VFIO_COMPAT("the VFIO type1 compatibility ioctls and IOMMU_VFIO_IOAS (issue #3)"),
    TEST_CMD("the mock driver's IOMMU_TEST_CMD operations (issue #4)"),
    DEVICES("mock devices and domains: bind, attach, replace, HWPT alloc (issue #4)"),
    NESTING("nested HWPTs, invalidation and fault queues (issue #4)"),
    DIRTY_TRACKING("dirty tracking: SET_DIRTY_TRACKING and GET_DIRTY_BITMAP (issue #4)"),
    VIOMMU("vIOMMU, vdevice, vEVENTQ and HW queue objects (issue #4)"),
    PASID("PASID attach, replace and detach (issue #4)"),
    DMA_BUF("dma-buf MAP_FILE and revocation (issue #4)");

    private final String feature;

    Awaits(String feature) {
        this.feature = feature;
    }

    /** The feature and its issue. */
    public String feature() {
        return feature;
    }

    /** The SKIP reason of a case waiting for it. */
    public String reason(String detail) {
        return "not ported yet: needs " + feature + (detail.isEmpty() ? "" : "; " + detail);
    }
}
