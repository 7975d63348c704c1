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
import org.iommufd4j.selftest.kit.IommufdUtils;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.Pending;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwInfoType;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuIoasCopy;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.uapi.selftest.SelftestUapi;
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
    void device() {
        // The mock plugin adds IOMMU_TEST_CMD when it is loaded; its own frames are the machine's.
        machine.driverUnderTest();
        byte[] data = IommufdUtils.selftestData(SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT, 0);
        sweep(pass -> {
            IommufdUtils t = new IommufdUtils(pass.machine().process(), pass.ctx());
            int ioasId = t.ioasAlloc();
            int ioasId2 = t.ioasAlloc();
            long iova = IommufdUtils.MOCK_APERTURE_START;
            // The C body's stack (info, data) is a scratch page here, unmapped when the pass ends.
            SimProcess process = pass.machine().process();
            long scratch = process.mmapAnonymous(IommufdUtils.PAGE_SIZE, false);
            try {
                deviceBody(pass, t, ioasId, ioasId2, iova, scratch, data);
            } finally {
                process.munmap(scratch, IommufdUtils.PAGE_SIZE);
            }
        });
    }

    private static void deviceBody(FailNthSweep.Pass pass, IommufdUtils t, int ioasId, int ioasId2, long iova, long scratch,
            byte[] data) {
        long buffer = pass.machine().buffer();
        long info = scratch;
        long dataUptr = scratch + 64;
        pass.machine().process().write(dataUptr, data, 0, data.length);
        ok(t.ioasMapFixed(ioasId, buffer, IommufdUtils.PAGE_SIZE, iova), "IOAS_MAP");
        ok(t.ioasMapFixed(ioasId2, buffer, IommufdUtils.PAGE_SIZE, iova), "IOAS_MAP");

        pass.failNthEnable();

        int[] ids = new int[3];
        ok(t.mockDomainErr(ioasId, SelftestUapi.MOCK_FLAGS_DEVICE_PASID, ids), "MOCK_DOMAIN_FLAGS");
        int stdevId = ids[0];
        int idevId = ids[2];
        ok(t.getHwInfo(idevId, IommuHwInfoType.DEFAULT, false, info, 8, null), "GET_HW_INFO");
        int[] id = new int[1];
        ok(t.hwptAlloc(idevId, ioasId, IommuHwptAllocFlags.PASID, 0, null, id), "HWPT_ALLOC");
        int hwptId = id[0];
        ok(t.mockDomainReplace(stdevId, ioasId2, null), "MOCK_DOMAIN_REPLACE");
        ok(t.mockDomainReplace(stdevId, hwptId, null), "MOCK_DOMAIN_REPLACE");
        ok(t.hwptAlloc(idevId, ioasId, IommuHwptAllocFlags.NEST_PARENT | IommuHwptAllocFlags.PASID, 0, null, id), "HWPT_ALLOC");
        hwptId = id[0];
        ok(t.viommuAlloc(idevId, hwptId, SelftestUapi.IOMMU_VIOMMU_TYPE_SELFTEST, null, id, null), "VIOMMU_ALLOC");
        int viommuId = id[0];
        ok(t.vdeviceAlloc(viommuId, idevId, 0, id), "VDEVICE_ALLOC");
        ok(t.hwQueueAlloc(viommuId, SelftestUapi.IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova, IommufdUtils.PAGE_SIZE, id),
                "HW_QUEUE_ALLOC");
        int[] fault = new int[2];
        ok(t.faultAlloc(fault), "FAULT_QUEUE_ALLOC");
        pass.machine().process().close(fault[1]);
        ok(t.hwptAllocIopf(idevId, hwptId, fault[0], IommuHwptAllocFlags.FAULT_ID_VALID,
                SelftestUapi.IOMMU_HWPT_DATA_SELFTEST, dataUptr, data.length, id), "HWPT_ALLOC (fault)");
        int[] veventq = new int[2];
        ok(t.veventqAlloc(viommuId, SelftestUapi.IOMMU_VEVENTQ_TYPE_SELFTEST, 2, veventq), "VEVENTQ_ALLOC");
        pass.machine().process().close(veventq[1]);
        ok(t.hwptAlloc(idevId, ioasId, IommuHwptAllocFlags.PASID, 0, null, id), "HWPT_ALLOC");
        int testHwptId = id[0];

        // Tests for pasid attach/replace/detach (the teardown's detach of self->pasid is the
        // context close, which unbinds the device and so detaches every PASID)
        int pasid = 200;
        ok(t.pasidOp(IommuTestOp.PASID_ATTACH, stdevId, pasid, hwptId), "PASID_ATTACH");
        ok(t.pasidOp(IommuTestOp.PASID_REPLACE, stdevId, pasid, testHwptId), "PASID_REPLACE");
        ok(t.pasidOp(IommuTestOp.PASID_DETACH, stdevId, pasid, 0), "PASID_DETACH");
    }

    /** A body's {@code if (ioctl(...)) return -1;}: a non-zero errno ends the pass. */
    private static void ok(int errno, String what) {
        if (errno != 0) {
            throw new IommufdException(Errno.of(errno), what + " failed with errno " + errno);
        }
    }
}
