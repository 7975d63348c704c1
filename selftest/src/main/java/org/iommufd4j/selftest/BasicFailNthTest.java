package org.iommufd4j.selftest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.ioas.IoasCalls;
import org.iommufd4j.ioas.IovaRange;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.selftest.kit.Awaits;
import org.iommufd4j.selftest.kit.FailNthSweep;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.Pending;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.IommuIoasCopy;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * FIXTURE(basic_fail_nth) of tools/testing/selftests/iommu/iommufd_fail_nth.c: each test is a
 * {@code TEST_FAIL_NTH} sweep ({@link FailNthSweep}) that fails every injection point its body
 * reaches, one pass per point, and checks that nothing leaks and the file stays usable.
 *
 * <p>Each body is written where {@code // port:} stands once the ioctls it drives land; until
 * then the sweep is declared but the case is pending. A sweep whose body never calls
 * {@code failNthEnable()} fails, so an unported body cannot pass by accident.
 */
@Fixture("basic_fail_nth")
final class BasicFailNthTest {
    private SelftestMachine machine;

    @BeforeEach
    void setup(SelftestMachine machine) {
        this.machine = machine;
    }

    @AfterEach
    void teardown() {
        machine.close();
    }

    private void sweep(FailNthSweep.Body body) {
        FailNthSweep.Result result = FailNthSweep.run(machine, body);
        // Not in the kernel, which cannot tell: a sweep that injected nothing tested nothing.
        assertTrue(result.injectedPasses() > 0, "no injection point was reached: " + result);
    }

    /** open, IOAS alloc, IOVA_RANGES, ALLOW_IOVAS, MAP, COPY, UNMAP (and a failing unmap): ioas.c. */
    @KernelTest
    void basic() {
        long bufferSize = SelftestMachine.BUFFER_SIZE;
        sweep(pass -> {
            IommufdContext ctx = pass.ctx();
            SimProcess process = pass.machine().process();
            pass.failNthEnable();
            int ioasId = ctx.ioasAlloc();
            IoasCalls.iovaRanges(ctx, process, ioasId, 10);
            IoasCalls.allowIovas(ctx, process, ioasId, List.of(new IovaRange(16 * 1024, bufferSize + 16 * 1024 * 600 - 1)));
            long iova = IoasCalls.map(ctx, ioasId, pass.machine().buffer(), bufferSize);
            // sizeof(ranges): ten struct iommu_iova_range
            ctx.call(new IommuIoasCopy(IoasCalls.RW, ioasId, ioasId, 10 * 16, 0, iova));
            IoasCalls.unmap(ctx, ioasId, iova, bufferSize);
            try {
                // Failure path of no IOVA to unmap
                IoasCalls.unmap(ctx, ioasId, iova, bufferSize);
            } catch (IommufdException expected) {
                // the kernel ignores this one's result too
            }
        });
    }

    /** A mock domain, a 256 KiB map, destroy and re-add the domain: iopt_area_fill_domain. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN")
    @Pending(Awaits.DEVICES)
    void map_domain() {
        sweep(pass -> {
            // port: iommufd_fail_nth.c map_domain
        });
    }

    /** map_domain with MAP_FILE of a memfd. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN")
    @Pending(Awaits.DEVICES)
    void map_file_domain() {
        sweep(pass -> {
            // port: iommufd_fail_nth.c map_file_domain
        });
    }

    /** Two mock domains, map, destroy both, re-add both: iopt_area_fill_domains. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN")
    @Pending(Awaits.DEVICES)
    void map_two_domains() {
        sweep(pass -> {
            // port: iommufd_fail_nth.c map_two_domains
        });
    }

    /** ACCESS_RW read, write, slow path and a 32 KiB slow-path transfer. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_TEST_OP_ACCESS_RW")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_CREATE_ACCESS and its ACCESS_PAGES/ACCESS_RW")
    void access_rw() {
        sweep(pass -> {
            // port: iommufd_fail_nth.c access_rw
        });
    }

    /** ACCESS_PAGES pin and unpin without a domain. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_TEST_OP_ACCESS_PAGES")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_CREATE_ACCESS and its ACCESS_PAGES/ACCESS_RW")
    void access_pin() {
        sweep(pass -> {
            // port: iommufd_fail_nth.c access_pin
        });
    }

    /** ACCESS_PAGES pin and unpin with a domain: iopt_pages_fill_xarray. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_TEST_OP_MOCK_DOMAIN")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_CREATE_ACCESS and its ACCESS_PAGES/ACCESS_RW")
    void access_pin_domain() {
        sweep(pass -> {
            // port: iommufd_fail_nth.c access_pin_domain
        });
    }

    /** MOCK_DOMAIN_FLAGS(PASID), GET_HW_INFO, HWPT_ALLOC, replace, vIOMMU, vdevice, HW queue, fault, vEVENTQ, PASID. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS and the selftest vIOMMU")
    @Pending(Awaits.VIOMMU)
    void device() {
        sweep(pass -> {
            // port: iommufd_fail_nth.c device
        });
    }
}
