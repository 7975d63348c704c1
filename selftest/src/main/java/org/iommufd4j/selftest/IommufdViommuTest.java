package org.iommufd4j.selftest;

import static org.iommufd4j.selftest.kit.IommufdUtils.MOCK_APERTURE_START;
import static org.iommufd4j.selftest.kit.IommufdUtils.PAGE_SIZE;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_HWPT_DATA_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_HW_QUEUE_TYPE_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_TEST_DEV_CACHE_DEFAULT;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_TEST_HW_QUEUE_MAX;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_TEST_INVALIDATE_FLAG_ALL;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_VEVENTQ_TYPE_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_VIOMMU_TYPE_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.MOCK_DEV_CACHE_ID_MAX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.IommufdUtils;
import org.iommufd4j.selftest.kit.KernelAssertions;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwQueueType;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.selftest.SelftestUapi.IommuViommuInvalidateSelftest;
import org.iommufd4j.uapi.selftest.SelftestUapi.IommuViommuSelftest;
import org.iommufd4j.viommu.ViommuMmap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * FIXTURE(iommufd_viommu) of iommufd.c: vIOMMU, vdevice, vEVENTQ and HW queue objects on a mock
 * device. The mock_viommu variant sets up a mock device, a nest-parent HWPT, a selftest vIOMMU on
 * it and a nested HWPT through the vIOMMU; no_viommu leaves all IDs 0.
 */
@Fixture(value = "iommufd_viommu", variants = IommufdViommuTest.Variant.class)
@MockOnly("IOMMU_VIOMMU_TYPE_SELFTEST and mock devices")
final class IommufdViommuTest {
    /** The FIXTURE_VARIANT_ADD entries: {@code .viommu}. */
    enum Variant {
        no_viommu(false),
        mock_viommu(true);

        final boolean viommu;

        Variant(boolean viommu) {
            this.viommu = viommu;
        }
    }

    private static final int EVENT_RECORD = 8 + 4;

    private SelftestMachine machine;
    private IommufdUtils t;
    private int ioasId;
    private int stdevId;
    private int hwptId;
    private int nestedHwptId;
    private int deviceId;
    private int viommuId;

    @BeforeEach
    void setup(SelftestMachine machine, Variant variant) {
        this.machine = machine;
        // The mock plugin adds IOMMU_TEST_CMD to /dev/iommu when it is loaded.
        machine.driverUnderTest();
        t = new IommufdUtils(machine);
        ioasId = t.ioasAlloc();
        // test_ioctl_set_default_memory_limit(): every case runs on a fresh machine with the default limit.
        if (variant.viommu) {
            int[] ids = t.mockDomain(ioasId, 0);
            stdevId = ids[0];
            deviceId = ids[2];
            // Allocate a nesting parent hwpt
            hwptId = t.hwptAlloc(deviceId, ioasId, IommuHwptAllocFlags.NEST_PARENT);
            // Allocate a vIOMMU taking refcount of the parent hwpt
            int[] id = new int[1];
            assertEquals(0, t.viommuAlloc(deviceId, hwptId, IOMMU_VIOMMU_TYPE_SELFTEST, null, id, null));
            viommuId = id[0];
            // Allocate a regular nested hwpt
            assertEquals(0, t.hwptAlloc(deviceId, viommuId, 0, IOMMU_HWPT_DATA_SELFTEST,
                    IommufdUtils.selftestData(IOMMU_TEST_IOTLB_DEFAULT, 0), id));
            nestedHwptId = id[0];
        }
    }

    @AfterEach
    void teardown() {
        // teardown_iommufd: close, then nothing may be left (objects, page frames).
        machine.close();
    }

    private static void skipUnless(int id) {
        Assumptions.assumeTrue(id != 0, "Skipping test for variant no_viommu");
    }

    private static void expect(Errno e, int rc) {
        assertEquals(e.value(), rc, () -> "expected " + e + ", got errno " + rc);
    }

