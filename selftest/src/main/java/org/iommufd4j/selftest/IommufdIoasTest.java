package org.iommufd4j.selftest;

import static org.iommufd4j.selftest.kit.IommufdUtils.errno;
import static org.iommufd4j.selftest.kit.KernelAssertions.expectErrno;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.ioas.IoasCalls;
import org.iommufd4j.ioas.IovaRange;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.IommufdUtils;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuDestroy;
import org.iommufd4j.uapi.IommuHwInfo;
import org.iommufd4j.uapi.IommuHwInfoType;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuHwptDataType;
import org.iommufd4j.uapi.IommuIoasAllowIovas;
import org.iommufd4j.uapi.IommuIoasCopy;
import org.iommufd4j.uapi.IommuIoasIovaRanges;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommuOption;
import org.iommufd4j.uapi.IommuOptionId;
import org.iommufd4j.uapi.IommuOptionOps;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.CheckIotlb;
import org.iommufd4j.uapi.selftest.SelftestUapi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * FIXTURE(iommufd_ioas) of iommufd.c: an IOAS, with zero, one or two mock domains attached
 * through mock devices, and a temporary memory limit in one variant.
 */
@Fixture(value = "iommufd_ioas", variants = IommufdIoasTest.Variant.class)
final class IommufdIoasTest {
    /** The FIXTURE_VARIANT_ADD entries. */
    enum Variant {
        no_domain(0, 0, false),
        /** One mock domain, and a second PASID-capable device. */
        @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN devices")
        mock_domain(1, 0, true),
        @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN devices")
        two_mock_domain(2, 0, false),
        /** One mock domain with IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT 16. */
        @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN devices and IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT")
        mock_domain_limit(1, 16, false);

        final int mockDomains;
        final int memoryLimit;
        final boolean pasidCapable;

        Variant(int mockDomains, int memoryLimit, boolean pasidCapable) {
            this.mockDomains = mockDomains;
            this.memoryLimit = memoryLimit;
            this.pasidCapable = pasidCapable;
        }
    }

    /**
     * The mock's constants (iommufd_test.h), used by the no_domain cases too as plain IOVAs and
     * offsets: there they need no mock driver.
     */
    static final long MOCK_APERTURE_START = SelftestUapi.MOCK_APERTURE_START;
    static final long MOCK_APERTURE_LAST = SelftestUapi.MOCK_APERTURE_LAST;
    static final long MOCK_PAGE_SIZE = SelftestUapi.MOCK_PAGE_SIZE;
    /** iommufd.c HUGEPAGE_SIZE: the THP size the simulator aligns large mappings to. */
    static final long HUGEPAGE_SIZE = 2L << 20;
    static final long PAGE_SIZE = SelftestMachine.PAGE_SIZE;
    static final long BUFFER_SIZE = SelftestMachine.BUFFER_SIZE;

    private SelftestMachine machine;
    private IommufdUtils u;
    private Variant variant;
    private int ioasId;
    /** {@code self->base_iova}: 0 without a domain, MOCK_APERTURE_START with one. */
    private long baseIova;
    /** {@code self->stdev_id}, {@code hwpt_id}, {@code device_id} of the last mock domain; 0 without one. */
    private int stdevId;
    private int hwptId;
    private int deviceId;
    /** {@code self->device_pasid_id}: the PASID-capable device of the mock_domain variant. */
    private int devicePasidId;

    @BeforeEach
    void setup(SelftestMachine machine, Variant variant) {
        this.machine = machine;
        this.variant = variant;
        // Loads the driver plugins: the mock registers IOMMU_TEST_CMD when it loads.
        machine.driverUnderTest();
        u = new IommufdUtils(machine);
        ioasId = u.ioasAlloc();
        if (variant.memoryLimit == 0) {
            // test_ioctl_set_default_memory_limit: only the mock answers it; a fresh machine has the default anyway.
            if (variant.mockDomains != 0) {
                u.setDefaultMemoryLimit();
            }
        } else {
            assertEquals(0, u.setTempMemoryLimit(variant.memoryLimit), "SET_TEMP_MEMORY_LIMIT");
        }
        for (int i = 0; i != variant.mockDomains; i++) {
            int[] ids = u.mockDomain(ioasId, 0);
            stdevId = ids[0];
            hwptId = ids[1];
            deviceId = ids[2];
            // test_cmd_dev_check_cache_all(device_id, IOMMU_TEST_DEV_CACHE_DEFAULT)
            for (int cacheId = 0; cacheId < SelftestUapi.MOCK_DEV_CACHE_NUM; cacheId++) {
                assertEquals(0, u.devCheckCache(deviceId, cacheId, SelftestUapi.IOMMU_TEST_DEV_CACHE_DEFAULT),
                        "dev_check_cache " + cacheId);
            }
            baseIova = MOCK_APERTURE_START;
        }
        if (variant.pasidCapable) {
            devicePasidId = u.mockDomain(ioasId, SelftestUapi.MOCK_FLAGS_DEVICE_PASID)[2];
        }
    }

    private IommufdContext ctx() {
        return machine.ctx();
    }

    private SimProcess process() {
        return machine.process();
    }

    @AfterEach
    void teardown() {
        // test_ioctl_set_default_memory_limit is machine state that dies with the machine.
        // teardown_iommufd: close, then nothing may be left (objects, pins, page frames).
        machine.close();
    }

    /** Closing the file frees the IOAS (and the mock devices): the teardown's leak check is the test. */
    @KernelTest
    void ioas_auto_destroy() {
        assertTrue(ctx().objects().size() >= 1, "setup's IOAS");
    }

    @KernelTest
    void ioas_destroy() {
        if (stdevId != 0) {
            // IOAS cannot be freed while a device has a HWPT using it
            assertEquals(errno(Errno.EBUSY), u.destroy(ioasId));
        } else {
            // Can allocate and manually free an IOAS table
            ctx().call(new IommuDestroy(ioasId));
            assertEquals(0, ctx().objects().size());
        }
    }

