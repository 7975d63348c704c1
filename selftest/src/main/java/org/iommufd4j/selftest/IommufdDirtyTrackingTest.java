package org.iommufd4j.selftest;

import org.iommufd4j.selftest.kit.Awaits;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.Pending;

/**
 * FIXTURE(iommufd_dirty_tracking) of iommufd.c: dirty tracking on mock domains over buffers of 8
 * KiB to 128 MiB, with and without huge pages.
 */
@Fixture(value = "iommufd_dirty_tracking", variants = IommufdDirtyTrackingTest.Variant.class)
@MockOnly("IOMMU_TEST_OP_DIRTY and mock devices")
@Pending(Awaits.DIRTY_TRACKING)
final class IommufdDirtyTrackingTest {
    /** The FIXTURE_VARIANT_ADD entries (the kernel variant fields, buffer_size and hugepages, arrive with the port). */
    enum Variant {
        domain_dirty8k,
        domain_dirty16k,
        domain_dirty64k,
        domain_dirty128k,
        domain_dirty320k,
        domain_dirty64M,
        domain_dirty64M_huge,
        domain_dirty128M,
        domain_dirty128M_huge
    }

    // FIXTURE_SETUP: buffer of the variant's size, HUGE_PAGES=0 unless huge, a DIRTY mock domain (pending, issue #4).

    /** A DIRTY HWPT refuses a NO_DIRTY device (EINVAL); a NO_DIRTY device cannot alloc DIRTY (EOPNOTSUPP). */
    @KernelTest
    void enforce_dirty() {
    }

    /** Enable and disable tracking on a DIRTY HWPT. */
    @KernelTest
    void set_dirty_tracking() {
    }

    /** Tracking toggled on a PASID|DIRTY HWPT attached on a PASID. */
    @KernelTest
    void pasid_set_dirty_tracking() {
    }

    /** GET_HW_INFO reports IOMMU_HW_CAP_DIRTY_TRACKING. */
    @KernelTest
    void device_dirty_capability() {
    }

    /** Every other PTE dirtied, read back with GET_DIRTY_BITMAP (aligned and unaligned bitmaps), then cleared. */
    @KernelTest
    void get_dirty_bitmap() {
    }

    /** The same with NO_CLEAR: the bits persist. */
    @KernelTest
    void get_dirty_bitmap_no_clear() {
    }
}
