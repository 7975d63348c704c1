package org.iommufd4j.selftest;

import org.iommufd4j.selftest.kit.Awaits;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.Pending;

/**
 * FIXTURE(iommufd_mock_domain) of iommufd.c: maps checked entry by entry in one or two mock
 * domains, from anonymous memory, huge pages or a memfd.
 */
@Fixture(value = "iommufd_mock_domain", variants = IommufdMockDomainTest.Variant.class)
@MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN and IOMMU_TEST_OP_MD_CHECK_MAP")
@Pending(Awaits.DEVICES)
final class IommufdMockDomainTest {
    /** The FIXTURE_VARIANT_ADD entries (the kernel variant fields, mock_domains, hugepages and file, arrive with the port). */
    enum Variant {
        one_domain,
        two_domains,
        one_domain_hugepage,
        two_domains_hugepage,
        one_domain_file,
        one_domain_file_hugepage
    }

    // FIXTURE_SETUP: open, IOAS alloc, N mock domains (pending with devices, issue #4), the variant's buffer.

    /** A one-page map checked in the domain; EFAULT on unmapped buffers, EINVAL past EOF for files. */
    @KernelTest
    void basic() {
    }

    /** A read-only map of a MAP_PRIVATE file page keeps its PFN after a CPU write. */
    @KernelTest
    void ro_unshare() {
    }

    /** Every start/end alignment in MOCK_PAGE_SIZE steps, checked in the domain with pin refs. */
    @KernelTest
    void all_aligns() {
    }

    /** The same, adding and removing a second mock domain per map. */
    @KernelTest
    void all_aligns_copy() {
    }

    /** Pin through an access, COPY into the domain IOAS, ACCESS_REPLACE_IOAS. */
    @KernelTest
    void user_copy() {
    }

    /** MOCK_DOMAIN_REPLACE between an IOAS and HWPTs; the auto HWPT is freed. */
    @KernelTest
    void replace() {
    }

    /** HWPT_ALLOC flag validation, rotation with EBUSY, attach to an explicit HWPT. */
    @KernelTest
    void alloc_hwpt() {
    }
}