    /**
     * Parent and nested HWPT allocation, the negative cases, IOTLB invalidation and the teardown
     * order, with an iopf-capable nested HWPT on a fault queue.
     */
    @KernelTest
    @MockOnly("IOMMU_HWPT_DATA_SELFTEST and IOMMU_TEST_OP_MD_CHECK_IOTLB")
    void alloc_hwpt_nested() {
        byte[] data = IommufdUtils.selftestData(SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT, 0);
        int sel = SelftestUapi.IOMMU_HWPT_DATA_SELFTEST;
        int[] id = new int[1];
        if (deviceId == 0) {
            assertEquals(errno(Errno.ENOENT), u.hwptAlloc(deviceId, ioasId, 0, 0, null, id));
            assertEquals(errno(Errno.ENOENT), u.hwptAlloc(deviceId, 0, 0, sel, data, id));
            assertEquals(errno(Errno.ENOENT), u.hwptAlloc(deviceId, 0, 0, sel, data, id));
            assertEquals(errno(Errno.ENOENT), u.mockDomainReplace(stdevId, 0, null));
            assertEquals(errno(Errno.ENOENT), u.mockDomainReplace(stdevId, 0, null));
            return;
        }
        // Negative tests
        assertEquals(errno(Errno.ENOENT), u.hwptAlloc(ioasId, deviceId, 0, 0, null, id));
        assertEquals(errno(Errno.EINVAL), u.hwptAlloc(deviceId, deviceId, 0, 0, null, id));
        assertEquals(errno(Errno.EOPNOTSUPP), u.hwptAlloc(deviceId, ioasId,
                IommuHwptAllocFlags.NEST_PARENT | IommuHwptAllocFlags.FAULT_ID_VALID, 0, null, id));
        int parent = u.hwptAlloc(deviceId, ioasId, IommuHwptAllocFlags.NEST_PARENT);
        int parentNotWork = u.hwptAlloc(deviceId, ioasId, 0);

        // Negative nested tests
        assertEquals(errno(Errno.EINVAL), u.hwptAlloc(deviceId, parent, 0, IommuHwptDataType.NONE, data, id));
        assertEquals(errno(Errno.EOPNOTSUPP), u.hwptAlloc(deviceId, parent, 0, sel + 1, data, id));
        // min_data_len - 1: offsetofend(struct iommu_hwpt_selftest, iotlb) is 4
        assertEquals(errno(Errno.EINVAL), u.hwptAlloc(deviceId, parent, 0, sel, Arrays.copyOf(data, 3), id));
        assertEquals(errno(Errno.EFAULT), u.hwptAlloc(deviceId, parent, 0, sel, 0, data.length, id));
        assertEquals(errno(Errno.EOPNOTSUPP), u.hwptAlloc(deviceId, parent, IommuHwptAllocFlags.NEST_PARENT, sel, data, id));
        assertEquals(errno(Errno.EINVAL), u.hwptAlloc(deviceId, parentNotWork, 0, sel, data, id));

        // Allocate two nested hwpts sharing one common parent hwpt
        int[] fault = new int[2];
        assertEquals(0, u.faultAlloc(fault));
        int faultId = fault[0];
        int faultFd = fault[1];
        int[] nested = new int[2];
        for (int i = 0; i < 2; i++) {
            assertEquals(0, u.hwptAlloc(deviceId, parent, 0, sel, data, id));
            nested[i] = id[0];
        }
        int[] iopfHwpt = new int[1];
        assertEquals(errno(Errno.ENOENT), u.hwptAllocIopf(deviceId, parent, -1 /* UINT32_MAX */,
                IommuHwptAllocFlags.FAULT_ID_VALID, sel, data, iopfHwpt));
        assertEquals(0, u.hwptAllocIopf(deviceId, parent, faultId, IommuHwptAllocFlags.FAULT_ID_VALID, sel, data, iopfHwpt));
        checkIotlbAll(nested[0], SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);
        checkIotlbAll(nested[1], SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);

        // Negative test: a nested hwpt on top of a nested hwpt
        assertEquals(errno(Errno.EINVAL), u.hwptAlloc(deviceId, nested[0], 0, sel, data, id));
        // Negative test: parent hwpt now cannot be freed
        assertEquals(errno(Errno.EBUSY), u.destroy(parent));

        long reqs = process().mmapAnonymous(PAGE_SIZE, false);
        int entry = 8;
        int inv = SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST;
        int[] num = {1};
        // hwpt_invalidate does not support a parent hwpt (EINVAL since invalidation also takes a vIOMMU)
        assertEquals(errno(Errno.EINVAL), u.hwptInvalidate(parent, reqs, inv, entry, num));
        assertEquals(0, num[0]);
        // Check data_type by passing zero-length array
        num[0] = 0;
        assertEquals(0, u.hwptInvalidate(nested[0], reqs, inv, entry, num));
        assertEquals(0, num[0]);
        // Negative test: Invalid data_type
        num[0] = 1;
        assertEquals(errno(Errno.EINVAL), u.hwptInvalidate(nested[0], reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID, entry, num));
        assertEquals(0, num[0]);
        // Negative test: structure size sanity
        num[0] = 1;
        assertEquals(errno(Errno.EINVAL), u.hwptInvalidate(nested[0], reqs, inv, entry + 1, num));
        assertEquals(0, num[0]);
        num[0] = 1;
        assertEquals(errno(Errno.EINVAL), u.hwptInvalidate(nested[0], reqs, inv, 1, num));
        assertEquals(0, num[0]);
        // Negative test: invalid flag is passed
        writeInv(reqs, 0, 0xffffffff, 0);
        num[0] = 1;
        assertEquals(errno(Errno.EOPNOTSUPP), u.hwptInvalidate(nested[0], reqs, inv, entry, num));
        assertEquals(0, num[0]);
        // Negative test: invalid data_uptr when array is not empty
        writeInv(reqs, 0, 0, 0);
        num[0] = 1;
        assertEquals(errno(Errno.EINVAL), u.hwptInvalidate(nested[0], 0, inv, entry, num));
        assertEquals(0, num[0]);
        // Negative test: invalid entry_len when array is not empty
        num[0] = 1;
        assertEquals(errno(Errno.EINVAL), u.hwptInvalidate(nested[0], reqs, inv, 0, num));
        assertEquals(0, num[0]);
        // Negative test: invalid iotlb_id
        writeInv(reqs, 0, 0, SelftestUapi.MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1);
        num[0] = 1;
        assertEquals(errno(Errno.EINVAL), u.hwptInvalidate(nested[0], reqs, inv, entry, num));
        assertEquals(0, num[0]);

        // Invalidate the 1st iotlb entry but fail the 2nd request due to invalid flags
        writeInv(reqs, 0, 0, 0);
        writeInv(reqs, 1, 0xffffffff, 1);
        num[0] = 2;
        assertEquals(errno(Errno.EOPNOTSUPP), u.hwptInvalidate(nested[0], reqs, inv, entry, num));
        assertEquals(1, num[0]);
        checkIotlb(nested[0], 0, 0);
        checkIotlb(nested[0], 1, SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);
        checkIotlb(nested[0], 2, SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);
        checkIotlb(nested[0], 3, SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);

        // Invalidate the 1st iotlb entry but fail the 2nd request due to invalid iotlb_id
        writeInv(reqs, 0, 0, 0);
        writeInv(reqs, 1, 0, SelftestUapi.MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1);
        num[0] = 2;
        assertEquals(errno(Errno.EINVAL), u.hwptInvalidate(nested[0], reqs, inv, entry, num));
        assertEquals(1, num[0]);
        checkIotlb(nested[0], 0, 0);
        checkIotlb(nested[0], 1, SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);
        checkIotlb(nested[0], 2, SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);
        checkIotlb(nested[0], 3, SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);

        // Invalidate the 2nd iotlb entry and verify
        writeInv(reqs, 0, 0, 1);
        num[0] = 1;
        assertEquals(0, u.hwptInvalidate(nested[0], reqs, inv, entry, num));
        assertEquals(1, num[0]);
        checkIotlb(nested[0], 0, 0);
        checkIotlb(nested[0], 1, 0);
        checkIotlb(nested[0], 2, SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);
        checkIotlb(nested[0], 3, SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);

        // Invalidate the 3rd and 4th iotlb entries and verify
        writeInv(reqs, 0, 0, 2);
        writeInv(reqs, 1, 0, 3);
        num[0] = 2;
        assertEquals(0, u.hwptInvalidate(nested[0], reqs, inv, entry, num));
        assertEquals(2, num[0]);
        checkIotlbAll(nested[0], 0);

        // Invalidate all iotlb entries for nested_hwpt_id[1] and verify
        writeInv(reqs, 0, SelftestUapi.IOMMU_TEST_INVALIDATE_FLAG_ALL, 0);
        num[0] = 1;
        assertEquals(0, u.hwptInvalidate(nested[1], reqs, inv, entry, num));
        assertEquals(1, num[0]);
        checkIotlbAll(nested[1], 0);

        // Attach device to nested_hwpt_id[0] that then will be busy
        assertEquals(0, u.mockDomainReplace(stdevId, nested[0], null));
        assertEquals(errno(Errno.EBUSY), u.destroy(nested[0]));
        // Switch from nested_hwpt_id[0] to nested_hwpt_id[1]
        assertEquals(0, u.mockDomainReplace(stdevId, nested[1], null));
        assertEquals(errno(Errno.EBUSY), u.destroy(nested[1]));
        assertEquals(0, u.destroy(nested[0]));
        // Switch from nested_hwpt_id[1] to iopf_hwpt_id
        assertEquals(0, u.mockDomainReplace(stdevId, iopfHwpt[0], null));
        assertEquals(errno(Errno.EBUSY), u.destroy(iopfHwpt[0]));
        // Trigger an IOPF on the device (test_cmd_trigger_iopf: pasid 0x1, as in iommufd_utils.h)
        assertEquals(0, u.triggerIopf(deviceId, 0x1, faultFd));
        // Detach from nested_hwpt_id[1] and destroy it
        assertEquals(0, u.mockDomainReplace(stdevId, parent, null));
        assertEquals(0, u.destroy(nested[1]));
        assertEquals(0, u.destroy(iopfHwpt[0]));
        // Detach from the parent hw_pagetable and destroy it
        assertEquals(0, u.mockDomainReplace(stdevId, ioasId, null));
        assertEquals(0, u.destroy(parent));
        assertEquals(0, u.destroy(parentNotWork));
        process().close(faultFd);
        assertEquals(0, u.destroy(faultId));
        process().munmap(reqs, PAGE_SIZE);
    }