    private static byte[] invEntries(IommuViommuInvalidateSelftest... reqs) {
        StructCodec<IommuViommuInvalidateSelftest> c = StructCodec.of(IommuViommuInvalidateSelftest.class);
        byte[] out = new byte[c.size() * reqs.length];
        for (int i = 0; i < reqs.length; i++) {
            c.encode(reqs[i], ByteBuffer.wrap(out, i * c.size(), c.size()).slice().order(ByteOrder.LITTLE_ENDIAN));
        }
        return out;
    }

    private static IommuViommuInvalidateSelftest inv(int flags, int vdevId, int cacheId) {
        return new IommuViommuInvalidateSelftest(flags, vdevId, cacheId);
    }

    private static final int INV_SIZE = 12;

    private int viommuInvalidate(byte[] reqs, int dataType, int entryLen, int[] num) {
        return t.viommuInvalidate(viommuId, reqs, dataType, entryLen, num);
    }

    private void checkCache(int cacheId, int value) {
        assertEquals(0, t.devCheckCache(deviceId, cacheId, value), "dev_check_cache " + cacheId);
    }

    private void checkCacheAll(int value) {
        for (int i = 0; i <= MOCK_DEV_CACHE_ID_MAX; i++) {
            checkCache(i, value);
        }
    }

    @KernelTest
    void viommu_auto_destroy() {
        // Setup built the objects; teardown closes the file and its leak check is the test.
    }

    @KernelTest
    void viommu_negative_tests() {
        int[] id = new int[1];
        if (deviceId != 0) {
            // Negative test -- invalid hwpt (hwpt_id=0)
            expect(Errno.ENOENT, t.viommuAlloc(deviceId, 0, IOMMU_VIOMMU_TYPE_SELFTEST, null, null, null));
            // Negative test -- not a nesting parent hwpt
            int plain = t.hwptAlloc(deviceId, ioasId, 0);
            expect(Errno.EINVAL, t.viommuAlloc(deviceId, plain, IOMMU_VIOMMU_TYPE_SELFTEST, null, null, null));
            assertEquals(0, t.destroy(plain));
            // Negative test -- unsupported viommu type
            expect(Errno.EOPNOTSUPP, t.viommuAlloc(deviceId, hwptId, 0xdead, null, null, null));
            expect(Errno.EBUSY, t.destroy(hwptId));
            expect(Errno.EBUSY, t.destroy(viommuId));
        } else {
            expect(Errno.ENOENT, t.viommuAlloc(deviceId, hwptId, IOMMU_VIOMMU_TYPE_SELFTEST, null, null, null));
        }
    }

    @KernelTest
    void viommu_alloc_nested_iopf() {
        skipUnless(deviceId);
        byte[] data = IommufdUtils.selftestData(IOMMU_TEST_IOTLB_DEFAULT, 0);
        int[] fault = new int[2];
        // test_ioctl_fault_alloc: both IDs non-zero
        assertEquals(0, t.faultAlloc(fault));
        assertNotEquals(0, fault[0]);
        assertNotEquals(0, fault[1]);
        int faultId = fault[0];
        int faultFd = fault[1];
        int[] iopfHwpt = new int[1];
        expect(Errno.ENOENT, t.hwptAllocIopf(deviceId, viommuId, -1 /* UINT32_MAX */,
                IommuHwptAllocFlags.FAULT_ID_VALID, IOMMU_HWPT_DATA_SELFTEST, data, iopfHwpt));
        expect(Errno.EOPNOTSUPP, t.hwptAllocIopf(deviceId, viommuId, faultId,
                IommuHwptAllocFlags.FAULT_ID_VALID | (1 << 31), IOMMU_HWPT_DATA_SELFTEST, data, iopfHwpt));
        assertEquals(0, t.hwptAllocIopf(deviceId, viommuId, faultId, IommuHwptAllocFlags.FAULT_ID_VALID,
                IOMMU_HWPT_DATA_SELFTEST, data, iopfHwpt));

        // Must allocate vdevice before attaching to a nested hwpt
        expect(Errno.ENOENT, t.mockDomainReplace(stdevId, iopfHwpt[0], null));
        int[] vdev = new int[1];
        assertEquals(0, t.vdeviceAlloc(viommuId, deviceId, 0x99, vdev));
        assertEquals(0, t.mockDomainReplace(stdevId, iopfHwpt[0], null));
        expect(Errno.EBUSY, t.destroy(iopfHwpt[0]));
        assertEquals(0, t.triggerIopf(deviceId, 0x1, faultFd));

        assertEquals(0, t.mockDomainReplace(stdevId, ioasId, null));
        assertEquals(0, t.destroy(iopfHwpt[0]));
        machine.process().close(faultFd);
        assertEquals(0, t.destroy(faultId));
    }

