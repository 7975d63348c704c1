package org.iommufd4j.selftest;

import org.iommufd4j.selftest.kit.Awaits;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.Pending;

/**
 * FIXTURE(iommufd_device_pasid) of iommufd.c: the PASID attach, replace and detach rules on a
 * mock device.
 */
@Fixture(value = "iommufd_device_pasid", variants = IommufdDevicePasidTest.Variant.class)
@MockOnly("MOCK_FLAGS_DEVICE_PASID mock devices")
@Pending(Awaits.PASID)
final class IommufdDevicePasidTest {
    /** The FIXTURE_VARIANT_ADD entries (the kernel variant fields, pasid_capable, arrive with the port). */
    enum Variant {
        no_pasid,
        has_pasid
    }

    // FIXTURE_SETUP: open, IOAS alloc, a PASID-capable mock device and, per variant, one without PASID (pending, issue #4).

    /** RID domain must be PASID-capable; no overwrite (EBUSY); replace needs an attach; rollback; IOPF on a PASID. */
    @KernelTest
    void pasid_attach() {
    }
}