    private void writeInv(long reqs, int index, int flags, int iotlbId) {
        byte[] b = StructCodec.of(SelftestUapi.IommuHwptInvalidateSelftest.class)
                .toBytes(new SelftestUapi.IommuHwptInvalidateSelftest(flags, iotlbId));
        process().write(reqs + index * 8L, b, 0, b.length);
    }

    private void checkIotlb(int hwpt, int iotlbId, int value) {
        assertEquals(0, u.testCmd(IommuTestOp.MD_CHECK_IOTLB, hwpt, new CheckIotlb(iotlbId, value), null),
                "MD_CHECK_IOTLB hwpt " + hwpt + " entry " + iotlbId);
    }

    /** test_cmd_hwpt_check_iotlb_all. */
    private void checkIotlbAll(int hwpt, int value) {
        for (int i = 0; i < SelftestUapi.MOCK_NESTED_DOMAIN_IOTLB_NUM; i++) {
            checkIotlb(hwpt, i, value);
        }
    }

    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN")
    void hwpt_attach() {
        // Create a device attached directly to a hwpt
        if (stdevId != 0) {
            u.mockDomain(hwptId, 0);
        } else {
            assertEquals(errno(Errno.ENOENT), u.mockDomainErr(hwptId, 0, null));
        }
    }