    @KernelTest
    void viommu_alloc_with_data() {
        skipUnless(deviceId);
        StructCodec<IommuViommuSelftest> codec = StructCodec.of(IommuViommuSelftest.class);
        byte[][] out = new byte[1][];
        int[] id = new int[1];
        assertEquals(0, t.viommuAlloc(deviceId, hwptId, IOMMU_VIOMMU_TYPE_SELFTEST,
                codec.toBytes(new IommuViommuSelftest(0xbeef, 0, 0, 0)), id, out));
        viommuId = id[0];
        IommuViommuSelftest data = codec.decode(out[0]);
        assertEquals(data.inData(), data.outData());

        SimProcess p = machine.process();
        int rw = SimProcess.PROT_READ | SimProcess.PROT_WRITE;
        // Negative mmap tests -- offset and length cannot be changed
        long len = data.outMmapLength();
        long off = data.outMmapOffset();
        KernelAssertions.expectErrno(Errno.ENXIO, () -> ViommuMmap.mmap(t.ctx(), p, len, rw, SimProcess.MAP_SHARED, off + PAGE_SIZE));
        KernelAssertions.expectErrno(Errno.ENXIO, () -> ViommuMmap.mmap(t.ctx(), p, len, rw, SimProcess.MAP_SHARED, off + PAGE_SIZE * 2));
        KernelAssertions.expectErrno(Errno.ENXIO, () -> ViommuMmap.mmap(t.ctx(), p, len / 2, rw, SimProcess.MAP_SHARED, off));
        KernelAssertions.expectErrno(Errno.ENXIO, () -> ViommuMmap.mmap(t.ctx(), p, len * 2, rw, SimProcess.MAP_SHARED, off));

        // Now do a correct mmap for a loopback test
        long test = ViommuMmap.mmap(t.ctx(), p, len, rw, SimProcess.MAP_SHARED, off);
        byte[] word = new byte[4];
        p.read(test, word, 0, 4);
        assertEquals(data.inData(), ByteBuffer.wrap(word).order(ByteOrder.LITTLE_ENDIAN).getInt());

        // The owner of the mmap region should be blocked
        expect(Errno.EBUSY, t.destroy(viommuId));
        p.munmap(test, len);
    }

