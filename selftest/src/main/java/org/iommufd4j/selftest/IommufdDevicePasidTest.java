package org.iommufd4j.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.IommufdUtils;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.uapi.selftest.SelftestUapi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * FIXTURE(iommufd_device_pasid) of tools/testing/selftests/iommu/iommufd.c: the PASID attach,
 * replace and detach rules on a mock device.
 */
@Fixture(value = "iommufd_device_pasid", variants = IommufdDevicePasidTest.Variant.class)
@MockOnly("MOCK_FLAGS_DEVICE_PASID mock devices")
final class IommufdDevicePasidTest {
    private static final int EINVAL = Errno.EINVAL.value();

    /** The FIXTURE_VARIANT_ADD entries: pasid_capable. */
    enum Variant {
        no_pasid(false),
        has_pasid(true);

        final boolean pasidCapable;

        Variant(boolean pasidCapable) {
            this.pasidCapable = pasidCapable;
        }
    }

    private SelftestMachine machine;
    private IommufdUtils t;
    private Variant variant;
    private int ioasId;
    private int hwptId;
    private int stdevId;
    private int deviceId;
    private int noPasidStdevId;
    private int noPasidDeviceId;

    @BeforeEach
    void setup(SelftestMachine machine, Variant variant) {
        this.machine = machine;
        this.variant = variant;
        // The mock driver answers IOMMU_TEST_CMD once it is loaded (the kernel's CONFIG_IOMMUFD_TEST).
        machine.driverUnderTest();
        t = new IommufdUtils(machine);
        ioasId = t.ioasAlloc();

        int[] ids = t.mockDomain(ioasId, SelftestUapi.MOCK_FLAGS_DEVICE_PASID);
        stdevId = ids[0];
        hwptId = ids[1];
        deviceId = ids[2];
        if (!variant.pasidCapable) {
            int[] noPasid = t.mockDomain(ioasId, 0);
            noPasidStdevId = noPasid[0];
            noPasidDeviceId = noPasid[2];
        }
    }

    @AfterEach
    void teardown() {
        machine.close();
    }

    private void pasidAttach(int pasid, int ptId) {
        assertEquals(0, t.pasidOp(IommuTestOp.PASID_ATTACH, stdevId, pasid, ptId), "PASID_ATTACH " + pasid + " to " + ptId);
    }

    private void pasidReplace(int pasid, int ptId) {
        assertEquals(0, t.pasidOp(IommuTestOp.PASID_REPLACE, stdevId, pasid, ptId), "PASID_REPLACE " + pasid + " to " + ptId);
    }

    private void pasidDetach(int pasid) {
        assertEquals(0, t.pasidOp(IommuTestOp.PASID_DETACH, stdevId, pasid, 0), "PASID_DETACH " + pasid);
    }

    /** test_cmd_pasid_check_hwpt: 0 when {@code pasid} of the device is attached to {@code ptId} (0: nothing). */
    private int pasidCheckHwpt(int pasid, int ptId) {
        return t.pasidOp(IommuTestOp.PASID_CHECK_HWPT, stdevId, pasid, ptId);
    }