    /**
     * GET_HW_INFO with zero, exact, larger and smaller buffers (test_cmd_get_hw_info checks the
     * type, the data and the zeroed tail), the PASID width; ENOENT without a device.
     */
    @KernelTest
    @MockOnly("struct iommu_test_hw_info")
    void get_hw_info() {
        long buf = process().mmapAnonymous(PAGE_SIZE, false);
        IommuHwInfo[] out = new IommuHwInfo[1];
        if (deviceId == 0) {
            assertEquals(errno(Errno.ENOENT), u.getHwInfo(deviceId, 0, false, buf, 8, out));
            assertEquals(errno(Errno.ENOENT), u.getHwInfo(deviceId, 0, false, buf, 16, out));
            process().munmap(buf, PAGE_SIZE);
            return;
        }
        // Provide a zero-size user_buffer
        assertEquals(0, u.getHwInfo(deviceId, IommuHwInfoType.DEFAULT, false, 0, 0, out));
        assertEquals(SelftestUapi.IOMMU_HW_INFO_TYPE_SELFTEST, out[0].dataType());
        assertEquals(8, out[0].dataLen());
        // Provide a user_buffer with exact size
        assertEquals(0, u.getHwInfo(deviceId, IommuHwInfoType.DEFAULT, false, buf, 8, out));
        assertSelftestInfo(buf);
        // The requested type must be the device's (IOMMU_HW_INFO_FLAG_INPUT_TYPE)
        assertEquals(errno(Errno.EOPNOTSUPP), u.getHwInfo(deviceId, SelftestUapi.IOMMU_HW_INFO_TYPE_SELFTEST + 1, true, buf, 8, out));
        assertEquals(0, u.getHwInfo(deviceId, SelftestUapi.IOMMU_HW_INFO_TYPE_SELFTEST, true, buf, 8, out));
        assertSelftestInfo(buf);
        // Larger than the exact size: the kernel zeroes the trailing bytes
        byte[] ones = new byte[16];
        Arrays.fill(ones, (byte) -1);
        process().write(buf, ones, 0, 16);
        assertEquals(0, u.getHwInfo(deviceId, IommuHwInfoType.DEFAULT, false, buf, 16, out));
        assertEquals(8, out[0].dataLen(), "data_len comes back as the driver's length");
        assertSelftestInfo(buf);
        byte[] tail = new byte[8];
        process().read(buf + 8, tail, 0, 8);
        assertArrayEquals(new byte[8], tail, "trailing bytes zeroed");
        // Smaller than the exact size: the fields within the size are still written
        process().write(buf, ones, 0, 8);
        assertEquals(0, u.getHwInfo(deviceId, IommuHwInfoType.DEFAULT, false, buf, 4, out));
        byte[] got = new byte[8];
        process().read(buf, got, 0, 8);
        assertArrayEquals(new byte[4], Arrays.copyOf(got, 4), "flags written");
        assertArrayEquals(new byte[] {-1, -1, -1, -1}, Arrays.copyOfRange(got, 4, 8), "test_reg beyond the size not written");
        // test_cmd_get_hw_info_pasid: the plain mock device has no PASID
        assertEquals(0, u.getHwInfo(deviceId, IommuHwInfoType.DEFAULT, false, 0, 0, out));
        assertEquals(0, out[0].outMaxPasidLog2());
        if (variant.pasidCapable) {
            assertEquals(0, u.getHwInfo(devicePasidId, IommuHwInfoType.DEFAULT, false, 0, 0, out));
            assertEquals(SelftestUapi.MOCK_PASID_WIDTH, out[0].outMaxPasidLog2());
        }
        process().munmap(buf, PAGE_SIZE);
    }

    private void assertSelftestInfo(long buf) {
        byte[] got = new byte[8];
        process().read(buf, got, 0, 8);
        SelftestUapi.IommuTestHwInfo info = StructCodec.of(SelftestUapi.IommuTestHwInfo.class).decode(got);
        assertEquals(0, info.flags());
        assertEquals(SelftestUapi.IOMMU_HW_INFO_SELFTEST_REGVAL, info.testReg());
    }

    /** ffs(length) - 1: the alignment an automatic IOVA of {@code length} gets. */
    private static long alignOf(long length) {
        return 1L << Long.numberOfTrailingZeros(length);
    }

    private long mapAuto(long uptr, long length) {
        return IoasCalls.map(ctx(), ioasId, uptr, length);
    }

    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED")
    void area_auto_iova() {
        long[] iovas = new long[10];
        // Simple 4k pages
        for (int i = 0; i != 10; i++) {
            iovas[i] = mapAuto(machine.buffer(), PAGE_SIZE);
        }
        for (int i = 0; i != 10; i++) {
            IoasCalls.unmap(ctx(), ioasId, iovas[i], PAGE_SIZE);
        }
        // Kernel automatically aligns IOVAs properly
        for (int i = 0; i != 10; i++) {
            long length = PAGE_SIZE * (i + 1);
            if (stdevId != 0) {
                iovas[i] = mapAuto(machine.buffer(), length);
            } else {
                // Nothing is mapped at 2 GiB: without a domain the pages are not touched at map time.
                iovas[i] = mapAuto(1L << 31, length);
            }
            assertEquals(0, iovas[i] % alignOf(length), "IOVA 0x" + Long.toHexString(iovas[i]) + " for length " + length);
        }
        for (int i = 0; i != 10; i++) {
            IoasCalls.unmap(ctx(), ioasId, iovas[i], PAGE_SIZE * (i + 1));
        }
        // Avoids a reserved region
        long resStart = PAGE_SIZE * 4;
        long resLength = PAGE_SIZE * 100;
        assertEquals(0, u.addReserved(ioasId, resStart, resLength));
        for (int i = 0; i != 10; i++) {
            long length = PAGE_SIZE * (i + 1);
            iovas[i] = mapAuto(machine.buffer(), length);
            assertEquals(0, iovas[i] % alignOf(length));
            assertFalse(iovas[i] > resStart && iovas[i] < resStart + resLength, "IOVA inside the reserved region");
        }
        for (int i = 0; i != 10; i++) {
            IoasCalls.unmap(ctx(), ioasId, iovas[i], PAGE_SIZE * (i + 1));
        }
        // Allowed region intersects with a reserved region
        expectErrno(Errno.EADDRINUSE, () -> IoasCalls.allowIovas(ctx(), process(), ioasId,
                List.of(new IovaRange(PAGE_SIZE, PAGE_SIZE * 600))));
        // Allocate from an allowed region
        IovaRange allowed = stdevId != 0 ? new IovaRange(MOCK_APERTURE_START + PAGE_SIZE, MOCK_APERTURE_START + PAGE_SIZE * 600 - 1)
                : new IovaRange(PAGE_SIZE * 200, PAGE_SIZE * 600 - 1);
        IoasCalls.allowIovas(ctx(), process(), ioasId, List.of(allowed));
        for (int i = 0; i != 10; i++) {
            long length = PAGE_SIZE * (i + 1);
            iovas[i] = mapAuto(machine.buffer(), length);
            assertEquals(0, iovas[i] % alignOf(length));
            assertTrue(iovas[i] >= allowed.start());
            assertTrue(iovas[i] <= allowed.last());
            assertTrue(iovas[i] + length > allowed.start());
            assertTrue(iovas[i] + length <= allowed.last() + 1);
        }
        for (int i = 0; i != 10; i++) {
            IoasCalls.unmap(ctx(), ioasId, iovas[i], PAGE_SIZE * (i + 1));
        }
    }