    @KernelTest
    void vdevice_alloc() {
        int[] vdev = new int[1];
        if (deviceId != 0) {
            // Must allocate vdevice before attaching to a nested hwpt
            expect(Errno.ENOENT, t.mockDomainReplace(stdevId, nestedHwptId, null));

            // Test depth lower and upper bounds (mirrors kernel cap)
            int maxDepth = 1 << 19;
            expect(Errno.EINVAL, t.veventqAlloc(viommuId, IOMMU_VEVENTQ_TYPE_SELFTEST, 0, null));
            expect(Errno.EINVAL, t.veventqAlloc(viommuId, IOMMU_VEVENTQ_TYPE_SELFTEST, maxDepth + 1, null));
            int[] q = new int[2];
            assertEquals(0, t.veventqAlloc(viommuId, IOMMU_VEVENTQ_TYPE_SELFTEST, maxDepth, q));
            machine.process().close(q[1]);
            assertEquals(0, t.destroy(q[0]));

            // Allocate a vEVENTQ with veventq_depth=2
            assertEquals(0, t.veventqAlloc(viommuId, IOMMU_VEVENTQ_TYPE_SELFTEST, 2, q));
            int veventqId = q[0];
            int veventqFd = q[1];
            expect(Errno.EEXIST, t.veventqAlloc(viommuId, IOMMU_VEVENTQ_TYPE_SELFTEST, 2, null));

            // Invalid read counts on an empty vEVENTQ
            byte[] vbuf = new byte[64];
            assertEquals(-Errno.EINVAL.value(), t.readFd(veventqFd, vbuf, 0));
            assertEquals(-Errno.EINVAL.value(), t.readFd(veventqFd, vbuf, 8 - 1));

            // Set vdev_id to 0x99, unset it, and set to 0x88
            assertEquals(0, t.vdeviceAlloc(viommuId, deviceId, 0x99, vdev));
            assertEquals(0, t.mockDomainReplace(stdevId, nestedHwptId, null));
            assertEquals(0, t.triggerVevents(deviceId, 1));

            // Invalid read counts on a non-empty vEVENTQ
            assertEquals(-Errno.EINVAL.value(), t.readFd(veventqFd, vbuf, 0));
            // header fits but the event's payload doesn't
            assertEquals(-Errno.EINVAL.value(), t.readFd(veventqFd, vbuf, 8));

            int[] prevSeq = {-1};
            assertEquals(0, t.readVevents(veventqFd, 1, 0x99, prevSeq));
            expect(Errno.EEXIST, t.vdeviceAlloc(viommuId, deviceId, 0x99, vdev));
            assertEquals(0, t.mockDomainReplace(stdevId, ioasId, null));
            assertEquals(0, t.destroy(vdev[0]));

            // Try again with 0x88
            assertEquals(0, t.vdeviceAlloc(viommuId, deviceId, 0x88, vdev));
            assertEquals(0, t.mockDomainReplace(stdevId, nestedHwptId, null));
            // Trigger an overflow with three events
            assertEquals(0, t.triggerVevents(deviceId, 3));
            expect(Errno.EOVERFLOW, t.readVevents(veventqFd, 3, 0x88, prevSeq));
            // Overflow must be gone after the previous reads
            assertEquals(0, t.triggerVevents(deviceId, 1));
            assertEquals(0, t.readVevents(veventqFd, 1, 0x88, prevSeq));
            machine.process().close(veventqFd);
            assertEquals(0, t.mockDomainReplace(stdevId, ioasId, null));
            assertEquals(0, t.destroy(vdev[0]));
            assertEquals(0, t.destroy(veventqId));
        } else {
            expect(Errno.ENOENT, t.vdeviceAlloc(viommuId, deviceId, 0x99, null));
        }
    }

