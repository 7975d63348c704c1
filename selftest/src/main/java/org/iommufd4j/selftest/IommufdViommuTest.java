package org.iommufd4j.selftest;

import org.iommufd4j.selftest.kit.Awaits;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.Pending;

/**
 * FIXTURE(iommufd_viommu) of iommufd.c: vIOMMU, vdevice, vEVENTQ and HW queue objects on a mock
 * device.
 */
@Fixture(value = "iommufd_viommu", variants = IommufdViommuTest.Variant.class)
@MockOnly("IOMMU_VIOMMU_TYPE_SELFTEST and mock devices")
@Pending(Awaits.VIOMMU)
final class IommufdViommuTest {
    /** The FIXTURE_VARIANT_ADD entries (the kernel variant fields, viommu, arrive with the port). */
    enum Variant {
        no_viommu,
        mock_viommu
    }

    // FIXTURE_SETUP: open, IOAS alloc, mock domain, a nest-parent HWPT and, per variant, a selftest vIOMMU (pending, issue #4).

    /** A vIOMMU and a nested HWPT are freed on close. */
    @KernelTest
    void viommu_auto_destroy() {
    }

    /** HWPT 0 is ENOENT; not a nest parent is EINVAL; bad type EOPNOTSUPP; EBUSY dependencies. */
    @KernelTest
    void viommu_negative_tests() {
    }

    /** A fault HWPT on a vIOMMU; attach needs a vdevice; IOPF round trip. */
    @KernelTest
    void viommu_alloc_nested_iopf() {
    }

    /** In/out data loopback and the vIOMMU's mmap (ENXIO on a wrong offset or length). */
    @KernelTest
    void viommu_alloc_with_data() {
    }

    /** vEVENTQ and vdevice alloc with duplicates (EEXIST), vEVENTs read, overflow lost events. */
    @KernelTest
    void vdevice_alloc() {
    }

    /** vIOMMU invalidate negatives, partial success counts, FLAG_ALL. */
    @KernelTest
    void vdevice_cache() {
    }

    /** HW_QUEUE_ALLOC errno matrix, pinned unmap EBUSY, descending destroy. */
    @KernelTest
    void hw_queue() {
    }

    /** Destroying the device first makes the vdevice destroy ENOENT. */
    @KernelTest
    void vdevice_tombstone() {
    }
}
