package org.iommufd4j.selftest;

import org.iommufd4j.selftest.kit.Awaits;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.Pending;

/**
 * FIXTURE(vfio_compat_mock_domain) of iommufd.c: the VFIO type1 container API on an iommufd with
 * a mock domain.
 */
@Fixture(value = "vfio_compat_mock_domain", variants = VfioCompatMockDomainTest.Variant.class)
@MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN")
@Pending(Awaits.VFIO_COMPAT)
final class VfioCompatMockDomainTest {
    /** The FIXTURE_VARIANT_ADD entries (the kernel variant fields, version, arrive with the port). */
    enum Variant {
        /** VFIO_TYPE1v2_IOMMU */
        Ver1v2,
        /** VFIO_TYPE1_IOMMU */
        Ver1v0
    }

    // FIXTURE_SETUP: open, IOAS alloc, mock domain, IOMMU_VFIO_IOAS SET, VFIO_SET_IOMMU with the variant's version (pending, issue #3).

    /** The compat IOAS and SET_IOMMU set up, then close. */
    @KernelTest
    void simple_close() {
    }

    /** type1 (v0) sets HUGE_PAGES=0; v2 leaves it 1. */
    @KernelTest
    void option_huge_pages() {
    }

    /** VFIO_IOMMU_GET_INFO pre-cap ABI, capability chain sizes, no overrun at any argsz. */
    @KernelTest
    void get_info() {
    }

    /** VFIO MAP/UNMAP, UNMAP_FLAG_ALL rules, shuffled per-page unmaps. */
    @KernelTest
    void map() {
    }

    /** A huge-page map, then 16 shuffled partial unmaps (v0 allows, v2 ENOENT). */
    @KernelTest
    void huge_map() {
    }
}