    @KernelTest
    void vdevice_cache() {
        skipUnless(deviceId);
        int[] vdev = new int[1];
        assertEquals(0, t.vdeviceAlloc(viommuId, deviceId, 0x99, vdev));
        checkCacheAll(IOMMU_TEST_DEV_CACHE_DEFAULT);

        byte[] zeros = invEntries(inv(0, 0, 0), inv(0, 0, 0));
        // Check data_type by passing zero-length array
        int[] num = {0};
        assertEquals(0, viommuInvalidate(zeros, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, INV_SIZE, num));
        assertEquals(0, num[0]);

        // Negative test: Invalid data_type
        num[0] = 1;
        expect(Errno.EINVAL, viommuInvalidate(zeros, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST_INVALID, INV_SIZE, num));
        assertEquals(0, num[0]);

        // Negative test: structure size sanity
        num[0] = 1;
        expect(Errno.EINVAL, viommuInvalidate(zeros, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, INV_SIZE + 1, num));
        assertEquals(0, num[0]);
        num[0] = 1;
        expect(Errno.EINVAL, viommuInvalidate(zeros, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, 1, num));
        assertEquals(0, num[0]);

        // Negative test: invalid flag is passed
        num[0] = 1;
        expect(Errno.EOPNOTSUPP, viommuInvalidate(invEntries(inv(0xffffffff, 0x99, 0), inv(0, 0, 0)),
                IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, INV_SIZE, num));
        assertEquals(0, num[0]);

        // Negative test: invalid data_uptr when array is not empty
        num[0] = 1;
        expect(Errno.EINVAL, viommuInvalidate(null, IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, INV_SIZE, num));
        assertEquals(0, num[0]);

        // Negative test: invalid entry_len when array is not empty
        num[0] = 1;
        expect(Errno.EINVAL, viommuInvalidate(invEntries(inv(0, 0x99, 0), inv(0, 0, 0)),
                IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, 0, num));
        assertEquals(0, num[0]);

        // Negative test: invalid cache_id
        num[0] = 1;
        expect(Errno.EINVAL, viommuInvalidate(invEntries(inv(0, 0x99, MOCK_DEV_CACHE_ID_MAX + 1), inv(0, 0, 0)),
                IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, INV_SIZE, num));
        assertEquals(0, num[0]);

        // Negative test: invalid vdev_id
        num[0] = 1;
        expect(Errno.EINVAL, viommuInvalidate(invEntries(inv(0, 0x9, 0), inv(0, 0, 0)),
                IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, INV_SIZE, num));
        assertEquals(0, num[0]);

        // Invalidate the 1st cache entry but fail the 2nd request due to invalid flags
        num[0] = 2;
        expect(Errno.EOPNOTSUPP, viommuInvalidate(invEntries(inv(0, 0x99, 0), inv(0xffffffff, 0x99, 1)),
                IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, INV_SIZE, num));
        assertEquals(1, num[0]);
        checkCache(0, 0);
        checkCache(1, IOMMU_TEST_DEV_CACHE_DEFAULT);
        checkCache(2, IOMMU_TEST_DEV_CACHE_DEFAULT);
        checkCache(3, IOMMU_TEST_DEV_CACHE_DEFAULT);

        // Invalidate the 1st cache entry but fail the 2nd request due to invalid cache_id
        num[0] = 2;
        expect(Errno.EINVAL, viommuInvalidate(invEntries(inv(0, 0x99, 0), inv(0, 0x99, MOCK_DEV_CACHE_ID_MAX + 1)),
                IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, INV_SIZE, num));
        assertEquals(1, num[0]);
        checkCache(0, 0);
        checkCache(1, IOMMU_TEST_DEV_CACHE_DEFAULT);
        checkCache(2, IOMMU_TEST_DEV_CACHE_DEFAULT);
        checkCache(3, IOMMU_TEST_DEV_CACHE_DEFAULT);

        // Invalidate the 2nd cache entry and verify
        num[0] = 1;
        assertEquals(0, viommuInvalidate(invEntries(inv(0, 0x99, 1), inv(0, 0x99, MOCK_DEV_CACHE_ID_MAX + 1)),
                IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, INV_SIZE, num));
        assertEquals(1, num[0]);
        checkCache(0, 0);
        checkCache(1, 0);
        checkCache(2, IOMMU_TEST_DEV_CACHE_DEFAULT);
        checkCache(3, IOMMU_TEST_DEV_CACHE_DEFAULT);

        // Invalidate the 3rd and 4th cache entries and verify
        num[0] = 2;
        assertEquals(0, viommuInvalidate(invEntries(inv(0, 0x99, 2), inv(0, 0x99, 3)),
                IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, INV_SIZE, num));
        assertEquals(2, num[0]);
        checkCacheAll(0);

        // Invalidate all cache entries for nested_dev_id[1] and verify
        num[0] = 1;
        assertEquals(0, viommuInvalidate(invEntries(inv(IOMMU_TEST_INVALIDATE_FLAG_ALL, 0x99, 2), inv(0, 0x99, 3)),
                IOMMU_VIOMMU_INVALIDATE_DATA_SELFTEST, INV_SIZE, num));
        assertEquals(1, num[0]);
        checkCacheAll(0);
        assertEquals(0, t.destroy(vdev[0]));
    }