    /** https://lore.kernel.org/r/685af644.a00a0220.2e5631.0094.GAE@google.com (4 KiB PAGE_SIZE branch). */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED")
    void reserved_overflow() {
        assertEquals(0, u.addReserved(ioasId, 6, 0xffffffffffff8001L));
        expectErrno(Errno.ENOSPC, () -> mapAuto(machine.buffer(), 0x5000));
    }

    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED")
    void area_allowed() {
        // Reserved intersects an allowed
        IovaRange range = new IovaRange(baseIova, baseIova + PAGE_SIZE * 600);
        IoasCalls.allowIovas(ctx(), process(), ioasId, List.of(range));
        long resStart = range.start() + PAGE_SIZE;
        long resLength = PAGE_SIZE;
        assertEquals(errno(Errno.EADDRINUSE), u.addReserved(ioasId, resStart, resLength));
        IoasCalls.allowIovas(ctx(), process(), ioasId, List.of());
        // Allowed intersects a reserved
        assertEquals(0, u.addReserved(ioasId, resStart, resLength));
        expectErrno(Errno.EADDRINUSE, () -> IoasCalls.allowIovas(ctx(), process(), ioasId, List.of(range)));
    }

    /** IOMMU_IOAS_IOVA_RANGES into {@code buffer}; returns the errno, the struct back in {@code out[0]}. */
    private int iovaRanges(int numIovas, IommuIoasIovaRanges[] out) {
        Object[] o = new Object[1];
        int rc = u.ioctl(IommufdIoctl.IOMMU_IOAS_IOVA_RANGES, new IommuIoasIovaRanges(ioasId, numIovas, 0, machine.buffer(), 0), o);
        out[0] = (IommuIoasIovaRanges) o[0];
        return rc;
    }

    /** ranges[i].start and .last as the kernel wrote them into {@code buffer}. */
    private long[] range(int i) {
        byte[] b = new byte[16];
        process().read(machine.buffer() + 16L * i, b, 0, 16);
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return new long[] {bb.getLong(0), bb.getLong(8)};
    }

    private void clearBuffer() {
        process().write(machine.buffer(), new byte[(int) BUFFER_SIZE], 0, (int) BUFFER_SIZE);
    }

    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED and MOCK_APERTURE_*")
    void iova_ranges() {
        int all = (int) (BUFFER_SIZE / 16);
        IommuIoasIovaRanges[] out = new IommuIoasIovaRanges[1];
        // Range can be read
        assertEquals(0, iovaRanges(all, out));
        assertEquals(1, out[0].numIovas());
        if (stdevId == 0) {
            assertArrayEquals(new long[] {0, -1L}, range(0));
            assertEquals(1, out[0].outIovaAlignment());
        } else {
            assertArrayEquals(new long[] {MOCK_APERTURE_START, MOCK_APERTURE_LAST}, range(0));
            assertEquals(MOCK_PAGE_SIZE, out[0].outIovaAlignment());
        }
        // Buffer too small
        clearBuffer();
        assertEquals(errno(Errno.EMSGSIZE), iovaRanges(0, out));
        assertEquals(1, out[0].numIovas());
        assertArrayEquals(new long[] {0, 0}, range(0));
        // 2 ranges
        assertEquals(0, u.addReserved(ioasId, PAGE_SIZE, PAGE_SIZE));
        assertEquals(0, iovaRanges(all, out));
        if (stdevId == 0) {
            assertEquals(2, out[0].numIovas());
            assertArrayEquals(new long[] {0, PAGE_SIZE - 1}, range(0));
            assertArrayEquals(new long[] {PAGE_SIZE * 2, -1L}, range(1));
        } else {
            assertEquals(1, out[0].numIovas());
            assertArrayEquals(new long[] {MOCK_APERTURE_START, MOCK_APERTURE_LAST}, range(0));
        }
        // Buffer too small
        clearBuffer();
        if (stdevId == 0) {
            assertEquals(errno(Errno.EMSGSIZE), iovaRanges(1, out));
            assertEquals(2, out[0].numIovas());
            assertArrayEquals(new long[] {0, PAGE_SIZE - 1}, range(0));
        } else {
            assertEquals(0, iovaRanges(1, out));
            assertEquals(1, out[0].numIovas());
            assertArrayEquals(new long[] {MOCK_APERTURE_START, MOCK_APERTURE_LAST}, range(0));
        }
        assertArrayEquals(new long[] {0, 0}, range(1));
    }

    // ------------------------------------------------------------ the selftest access

