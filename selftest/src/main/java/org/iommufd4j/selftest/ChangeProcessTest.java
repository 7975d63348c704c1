package org.iommufd4j.selftest;

import org.iommufd4j.selftest.kit.Awaits;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.Pending;

/**
 * FIXTURE(change_process) of iommufd.c: IOMMU_IOAS_CHANGE_PROCESS moves pinned-page accounting to
 * another process. The setup drops CAP_IPC_LOCK, sets RLIMIT_MODE and adds a mock domain.
 */
@Fixture(value = "change_process", variants = ChangeProcessTest.Variant.class)
@MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN devices")
@Pending(Awaits.DEVICES)
final class ChangeProcessTest {
    /** FIXTURE_VARIANT_ADD entries; accounting mode. */
    enum Variant {
        /** IOPT_PAGES_ACCOUNT_NONE */
        account_none,
        /** IOPT_PAGES_ACCOUNT_USER */
        account_user,
        /** IOPT_PAGES_ACCOUNT_MM */
        account_mm
    }

    // FIXTURE_SETUP: open, RLIMIT_MODE per variant, IOAS alloc, test_cmd_mock_domain (pending with devices, issue #4).

    /** EINVAL while a plain MAP exists; works with MAP_FILE maps; a forked child takes over VmPin/VmLck. */
    @KernelTest
    void basic() {
    }
}
