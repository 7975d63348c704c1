package org.iommufd4j.drivers.mock;

import org.iommufd4j.uapi.selftest.SelftestUapi;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel's FIXTURE(iommufd_device_pasid) pasid_attach, variants no_pasid and has_pasid. The
 * iopf HWPT on PASID 2048 and the vIOMMU-based nested HWPT need fault queues and vIOMMUs, which are
 * later tasks; everything else is asserted as the kernel test does.
 */
class IommufdDevicePasidTest {
    private static final int ATTACH = IommuTestOp.PASID_ATTACH;
    private static final int REPLACE = IommuTestOp.PASID_REPLACE;
    private static final int DETACH = IommuTestOp.PASID_DETACH;
    private static final int CHECK = IommuTestOp.PASID_CHECK_HWPT;

    @ParameterizedTest(name = "pasid_capable={0}")
    @ValueSource(booleans = {false, true})
    void pasidAttach(boolean pasidCapable) {
        try (MockKselftest t = new MockKselftest()) {
            int ioasId = t.ioasAlloc();
            int[] dev = t.mockDomain(ioasId, SelftestUapi.MOCK_FLAGS_DEVICE_PASID);
            int stdevId = dev[0];
            int deviceId = dev[2];
            int[] noPasid = pasidCapable ? null : t.mockDomain(ioasId, 0);
            byte[] data = MockKselftest.selftestData(SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT, 0);
            int sel = SelftestUapi.IOMMU_HWPT_DATA_SELFTEST;
            int pasid = 100;

            // Detaching a PASID that was never attached is not an error
            assertEquals(0, t.pasidOp(DETACH, stdevId, pasid, 0));

            int parent = t.hwptAlloc(deviceId, ioasId, IommuHwptAllocFlags.NEST_PARENT);
            int[] nested = new int[2];
            int[] id = new int[1];
            for (int i = 0; i < 2; i++) {
                assertEquals(0, t.hwptAlloc(deviceId, parent, IommuHwptAllocFlags.PASID, sel, data, id));
                nested[i] = id[0];
            }
            int s2 = t.hwptAlloc(deviceId, ioasId, IommuHwptAllocFlags.PASID);

            // RID on a domain that is not PASID-compatible: PASID attach fails
            assertEquals(0, t.mockDomainReplace(stdevId, parent, null));
            assertEquals(Errno.EINVAL.value(), t.pasidOp(ATTACH, stdevId, pasid, s2));
            // RID on a PASID-compatible domain: PASID attach works ...
            assertEquals(0, t.mockDomainReplace(stdevId, s2, null));
            assertEquals(0, t.pasidOp(ATTACH, stdevId, pasid, nested[0]));
            // ... and the RID can no longer move to a domain that is not PASID-compatible
            assertEquals(Errno.EINVAL.value(), t.mockDomainReplace(stdevId, parent, null));
            assertEquals(0, t.pasidOp(DETACH, stdevId, pasid, 0));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, 0));

            if (!pasidCapable) {
                // A PASID-compatible domain can be used by a device without PASID support ...
                assertEquals(0, t.mockDomainReplace(noPasid[0], nested[0], null));
                assertEquals(0, t.mockDomainReplace(noPasid[0], ioasId, null));
                // ... but its PASIDs cannot be attached, whatever the domain
                assertEquals(Errno.EINVAL.value(), t.pasidOp(ATTACH, noPasid[0], pasid, parent));
                assertEquals(Errno.EINVAL.value(), t.pasidOp(ATTACH, noPasid[0], pasid, s2));
            }

            // A HWPT that is not PASID-compatible: fails, nothing attached
            assertEquals(Errno.EINVAL.value(), t.pasidOp(ATTACH, stdevId, pasid, parent));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, 0));
            // An IOAS on a PASID: fails, nothing attached
            assertEquals(Errno.EINVAL.value(), t.pasidOp(ATTACH, stdevId, pasid, ioasId));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, 0));

            assertEquals(0, t.pasidOp(ATTACH, stdevId, pasid, s2));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, s2));
            assertEquals(Errno.EINVAL.value(), t.pasidOp(CHECK, stdevId, pasid, nested[0]), "CHECK_HWPT of another HWPT");
            // Attach does not overwrite: EBUSY
            assertEquals(Errno.EBUSY.value(), t.pasidOp(ATTACH, stdevId, pasid, nested[0]));
            assertEquals(Errno.EBUSY.value(), t.destroy(s2), "a PASID attachment holds its HWPT");
            assertEquals(0, t.pasidOp(DETACH, stdevId, pasid, 0));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, 0));

            assertEquals(0, t.pasidOp(ATTACH, stdevId, pasid, nested[0]));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, nested[0]));
            assertEquals(Errno.EBUSY.value(), t.pasidOp(ATTACH, stdevId, pasid, nested[0]));
            assertEquals(0, t.pasidOp(DETACH, stdevId, pasid, 0));

            // Replace
            pasid = 200;
            assertEquals(Errno.EINVAL.value(), t.pasidOp(REPLACE, stdevId, pasid, s2), "replace needs a prior attach");
            assertEquals(0, t.pasidOp(ATTACH, stdevId, pasid, s2));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, s2));
            assertEquals(Errno.EINVAL.value(), t.pasidOp(REPLACE, stdevId, pasid, ioasId));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, s2));
            assertEquals(0, t.pasidOp(REPLACE, stdevId, pasid, nested[0]));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, nested[0]));
            assertEquals(0, t.pasidOp(REPLACE, stdevId, pasid, nested[1]));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, nested[1]));
            assertEquals(0, t.destroy(nested[0]), "the replaced HWPT was released");
            assertEquals(0, t.pasidOp(DETACH, stdevId, pasid, 0));

            // Replace failure on IOMMU_TEST_PASID_RESERVED: the old domain stays
            pasid = SelftestUapi.IOMMU_TEST_PASID_RESERVED;
            assertEquals(0, t.pasidOp(ATTACH, stdevId, pasid, s2));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, s2));
            assertEquals(Errno.ENOMEM.value(), t.pasidOp(REPLACE, stdevId, pasid, nested[1]));
            assertEquals(0, t.pasidOp(CHECK, stdevId, pasid, s2));
            assertEquals(0, t.pasidOp(DETACH, stdevId, pasid, 0));

            // PASIDs beyond the device's 20 bits
            assertEquals(Errno.EINVAL.value(), t.pasidOp(ATTACH, stdevId, 1 << 20, s2));

            // Detach the s2 HWPT from the RID; destroying the selftest object releases everything
            assertEquals(0, t.mockDomainReplace(stdevId, ioasId, null));
            assertEquals(Errno.EINVAL.value(), t.pasidOp(ATTACH, stdevId, 300, nested[1]),
                    "the automatic domain of the RID is not PASID-compatible");
            assertEquals(0, t.mockDomainReplace(stdevId, s2, null));
            assertEquals(0, t.pasidOp(ATTACH, stdevId, 300, nested[1]));
            assertEquals(0, t.destroy(stdevId));
            assertEquals(0, t.destroy(nested[1]));
            assertEquals(0, t.destroy(s2));
        }
    }
}
