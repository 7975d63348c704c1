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

    /** iommufd_fail_nth.c's BUFFER_SIZE: its buffer and mfd_buffer are 2 MiB (not iommufd.c's 16 pages). */
    private static final long FAIL_NTH_BUFFER_SIZE = 2L << 20;
    /** The length the map_* sweeps map. */
    private static final long MAP_LENGTH = 262144;

    /**
     * iommufd_fail_nth.c's setup_buffer: {@code buffer}, 2 MiB of shared anonymous memory, and a
     * 2 MiB memfd ({@code mfd}, whose mapping is {@code mfd_buffer}); {@code [buffer, mfd]}. Every
     * page is touched now so that the sweep's passes do not count the buffers' frames as theirs.
     * Also loads the driver under test, whose IOMMU_TEST_CMD the map_* sweeps drive.
     */
    private long[] failNthBuffers() {
        machine.driverUnderTest();
        SimProcess process = machine.process();
        int rw = SimProcess.PROT_READ | SimProcess.PROT_WRITE;
        long buffer = process.mmap(0, FAIL_NTH_BUFFER_SIZE, rw, SimProcess.MAP_SHARED | SimProcess.MAP_ANONYMOUS, -1, 0);
        int mfd = process.memfdCreate("fail_nth_mfd");
        process.file(mfd).truncate(FAIL_NTH_BUFFER_SIZE);
        long mfdBuffer = process.mmap(0, FAIL_NTH_BUFFER_SIZE, rw, SimProcess.MAP_SHARED, mfd, 0);
        byte[] zero = new byte[1];
        for (long off = 0; off < FAIL_NTH_BUFFER_SIZE; off += SelftestMachine.PAGE_SIZE) {
            process.write(buffer + off, zero, 0, 1);
            process.write(mfdBuffer + off, zero, 0, 1);
        }
        return new long[] {buffer, mfd};
    }

    /** A failed ioctl ends the pass as the kernel body's {@code return -1} does. */
    private static void check(int errno, String what) {
        if (errno != 0) {
            Errno e = Errno.of(errno);
            throw new IommufdException(e == null ? Errno.EINVAL : e, what + " failed with errno " + errno);
        }
    }

    /** A mock domain, a 256 KiB map, destroy and re-add the domain: iopt_area_fill_domain. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN")
    void map_domain() {
        long buffer = failNthBuffers()[0];
        sweep(pass -> {
            IommufdContext ctx = pass.ctx();
            IommufdUtils t = new IommufdUtils(pass.machine().process(), ctx);
            int ioasId = ctx.ioasAlloc();
            check(t.setTempMemoryLimit(32), "SET_TEMP_MEMORY_LIMIT");

            pass.failNthEnable();

            int[] ids = new int[3];
            check(t.mockDomainOp(ioasId, ids), "MOCK_DOMAIN");
            IoasCalls.map(ctx, ioasId, buffer, MAP_LENGTH);
            ctx.destroy(ids[0]);
            check(t.mockDomainOp(ioasId, ids), "MOCK_DOMAIN again");
        });
    }

    /** map_domain with MAP_FILE of a memfd. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN")
    void map_file_domain() {
        int mfd = (int) failNthBuffers()[1];
        sweep(pass -> {
            IommufdContext ctx = pass.ctx();
            IommufdUtils t = new IommufdUtils(pass.machine().process(), ctx);
            int ioasId = ctx.ioasAlloc();
            check(t.setTempMemoryLimit(32), "SET_TEMP_MEMORY_LIMIT");

            pass.failNthEnable();

            int[] ids = new int[3];
            check(t.mockDomainOp(ioasId, ids), "MOCK_DOMAIN");
            IoasCalls.mapFile(ctx, ioasId, mfd, 0, MAP_LENGTH);
            ctx.destroy(ids[0]);
            check(t.mockDomainOp(ioasId, ids), "MOCK_DOMAIN again");
        });
    }

    /** Two mock domains, map, destroy both, re-add both: iopt_area_fill_domains. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN")
    void map_two_domains() {
        long buffer = failNthBuffers()[0];
        sweep(pass -> {
            IommufdContext ctx = pass.ctx();
            IommufdUtils t = new IommufdUtils(pass.machine().process(), ctx);
            int ioasId = ctx.ioasAlloc();
            check(t.setTempMemoryLimit(32), "SET_TEMP_MEMORY_LIMIT");
            int[] ids = new int[3];
            check(t.mockDomainOp(ioasId, ids), "MOCK_DOMAIN");

            pass.failNthEnable();

            int[] ids2 = new int[3];
            check(t.mockDomainOp(ioasId, ids2), "second MOCK_DOMAIN");
            IoasCalls.map(ctx, ioasId, buffer, MAP_LENGTH);
            ctx.destroy(ids[0]);
            ctx.destroy(ids2[0]);
            check(t.mockDomainOp(ioasId, ids), "MOCK_DOMAIN again");
            check(t.mockDomainOp(ioasId, ids2), "second MOCK_DOMAIN again");
        });
    }

    /**
     * The fixture's {@code self->access_id}: FIXTURE_TEARDOWN(basic_fail_nth) closes it ("the
     * access FD holds the iommufd open until it closes") before teardown_iommufd. A body calls
     * {@link #teardownAccess} in its finally, where the kernel's teardown would run.
     */
    private int accessId;

    private void teardownAccess(IommufdUtils u) {
        if (accessId != 0) {
            u.destroyAccess(accessId);
            accessId = 0;
        }
    }

    /** The C tests' {@code return -1} on a failed ioctl: the pass ends there. */
    private static void ok(int rc, String what) {
        if (rc != 0) {
            throw new IommufdException(Errno.of(rc), what + " failed");
        }
    }

    /** ACCESS_RW read, write, slow path and a 32 KiB slow-path transfer. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_TEST_OP_ACCESS_RW")
    void access_rw() {
        machine.driverUnderTest();
        sweep(pass -> {
            IommufdUtils u = new IommufdUtils(pass.machine().process(), pass.ctx());
            SimProcess process = pass.machine().process();
            // uint16_t tmp[32] and uint64_t tmp_big[4096] on the C test's stack
            long tmp = process.mmapAnonymous(SelftestMachine.PAGE_SIZE, false);
            long tmpBig = process.mmapAnonymous(8 * 4096, false);
            try {
                int ioasId = u.ioasAlloc();
                ok(u.setTempMemoryLimit(32), "SET_TEMP_MEMORY_LIMIT");
                long iova = IoasCalls.map(pass.ctx(), ioasId, pass.machine().buffer(), 262144);

                pass.failNthEnable();

                int[] fd = new int[1];
                ok(u.createAccessErr(ioasId, 0, fd), "CREATE_ACCESS");
                accessId = fd[0];
                // READ
                ok(u.accessRw(accessId, iova, 64, tmp, 0), "ACCESS_RW read");
                ok(u.accessRw(accessId, iova, 64, tmp, SelftestUapi.MOCK_ACCESS_RW_WRITE), "ACCESS_RW write");
                ok(u.accessRw(accessId, iova, 64, tmp, SelftestUapi.MOCK_ACCESS_RW_SLOW_PATH), "ACCESS_RW slow read");
                ok(u.accessRw(accessId, iova, 64, tmp, SelftestUapi.MOCK_ACCESS_RW_SLOW_PATH | SelftestUapi.MOCK_ACCESS_RW_WRITE),
                        "ACCESS_RW slow write");
                ok(u.accessRw(accessId, iova, 8 * 4096, tmpBig, SelftestUapi.MOCK_ACCESS_RW_SLOW_PATH), "ACCESS_RW 32 KiB");
                ok(u.destroyAccessErr(accessId), "close(access fd)");
                accessId = 0;
            } finally {
                teardownAccess(u);
                process.munmap(tmpBig, 8 * 4096);
                process.munmap(tmp, SelftestMachine.PAGE_SIZE);
            }
        });
    }

    /** ACCESS_PAGES pin and unpin without a domain (pages.c access functions). */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_TEST_OP_ACCESS_PAGES")
    void access_pin() {
        machine.driverUnderTest();
        sweep(pass -> accessPinBody(pass, false));
    }

    /** ACCESS_PAGES pin and unpin with a domain: iopt_pages_fill_xarray. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_TEST_OP_MOCK_DOMAIN")
    void access_pin_domain() {
        machine.driverUnderTest();
        sweep(pass -> accessPinBody(pass, true));
    }

    /** access_pin and access_pin_domain differ only by the mock domain made before the map. */
    private void accessPinBody(FailNthSweep.Pass pass, boolean withDomain) {
        IommufdUtils u = new IommufdUtils(pass.machine().process(), pass.ctx());
        long buffer = pass.machine().buffer();
        try {
            int ioasId = u.ioasAlloc();
            ok(u.setTempMemoryLimit(32), "SET_TEMP_MEMORY_LIMIT");
            int stdevId = 0;
            if (withDomain) {
                int[] ids = new int[3];
                ok(u.mockDomainErr(ioasId, 0, ids), "MOCK_DOMAIN");
                stdevId = ids[0];
            }
            long iova = IoasCalls.map(pass.ctx(), ioasId, buffer, SelftestMachine.BUFFER_SIZE);
            int[] fd = new int[1];
            ok(u.createAccessErr(ioasId, SelftestUapi.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES, fd), "CREATE_ACCESS");
            accessId = fd[0];

            pass.failNthEnable();

            int[] pagesId = new int[1];
            ok(u.accessPages(accessId, iova, SelftestMachine.BUFFER_SIZE, buffer, 0, pagesId), "ACCESS_PAGES");
            ok(u.destroyAccessPages(accessId, pagesId[0]), "DESTROY_ACCESS_PAGES");
            ok(u.destroyAccessErr(accessId), "close(access fd)");
            accessId = 0;
            if (withDomain) {
                ok(u.destroy(stdevId), "IOMMU_DESTROY of the mock device");
            }
        } finally {
            teardownAccess(u);
        }
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
}
