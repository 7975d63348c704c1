package org.iommufd4j.drivers.mock;

import org.iommufd4j.uapi.selftest.SelftestUapi;
import static org.iommufd4j.drivers.mock.MockKselftest.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommufd4j.uapi.selftest.SelftestUapi.IommuHwptInvalidateSelftest;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.CheckIotlb;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuHwptDataType;
import org.iommufd4j.uapi.StructCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The parts of the kernel's iommufd_ioas.alloc_hwpt_nested that need no fault queue, for the
 * no_domain, mock_domain (with a PASID-capable second device) and two_mock_domain variants. The
 * suite's port of that case (selftest IommufdIoasTest) stays pending until fault queues exist;
 * delete this class when it runs. hwpt_attach and get_hw_info moved to the suite.
 */
class IommufdIoasHwptTest {
    static final class Fixture implements AutoCloseable {
        final MockKselftest t = new MockKselftest();
        final int ioasId;
        int stdevId;
        int hwptId;
        int deviceId;
        int devicePasidId;

        /** @param variant 0 = no_domain, 1 = mock_domain (+PASID device), 2 = two_mock_domain */
        Fixture(int variant) {
            ioasId = t.ioasAlloc();
            int domains = variant == 0 ? 0 : variant;
            for (int i = 0; i < domains; i++) {
                int[] ids = t.mockDomain(ioasId, 0);
                stdevId = ids[0];
                hwptId = ids[1];
                deviceId = ids[2];
            }
            if (variant == 1) {
                devicePasidId = t.mockDomain(ioasId, SelftestUapi.MOCK_FLAGS_DEVICE_PASID)[2];
            }
        }

        @Override
        public void close() {
            t.close();
        }
    }