    @KernelTest
    void pasid_attach() {
        byte[] data = IommufdUtils.selftestData(SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT, 0);
        int[] nestedHwptId = new int[3];
        int[] id = new int[1];
        int pasid = 100;

        // Negative, detach pasid without attaching, this is not expected.
        // But it should not result in failure anyway.
        pasidDetach(pasid);

        // Allocate two nested hwpts sharing one common parent hwpt
        int parentHwptId = t.hwptAlloc(deviceId, ioasId, IommuHwptAllocFlags.NEST_PARENT);
        for (int i = 0; i < 2; i++) {
            assertEquals(0, t.hwptAlloc(deviceId, parentHwptId, IommuHwptAllocFlags.PASID,
                    SelftestUapi.IOMMU_HWPT_DATA_SELFTEST, data, id), "nested hwpt " + i);
            nestedHwptId[i] = id[0];
        }

        // Fault related preparation
        int[] fault = new int[2];
        assertEquals(0, t.faultAlloc(fault));
        int faultId = fault[0];
        int faultFd = fault[1];
        int[] iopfHwptId = new int[1];
        assertEquals(0, t.hwptAllocIopf(deviceId, parentHwptId, faultId,
                IommuHwptAllocFlags.FAULT_ID_VALID | IommuHwptAllocFlags.PASID,
                SelftestUapi.IOMMU_HWPT_DATA_SELFTEST, data, iopfHwptId));

        // Allocate a regular nested hwpt based on viommu
        int[] viommuId = new int[1];
        assertEquals(0, t.viommuAlloc(deviceId, parentHwptId, SelftestUapi.IOMMU_VIOMMU_TYPE_SELFTEST, null, viommuId, null));
        assertEquals(0, t.hwptAlloc(deviceId, viommuId[0], IommuHwptAllocFlags.PASID,
                SelftestUapi.IOMMU_HWPT_DATA_SELFTEST, data, id), "nested hwpt 2 on the vIOMMU");
        nestedHwptId[2] = id[0];

        int s2HwptId = t.hwptAlloc(deviceId, ioasId, IommuHwptAllocFlags.PASID);

        // Attach RID to non-pasid compat domain,
        assertEquals(0, t.mockDomainReplace(stdevId, parentHwptId, null));
        // then attach to pasid should fail
        assertEquals(EINVAL, t.pasidOp(IommuTestOp.PASID_ATTACH, stdevId, pasid, s2HwptId));

        // Attach RID to pasid compat domain,
        assertEquals(0, t.mockDomainReplace(stdevId, s2HwptId, null));
        // then attach to pasid should succeed,
        pasidAttach(pasid, nestedHwptId[0]);
        // but attach RID to non-pasid compat domain should fail now.
        assertEquals(EINVAL, t.mockDomainReplace(stdevId, parentHwptId, null));
        // Detach hwpt from pasid 100, and check if the pasid 100 has null domain.
        pasidDetach(pasid);
        assertEquals(0, pasidCheckHwpt(pasid, 0));
        // RID is attached to pasid-compat domain, pasid path is not used

        if (!variant.pasidCapable) {
            // PASID-compatible domain can be used by non-PASID-capable device.
            assertEquals(0, t.mockDomainReplace(noPasidStdevId, nestedHwptId[0], null));
            assertEquals(0, t.mockDomainReplace(noPasidStdevId, ioasId, null));
            // Attach hwpt to pasid 100 of non-PASID-capable device, should fail, no matter domain
            // is pasid-compat or not.
            assertEquals(EINVAL, t.pasidOp(IommuTestOp.PASID_ATTACH, noPasidStdevId, pasid, parentHwptId));
            assertEquals(EINVAL, t.pasidOp(IommuTestOp.PASID_ATTACH, noPasidStdevId, pasid, s2HwptId));
        }

        // Attach non pasid compat hwpt to pasid-capable device, should fail, and have null domain.
        assertEquals(EINVAL, t.pasidOp(IommuTestOp.PASID_ATTACH, stdevId, pasid, parentHwptId));
        assertEquals(0, pasidCheckHwpt(pasid, 0));

        // Attach ioas to pasid 100, should fail, domain should be null.
        assertEquals(EINVAL, t.pasidOp(IommuTestOp.PASID_ATTACH, stdevId, pasid, ioasId));
        assertEquals(0, pasidCheckHwpt(pasid, 0));

        // Attach the s2_hwpt to pasid 100, should succeed, domain should be valid.
        pasidAttach(pasid, s2HwptId);
        assertEquals(0, pasidCheckHwpt(pasid, s2HwptId));

        // Try attach pasid 100 with another hwpt, should FAIL as attach does not allow overwrite,
        // use REPLACE instead.
        assertEquals(Errno.EBUSY.value(), t.pasidOp(IommuTestOp.PASID_ATTACH, stdevId, pasid, nestedHwptId[0]));

        // Detach hwpt from pasid 100 for next test, should succeed, and have null domain.
        pasidDetach(pasid);
        assertEquals(0, pasidCheckHwpt(pasid, 0));

        // Attach nested hwpt to pasid 100, should succeed, domain should be valid.
        pasidAttach(pasid, nestedHwptId[0]);
        assertEquals(0, pasidCheckHwpt(pasid, nestedHwptId[0]));

        // Attach to pasid 100 which has been attached, should fail.
        assertEquals(Errno.EBUSY.value(), t.pasidOp(IommuTestOp.PASID_ATTACH, stdevId, pasid, nestedHwptId[0]));

        // cleanup pasid 100
        pasidDetach(pasid);

        // Replace tests
        pasid = 200;
        // Replace pasid 200 without attaching it, should fail with -EINVAL.
        assertEquals(EINVAL, t.pasidOp(IommuTestOp.PASID_REPLACE, stdevId, pasid, s2HwptId));

        // Attach the s2 hwpt to pasid 200, should succeed, domain should be valid.
        pasidAttach(pasid, s2HwptId);
        assertEquals(0, pasidCheckHwpt(pasid, s2HwptId));

        // Replace pasid 200 with self->ioas_id, should fail and domain should be the prior s2 hwpt.
        assertEquals(EINVAL, t.pasidOp(IommuTestOp.PASID_REPLACE, stdevId, pasid, ioasId));
        assertEquals(0, pasidCheckHwpt(pasid, s2HwptId));

        // Replace a nested hwpt for pasid 200, should succeed, and have valid domain.
        pasidReplace(pasid, nestedHwptId[0]);
        assertEquals(0, pasidCheckHwpt(pasid, nestedHwptId[0]));

        // Replace with another nested hwpt for pasid 200, should succeed, and have valid domain.
        pasidReplace(pasid, nestedHwptId[1]);
        assertEquals(0, pasidCheckHwpt(pasid, nestedHwptId[1]));

        // cleanup pasid 200
        pasidDetach(pasid);

        // Negative Tests for pasid replace, use pasid 1024
        // Attach the s2 hwpt to pasid 1024, should succeed, domain should be valid.
        pasid = SelftestUapi.IOMMU_TEST_PASID_RESERVED;
        pasidAttach(pasid, s2HwptId);
        assertEquals(0, pasidCheckHwpt(pasid, s2HwptId));

        // Replace pasid 1024 with nested_hwpt_id[0], should fail, but have the old valid domain.
        // This is a designed negative case. Normally, this shall succeed.
        assertEquals(Errno.ENOMEM.value(), t.pasidOp(IommuTestOp.PASID_REPLACE, stdevId, pasid, nestedHwptId[0]));
        assertEquals(0, pasidCheckHwpt(pasid, s2HwptId));

        // cleanup pasid 1024
        pasidDetach(pasid);

        // Attach to iopf-capable hwpt
        // Attach an iopf hwpt to pasid 2048, should succeed, domain should be valid.
        pasid = 2048;
        pasidAttach(pasid, iopfHwptId[0]);
        assertEquals(0, pasidCheckHwpt(pasid, iopfHwptId[0]));
        // test_cmd_trigger_iopf_pasid: the fault is read from the fault fd and answered.
        assertEquals(0, t.triggerIopf(deviceId, pasid, faultFd));
        // Replace with s2_hwpt_id for pasid 2048, should succeed, and have valid domain.
        pasidReplace(pasid, s2HwptId);
        assertEquals(0, pasidCheckHwpt(pasid, s2HwptId));
        // cleanup pasid 2048
        pasidDetach(pasid);
        assertEquals(0, t.destroy(iopfHwptId[0]));
        machine.process().close(faultFd);
        assertEquals(0, t.destroy(faultId));

        // Detach the s2_hwpt_id from RID
        assertEquals(0, t.mockDomainReplace(stdevId, ioasId, null));
    }
}