    @KernelTest
    void hw_queue() {
        skipUnless(viommuId);
        long iova = MOCK_APERTURE_START;
        int[] q0 = new int[1];
        int[] q1 = new int[1];
        // Fail IOMMU_HW_QUEUE_TYPE_DEFAULT
        expect(Errno.EOPNOTSUPP, t.hwQueueAlloc(viommuId, IommuHwQueueType.DEFAULT, 0, iova, PAGE_SIZE, q0));
        // Fail queue addr and length
        expect(Errno.EINVAL, t.hwQueueAlloc(viommuId, IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova, 0, q0));
        expect(Errno.EOVERFLOW, t.hwQueueAlloc(viommuId, IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, ~0L, PAGE_SIZE, q0));
        // Fail missing iova
        expect(Errno.ENOENT, t.hwQueueAlloc(viommuId, IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova, PAGE_SIZE, q0));

        // Map iova
        iova = t.ioasMap(ioasId, machine.buffer(), PAGE_SIZE);
        long iova2 = t.ioasMap(ioasId, machine.buffer() + PAGE_SIZE, PAGE_SIZE);

        // Fail index=1 and =MAX; must start from index=0
        expect(Errno.EIO, t.hwQueueAlloc(viommuId, IOMMU_HW_QUEUE_TYPE_SELFTEST, 1, iova, PAGE_SIZE, q0));
        expect(Errno.EINVAL, t.hwQueueAlloc(viommuId, IOMMU_HW_QUEUE_TYPE_SELFTEST, IOMMU_TEST_HW_QUEUE_MAX, iova, PAGE_SIZE, q0));

        // Allocate index=0, declare ownership of the iova
        assertEquals(0, t.hwQueueAlloc(viommuId, IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova, PAGE_SIZE, q0));
        // Fail duplicated index
        expect(Errno.EEXIST, t.hwQueueAlloc(viommuId, IOMMU_HW_QUEUE_TYPE_SELFTEST, 0, iova, PAGE_SIZE, q0));
        // Fail unmap, due to iova ownership
        expect(Errno.EBUSY, t.ioasUnmap(ioasId, iova, PAGE_SIZE));
        // The 2nd page is not pinned, so it can be unmmap
        assertEquals(0, t.ioasUnmap(ioasId, iova2, PAGE_SIZE));

        // Allocate index=1, with an unaligned case
        assertEquals(0, t.hwQueueAlloc(viommuId, IOMMU_HW_QUEUE_TYPE_SELFTEST, 1, iova + PAGE_SIZE / 2, PAGE_SIZE / 2, q1));
        // Fail to destroy, due to dependency
        expect(Errno.EBUSY, t.destroy(q0[0]));

        // Destroy in descending order
        assertEquals(0, t.destroy(q1[0]));
        assertEquals(0, t.destroy(q0[0]));
        // Now it can unmap the first page
        assertEquals(0, t.ioasUnmap(ioasId, iova, PAGE_SIZE));
    }

    @KernelTest
    void vdevice_tombstone() {
        skipUnless(deviceId);
        int[] vdev = new int[1];
        assertEquals(0, t.vdeviceAlloc(viommuId, deviceId, 0x99, vdev));
        assertEquals(0, t.destroy(stdevId));
        expect(Errno.ENOENT, t.destroy(vdev[0]));
    }
}