    /** ACCESS_PAGES that must succeed; returns the item. */
    private int accessPages(int accessFd, long iova, long length, long uptr) {
        int[] item = new int[1];
        assertEquals(0, u.accessPages(accessFd, iova, length, uptr, 0, item), "ACCESS_PAGES iova 0x" + Long.toHexString(iova));
        return item[0];
    }

    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS")
    void access_domain_destory() {
        long bufSize = 2 * HUGEPAGE_SIZE;
        // MAP_HUGETLB | MAP_POPULATE: the simulator has no hugetlb pool; a shared anonymous mapping
        // of this size is placed HUGEPAGE_SIZE-aligned, and its pages are made when pinned.
        long buf = process().mmap(0, bufSize, SimProcess.PROT_READ | SimProcess.PROT_WRITE,
                SimProcess.MAP_SHARED | SimProcess.MAP_ANONYMOUS, -1, 0);
        assertEquals(0, buf % HUGEPAGE_SIZE, "huge page aligned");
        IoasCalls.mapFixed(ctx(), ioasId, buf, bufSize, baseIova);
        int access = u.createAccess(ioasId, SelftestUapi.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
        int item = accessPages(access, baseIova + PAGE_SIZE, PAGE_SIZE, buf + PAGE_SIZE);
        // Causes a complicated unpin across a huge page boundary
        if (stdevId != 0) {
            assertEquals(0, u.destroy(stdevId));
        }
        assertEquals(0, u.destroyAccessPages(access, item));
        u.destroyAccess(access);
        process().munmap(buf, bufSize);
    }

    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_TEST_OP_ACCESS_PAGES")
    void access_pin() {
        long buffer = machine.buffer();
        int access = u.createAccess(ioasId, SelftestUapi.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
        for (int npages = 1; npages < BUFFER_SIZE / PAGE_SIZE; npages++) {
            long length = npages * PAGE_SIZE;
            // Single map/unmap
            IoasCalls.mapFixed(ctx(), ioasId, buffer, BUFFER_SIZE, MOCK_APERTURE_START);
            int item = accessPages(access, MOCK_APERTURE_START, length, buffer);
            assertEquals(0, u.destroyAccessPages(access, item));
            // Double user
            int first = accessPages(access, MOCK_APERTURE_START, length, buffer);
            int second = accessPages(access, MOCK_APERTURE_START, length, buffer);
            assertEquals(0, u.destroyAccessPages(access, second));
            assertEquals(0, u.destroyAccessPages(access, first));
            // Add/remove a domain with a user
            item = accessPages(access, MOCK_APERTURE_START, length, buffer);
            int[] ids = u.mockDomain(ioasId, 0);
            assertEquals(0, u.checkMap(ids[1], MOCK_APERTURE_START, buffer, BUFFER_SIZE), "MD_CHECK_MAP with " + npages + " pages pinned");
            assertEquals(0, u.destroy(ids[0]));
            assertEquals(0, u.destroyAccessPages(access, item));
            IoasCalls.unmap(ctx(), ioasId, MOCK_APERTURE_START, BUFFER_SIZE);
        }
        u.destroyAccess(access);
    }

    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS")
    void access_pin_unmap() {
        int access = u.createAccess(ioasId, SelftestUapi.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), BUFFER_SIZE, MOCK_APERTURE_START);
        int item = accessPages(access, MOCK_APERTURE_START, BUFFER_SIZE, machine.buffer());
        // Trigger the unmap op
        IoasCalls.unmap(ctx(), ioasId, MOCK_APERTURE_START, BUFFER_SIZE);
        // kernel removed the item for us
        assertEquals(errno(Errno.ENOENT), u.destroyAccessPages(access, item));
        // The C test leaves the access fd to the process; here closing the context destroys it.
    }

    /**
     * check_access_rw: random data in {@code buffer} read and written through the access at every
     * offset around a page boundary and every length up to 63 bytes, then a whole-buffer read.
     */
    private void checkAccessRw(int access, long iova, int defFlags) {
        SimProcess p = process();
        long buffer = machine.buffer();
        Random rand = new Random(iova ^ defFlags);
        byte[] random = new byte[(int) BUFFER_SIZE];
        rand.nextBytes(random);
        p.write(buffer, random, 0, random.length);
        // uint16_t tmp[32]
        int tmpSize = 64;
        long tmp = p.mmapAnonymous(PAGE_SIZE, false);
        byte[] got = new byte[tmpSize];
        byte[] want = new byte[tmpSize];
        try {
            for (long rwIova = iova + PAGE_SIZE - 50; rwIova < iova + PAGE_SIZE + 50; rwIova++) {
                for (int length = 1; length < tmpSize; length++) {
                    assertEquals(0, u.accessRw(access, rwIova, length, tmp, defFlags), "ACCESS_RW read");
                    p.read(buffer + (rwIova - iova), want, 0, length);
                    p.read(tmp, got, 0, length);
                    assertArrayEquals(Arrays.copyOf(want, length), Arrays.copyOf(got, length), "read at 0x" + Long.toHexString(rwIova));

                    rand.nextBytes(got);
                    p.write(tmp, got, 0, tmpSize);
                    assertEquals(0, u.accessRw(access, rwIova, length, tmp, defFlags | SelftestUapi.MOCK_ACCESS_RW_WRITE),
                            "ACCESS_RW write");
                    p.read(buffer + (rwIova - iova), want, 0, length);
                    assertArrayEquals(Arrays.copyOf(got, length), Arrays.copyOf(want, length), "write at 0x" + Long.toHexString(rwIova));
                }
            }
            // Multi-page test
            long tmp2 = p.mmapAnonymous(BUFFER_SIZE, false);
            try {
                assertEquals(0, u.accessRw(access, iova, BUFFER_SIZE, tmp2, defFlags), "ACCESS_RW of the whole buffer");
                byte[] all = new byte[(int) BUFFER_SIZE];
                byte[] whole = new byte[(int) BUFFER_SIZE];
                p.read(buffer, all, 0, all.length);
                p.read(tmp2, whole, 0, whole.length);
                assertArrayEquals(all, whole);
            } finally {
                p.munmap(tmp2, BUFFER_SIZE);
            }
        } finally {
            p.munmap(tmp, PAGE_SIZE);
        }
    }

    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ACCESS_RW")
    void access_rw() {
        int access = u.createAccess(ioasId, 0);
        long iova = mapAuto(machine.buffer(), BUFFER_SIZE);
        checkAccessRw(access, iova, 0);
        checkAccessRw(access, iova, SelftestUapi.MOCK_ACCESS_RW_SLOW_PATH);
        IoasCalls.unmap(ctx(), ioasId, iova, BUFFER_SIZE);
        u.destroyAccess(access);
    }

    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ACCESS_RW, MOCK_PAGE_SIZE")
    void access_rw_unaligned() {
        int access = u.createAccess(ioasId, 0);
        // Unaligned pages
        long iova = baseIova + MOCK_PAGE_SIZE;
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), BUFFER_SIZE, iova);
        checkAccessRw(access, iova, 0);
        IoasCalls.unmap(ctx(), ioasId, iova, BUFFER_SIZE);
        u.destroyAccess(access);
    }

    private void mapFixedAs(SimProcess caller, long uptr, long length, long iova) {
        ctx().call(new IommuIoasMap(IommuIoasMapFlags.FIXED_IOVA | IoasCalls.RW, ioasId, 0, uptr, length, iova), caller);
    }

    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN, IOMMU_TEST_OP_CREATE_ACCESS")
    void fork_gone() {
        int access = u.createAccess(ioasId, 0);
        // Create a mapping with a different mm
        SimProcess child = process().fork();
        mapFixedAs(child, machine.buffer(), BUFFER_SIZE, MOCK_APERTURE_START);
        child.exit();
        if (stdevId != 0) {
            // If a domain already existed then everything was pinned within the fork, so this
            // copies from one domain to another.
            u.mockDomain(ioasId, 0);
            checkAccessRw(access, MOCK_APERTURE_START, 0);
        } else {
            // Otherwise we need to actually pin pages which can't happen since the fork is gone.
            assertEquals(errno(Errno.EFAULT), u.mockDomainErr(ioasId, 0, null));
        }
        u.destroyAccess(access);
    }

    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS")
    void fork_present() {
        int access = u.createAccess(ioasId, 0);
        // Create a mapping with a different mm; the child stays alive (the C test's pipe and
        // eventfd only keep it alive until the parent has read through the access).
        SimProcess child = process().fork();
        mapFixedAs(child, machine.buffer(), BUFFER_SIZE, MOCK_APERTURE_START);
        // Read pages from the remote process
        u.mockDomain(ioasId, 0);
        checkAccessRw(access, MOCK_APERTURE_START, 0);
        child.exit();
        u.destroyAccess(access);
    }

    /** MAP_FILE of the mock dma-buf: zero length, start=size, size+1 are EINVAL. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_DMABUF_GET")
    void dmabuf_simple() {
        long bufSize = PAGE_SIZE * 4;
        long[] iova = new long[1];
        int dfd = u.getDmabuf(bufSize);
        assertEquals(errno(Errno.EINVAL), u.ioasMapFileErr(ioasId, dfd, 0, 0, iova));
        assertEquals(errno(Errno.EINVAL), u.ioasMapFileErr(ioasId, dfd, bufSize, bufSize, iova));
        assertEquals(errno(Errno.EINVAL), u.ioasMapFileErr(ioasId, dfd, 0, bufSize + 1, iova));
        assertEquals(0, u.ioasMapFileErr(ioasId, dfd, 0, bufSize, iova));
        process().close(dfd);
    }

    /** Revoke makes MAP ENODEV; unrevoke makes it work again. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_DMABUF_REVOKE")
    void dmabuf_revoke() {
        long bufSize = PAGE_SIZE * 4;
        long[] iova = new long[1];
        long[] iova2 = new long[1];
        int dfd = u.getDmabuf(bufSize);
        assertEquals(0, u.ioasMapFileErr(ioasId, dfd, 0, bufSize, iova));
        assertEquals(0, u.revokeDmabuf(dfd, true));
        if (variant.mockDomains != 0) {
            // test_cmd_hwpt_alloc: a paging domain made while the dma-buf is revoked
            u.hwptAlloc(deviceId, ioasId, 0);
        }
        assertEquals(errno(Errno.ENODEV), u.ioasMapFileErr(ioasId, dfd, 0, bufSize, iova2));
        assertEquals(0, u.revokeDmabuf(dfd, false));
        assertEquals(0, u.ioasMapFileErr(ioasId, dfd, 0, bufSize, iova2));
        // Restore the iova back
        assertEquals(0, u.ioasUnmap(ioasId, iova[0], bufSize));
        assertEquals(0, u.ioasMapFixedFile(ioasId, dfd, 0, bufSize, iova[0]));
        process().close(dfd);
    }

    // ------------------------------------------------------------ ported with the io_pagetable (issue #3)

    private long pageSize() {
        return SelftestMachine.PAGE_SIZE;
    }

    @KernelTest
    void ioas_area_destroy() {
        // Adding an area does not change ability to destroy
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), pageSize(), baseIova);
        if (stdevId != 0) {
            expectErrno(Errno.EBUSY, () -> ctx().destroy(ioasId));
        } else {
            ctx().destroy(ioasId);
        }
    }

    @KernelTest
    void ioas_area_auto_destroy() {
        // Can allocate and automatically free an IOAS table with many areas
        for (int i = 0; i != 10; i++) {
            IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), pageSize(), baseIova + i * pageSize());
        }
    }

    @KernelTest
    void area() {
        long page = pageSize();
        long buffer = machine.buffer();
        // Unmap fails if nothing is mapped
        for (int i = 0; i != 10; i++) {
            long iova = i * page;
            expectErrno(Errno.ENOENT, () -> IoasCalls.unmap(ctx(), ioasId, iova, page));
        }
        // Unmap works
        for (int i = 0; i != 10; i++) {
            IoasCalls.mapFixed(ctx(), ioasId, buffer, page, baseIova + i * page);
        }
        for (int i = 0; i != 10; i++) {
            IoasCalls.unmap(ctx(), ioasId, baseIova + i * page, page);
        }
        // Split fails
        IoasCalls.mapFixed(ctx(), ioasId, buffer, page * 2, baseIova + 16 * page);
        expectErrno(Errno.ENOENT, () -> IoasCalls.unmap(ctx(), ioasId, baseIova + 16 * page, page));
        expectErrno(Errno.ENOENT, () -> IoasCalls.unmap(ctx(), ioasId, baseIova + 17 * page, page));
        // Over map fails
        expectErrno(Errno.EEXIST, () -> IoasCalls.mapFixed(ctx(), ioasId, buffer, page * 2, baseIova + 16 * page));
        expectErrno(Errno.EEXIST, () -> IoasCalls.mapFixed(ctx(), ioasId, buffer, page, baseIova + 16 * page));
        expectErrno(Errno.EEXIST, () -> IoasCalls.mapFixed(ctx(), ioasId, buffer, page, baseIova + 17 * page));
        expectErrno(Errno.EEXIST, () -> IoasCalls.mapFixed(ctx(), ioasId, buffer, page * 2, baseIova + 15 * page));
        expectErrno(Errno.EEXIST, () -> IoasCalls.mapFixed(ctx(), ioasId, buffer, page * 3, baseIova + 15 * page));
        // unmap all works
        IoasCalls.unmap(ctx(), ioasId, 0, -1L);
        // Unmap all succeeds on an empty IOAS
        IoasCalls.unmap(ctx(), ioasId, 0, -1L);
    }

    @KernelTest
    void unmap_fully_contained_areas() {
        long page = pageSize();
        // Give no_domain some space to rewind base_iova
        long base = baseIova + 4 * page;
        for (int i = 0; i != 4; i++) {
            IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), 8 * page, base + i * 16 * page);
        }
        // Unmap not fully contained area doesn't work
        expectErrno(Errno.ENOENT, () -> IoasCalls.unmap(ctx(), ioasId, base - 4 * page, 8 * page));
        expectErrno(Errno.ENOENT, () -> IoasCalls.unmap(ctx(), ioasId, base + 3 * 16 * page + 8 * page - 4 * page, 8 * page));
        // Unmap fully contained areas works
        long unmapped = IoasCalls.unmap(ctx(), ioasId, base - 4 * page, 3 * 16 * page + 8 * page + 4 * page);
        assertEquals(32 * page, unmapped);
    }

    @KernelTest
    void copy_area() {
        long page = pageSize();
        int flags = IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.WRITEABLE;
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), page, baseIova);
        // Copy inside a single IOAS
        ctx().call(new IommuIoasCopy(flags, ioasId, ioasId, page, baseIova + page, baseIova));
        // Copy between IOAS's
        int dst = ctx().ioasAlloc();
        ctx().call(new IommuIoasCopy(flags, dst, ioasId, page, 0, baseIova));
    }

    @KernelTest
    void ioas_option_huge_pages() {
        IommufdContext c = ctx();
        assertEquals(1, c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.GET, 0, ioasId, 3)).val64());
        c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.SET, 0, ioasId, 0));
        assertEquals(0, c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.GET, 0, ioasId, 3)).val64());
        expectErrno(Errno.EINVAL, () -> c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.SET, 0, ioasId, 2)));
        c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.SET, 0, ioasId, 1));
    }

    @KernelTest
    void ioas_iova_alloc(Variant variant) {
        for (long length = 1; length != pageSize() * 2; length++) {
            long len = length;
            if (variant.mockDomains != 0 && (length % MOCK_PAGE_SIZE) != 0) {
                expectErrno(Errno.EINVAL, () -> IoasCalls.map(ctx(), ioasId, machine.buffer(), len));
            } else {
                long iova = IoasCalls.map(ctx(), ioasId, machine.buffer(), length);
                IoasCalls.unmap(ctx(), ioasId, iova, length);
            }
        }
    }

    @KernelTest
    void ioas_align_change(Variant variant) {
        long page = pageSize();
        // 0 means everything must be aligned to PAGE_SIZE
        IommuOption alignToPage = new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.SET, 0, ioasId, 0);
        // We cannot upgrade the alignment using OPTION_HUGE_PAGES when a domain and map are present.
        if (variant.mockDomains != 0) {
            return;
        }
        // We can upgrade to PAGE_SIZE alignment when things are aligned right
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), page, MOCK_APERTURE_START);
        ctx().call(alignToPage);
        // Misalignment is rejected at map time
        expectErrno(Errno.EINVAL, () -> IoasCalls.mapFixed(ctx(), ioasId, machine.buffer() + MOCK_PAGE_SIZE, page,
                MOCK_APERTURE_START + page));
        ctx().call(alignToPage);
        // Reduce alignment
        ctx().call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.SET, 0, ioasId, 1));
        // Confirm misalignment is rejected during alignment upgrade
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer() + MOCK_PAGE_SIZE, page, MOCK_APERTURE_START + page);
        expectErrno(Errno.EADDRINUSE, () -> ctx().call(alignToPage));
        IoasCalls.unmap(ctx(), ioasId, MOCK_APERTURE_START + page, page);
        IoasCalls.unmap(ctx(), ioasId, MOCK_APERTURE_START, page);
    }

    @KernelTest
    void copy_sweep(Variant variant) {
        int dstIoasId = ctx().ioasAlloc();
        long length = MOCK_PAGE_SIZE;
        int flags = IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.WRITEABLE;
        long lastIova = MOCK_APERTURE_START + SelftestMachine.BUFFER_SIZE - (variant.mockDomains != 0 ? 1 : 2);
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), lastIova - MOCK_APERTURE_START + 1, MOCK_APERTURE_START);
        for (long iova = MOCK_APERTURE_START - pageSize(); iova <= lastIova; iova += 511) {
            IommuIoasCopy copy = new IommuIoasCopy(flags, dstIoasId, ioasId, length, MOCK_APERTURE_START, iova);
            if (iova < MOCK_APERTURE_START || iova + length - 1 > lastIova) {
                expectErrno(Errno.ENOENT, () -> ctx().call(copy));
            } else {
                ctx().call(copy);
                IoasCalls.unmap(ctx(), dstIoasId, copy.dstIova(), length);
            }
        }
        ctx().destroy(dstIoasId);
    }
}