    /** alloc_hwpt_nested without the fault queue (iopf) and vIOMMU steps, which are later tasks. */
    @ParameterizedTest(name = "variant {0}")
    @ValueSource(ints = {0, 1, 2})
    void allocHwptNested(int variant) {
        try (Fixture f = new Fixture(variant)) {
            MockKselftest t = f.t;
            byte[] data = MockKselftest.selftestData(SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT, 0);
            int sel = SelftestUapi.IOMMU_HWPT_DATA_SELFTEST;
            int[] id = new int[1];
            if (f.deviceId == 0) {
                assertEquals(Errno.ENOENT.value(), t.hwptAlloc(f.deviceId, f.ioasId, 0, 0, null, id));
                assertEquals(Errno.ENOENT.value(), t.hwptAlloc(f.deviceId, 0, 0, sel, data, id));
                assertEquals(Errno.ENOENT.value(), t.mockDomainReplace(f.stdevId, 0, null));
                return;
            }
            // Negative tests
            assertEquals(Errno.ENOENT.value(), t.hwptAlloc(f.ioasId, f.deviceId, 0, 0, null, id));
            assertEquals(Errno.EINVAL.value(), t.hwptAlloc(f.deviceId, f.deviceId, 0, 0, null, id));
            assertEquals(Errno.EOPNOTSUPP.value(), t.hwptAlloc(f.deviceId, f.ioasId,
                    IommuHwptAllocFlags.NEST_PARENT | IommuHwptAllocFlags.FAULT_ID_VALID, 0, null, id));
            int parent = t.hwptAlloc(f.deviceId, f.ioasId, IommuHwptAllocFlags.NEST_PARENT);
            int parentNotWork = t.hwptAlloc(f.deviceId, f.ioasId, 0);

            // Negative nested tests
            assertEquals(Errno.EINVAL.value(), t.hwptAlloc(f.deviceId, parent, 0, IommuHwptDataType.NONE, data, id));
            assertEquals(Errno.EOPNOTSUPP.value(), t.hwptAlloc(f.deviceId, parent, 0, sel + 1, data, id));
            assertEquals(Errno.EINVAL.value(), t.hwptAlloc(f.deviceId, parent, 0, sel, java.util.Arrays.copyOf(data, 3), id));
            assertEquals(Errno.EFAULT.value(), t.hwptAlloc(f.deviceId, parent, 0, sel, 0, data.length, id));
            assertEquals(Errno.EOPNOTSUPP.value(), t.hwptAlloc(f.deviceId, parent, IommuHwptAllocFlags.NEST_PARENT, sel, data, id));
            assertEquals(Errno.EINVAL.value(), t.hwptAlloc(f.deviceId, parentNotWork, 0, sel, data, id));

            // Two nested HWPTs sharing one parent
            int[] nested = new int[2];
            for (int i = 0; i < 2; i++) {
                assertEquals(0, t.hwptAlloc(f.deviceId, parent, 0, sel, data, id));
                nested[i] = id[0];
                checkIotlbAll(t, nested[i], SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);
            }
            // A fault queue cannot exist yet: any fault_id is ENOENT, and nothing is left behind
            assertEquals(Errno.ENOENT.value(), t.hwptAlloc(f.deviceId, parent, IommuHwptAllocFlags.FAULT_ID_VALID, sel, data, id));
            // Nested on nested
            assertEquals(Errno.EINVAL.value(), t.hwptAlloc(f.deviceId, nested[0], 0, sel, data, id));
            // The parent is busy
            assertEquals(Errno.EBUSY.value(), t.destroy(parent));

            // hwpt_invalidate does not support a parent hwpt
            long reqs = t.process.mmapAnonymous(PAGE_SIZE, false);
            int entry = 8;
            int[] num = {1};
            assertEquals(Errno.EINVAL.value(), t.hwptInvalidate(parent, reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, entry, num));
            assertEquals(0, num[0]);
            // Check data_type by passing a zero-length array
            num[0] = 0;
            assertEquals(0, t.hwptInvalidate(nested[0], reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, entry, num));
            assertEquals(0, num[0]);
            // Invalid data_type
            num[0] = 1;
            assertEquals(Errno.EINVAL.value(), t.hwptInvalidate(nested[0], reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST_INVALID, entry, num));
            assertEquals(0, num[0]);
            // Structure size sanity
            num[0] = 1;
            assertEquals(Errno.EINVAL.value(), t.hwptInvalidate(nested[0], reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, entry + 1, num));
            assertEquals(0, num[0]);
            num[0] = 1;
            assertEquals(Errno.EINVAL.value(), t.hwptInvalidate(nested[0], reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, 1, num));
            assertEquals(0, num[0]);
            // Invalid flag
            writeInv(t, reqs, 0, 0xffffffff, 0);
            num[0] = 1;
            assertEquals(Errno.EOPNOTSUPP.value(), t.hwptInvalidate(nested[0], reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, entry, num));
            assertEquals(0, num[0]);
            // Invalid data_uptr when the array is not empty
            writeInv(t, reqs, 0, 0, 0);
            num[0] = 1;
            assertEquals(Errno.EINVAL.value(), t.hwptInvalidate(nested[0], 0, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, entry, num));
            assertEquals(0, num[0]);
            // Invalid entry_len when the array is not empty
            num[0] = 1;
            assertEquals(Errno.EINVAL.value(), t.hwptInvalidate(nested[0], reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, 0, num));
            assertEquals(0, num[0]);
            // Invalid iotlb_id
            writeInv(t, reqs, 0, 0, SelftestUapi.MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1);
            num[0] = 1;
            assertEquals(Errno.EINVAL.value(), t.hwptInvalidate(nested[0], reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, entry, num));
            assertEquals(0, num[0]);
            checkIotlbAll(t, nested[0], SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);
            // Partial success: the second entry is bad, the first was handled
            writeInv(t, reqs, 0, 0, 0);
            writeInv(t, reqs, 1, 0, SelftestUapi.MOCK_NESTED_DOMAIN_IOTLB_ID_MAX + 1);
            num[0] = 2;
            assertEquals(Errno.EINVAL.value(), t.hwptInvalidate(nested[0], reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, entry, num));
            assertEquals(1, num[0]);
            checkIotlb(t, nested[0], 0, 0);
            checkIotlb(t, nested[0], 1, SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);
            // Invalidate entries 1 and 2, then all with FLAG_ALL
            writeInv(t, reqs, 0, 0, 1);
            writeInv(t, reqs, 1, 0, 2);
            num[0] = 2;
            assertEquals(0, t.hwptInvalidate(nested[0], reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, entry, num));
            assertEquals(2, num[0]);
            checkIotlb(t, nested[0], 3, SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT);
            writeInv(t, reqs, 0, SelftestUapi.IOMMU_TEST_INVALIDATE_FLAG_ALL, 0);
            num[0] = 1;
            assertEquals(0, t.hwptInvalidate(nested[1], reqs, SelftestUapi.IOMMU_HWPT_INVALIDATE_DATA_SELFTEST, entry, num));
            assertEquals(1, num[0]);
            checkIotlbAll(t, nested[1], 0);

            // Attach to nested[0], which is then busy; switch to nested[1]
            assertEquals(0, t.mockDomainReplace(f.stdevId, nested[0], null));
            assertEquals(Errno.EBUSY.value(), t.destroy(nested[0]));
            assertEquals(0, t.mockDomainReplace(f.stdevId, nested[1], null));
            assertEquals(Errno.EBUSY.value(), t.destroy(nested[1]));
            assertEquals(0, t.destroy(nested[0]));
            // Back to the parent, destroy nested[1], then back to the IOAS
            assertEquals(0, t.mockDomainReplace(f.stdevId, parent, null));
            assertEquals(0, t.destroy(nested[1]));
            assertEquals(0, t.mockDomainReplace(f.stdevId, f.ioasId, null));
            assertEquals(0, t.destroy(parent));
            assertEquals(0, t.destroy(parentNotWork));
        }
    }

    private static void writeInv(MockKselftest t, long reqs, int index, int flags, int iotlbId) {
        byte[] b = StructCodec.of(IommuHwptInvalidateSelftest.class).toBytes(new IommuHwptInvalidateSelftest(flags, iotlbId));
        t.process.write(reqs + index * 8L, b, 0, b.length);
    }

    private static void checkIotlb(MockKselftest t, int hwpt, int id, int value) {
        assertEquals(0, t.testCmd(IommuTestOp.MD_CHECK_IOTLB, hwpt, new CheckIotlb(id, value), null), "iotlb[" + id + "]");
    }

    private static void checkIotlbAll(MockKselftest t, int hwpt, int value) {
        for (int i = 0; i < SelftestUapi.MOCK_NESTED_DOMAIN_IOTLB_NUM; i++) {
            checkIotlb(t, hwpt, i, value);
        }
        assertEquals(Errno.EINVAL.value(), t.testCmd(IommuTestOp.MD_CHECK_IOTLB, hwpt, new CheckIotlb(0, value + 1), null));
    }
}
