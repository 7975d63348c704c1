package org.iommufd4j.drivers.mock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.iommufd4j.uapi.Errno;
import org.junit.jupiter.api.Test;

class TestCmdSmokeTest {
    @Test
    void mockDomainBindsAttachesAndIsDestroyedWithItsSelftestObject() {
        try (MockKselftest t = new MockKselftest()) {
            int ioas = t.ioasAlloc();
            int[] ids = t.mockDomain(ioas, 0);
            assertNotEquals(0, ids[0]);
            assertNotEquals(0, ids[1]);
            assertNotEquals(0, ids[2]);
            assertEquals(Errno.EBUSY.value(), t.destroy(ioas));
            assertEquals(Errno.EBUSY.value(), t.destroy(ids[2]), "the DEVICE is held by its selftest object");
            assertEquals(0, t.destroy(ids[0]));
            assertEquals(Errno.ENOENT.value(), t.destroy(ids[1]), "the automatic HWPT left with its last device");
            assertEquals(0, t.destroy(ioas));
        }
    }

    @Test
    void unknownOpIsEopnotsupp() {
        try (MockKselftest t = new MockKselftest()) {
            assertEquals(Errno.EOPNOTSUPP.value(), t.testCmd(999, 0, null, null));
        }
    }

    @Test
    void accessOpsCheckTheirTargets() {
        try (MockKselftest t = new MockKselftest()) {
            // CREATE_ACCESS needs an IOAS; unknown flags are refused before anything is made
            assertEquals(Errno.ENOENT.value(), t.testCmd(org.iommufd4j.uapi.selftest.IommuTestOp.CREATE_ACCESS, 0,
                    new org.iommufd4j.uapi.selftest.IommuTestPayloads.CreateAccess(0, 0), null));
            int ioas = t.ioasAlloc();
            assertEquals(Errno.EOPNOTSUPP.value(), t.testCmd(org.iommufd4j.uapi.selftest.IommuTestOp.CREATE_ACCESS, ioas,
                    new org.iommufd4j.uapi.selftest.IommuTestPayloads.CreateAccess(0, 2), null));
            // The other access ops take an access fd: anything else is EBADFD (selftest.c iommufd_access_get)
            assertEquals(Errno.EBADFD.value(), t.testCmd(org.iommufd4j.uapi.selftest.IommuTestOp.ACCESS_RW, 1234,
                    new org.iommufd4j.uapi.selftest.IommuTestPayloads.AccessRw(0, 1, 0, 0), null));
            assertEquals(0, t.destroy(ioas));
        }
    }

    @Test
    void theMockApertureIsReservedBelowItsStartInTheIoas() {
        try (MockKselftest t = new MockKselftest()) {
            int ioas = t.ioasAlloc();
            int[] ids = t.mockDomain(ioas, 0);
            long buffer = t.process.mmapAnonymous(MockKselftest.PAGE_SIZE, true);
            // The mock aperture starts at 16 MiB: the domain reserved what lies below it in the IOAS.
            assertEquals(Errno.EINVAL.value(), t.ioasMapFixed(ioas, buffer, MockKselftest.PAGE_SIZE,
                    MockKselftest.MOCK_APERTURE_START - MockKselftest.PAGE_SIZE));
            assertEquals(0, t.ioasMapFixed(ioas, buffer, MockKselftest.PAGE_SIZE, MockKselftest.MOCK_APERTURE_START));
            assertEquals(0, t.checkMap(ids[1], MockKselftest.MOCK_APERTURE_START, buffer, MockKselftest.PAGE_SIZE));
        }
    }

    @Test
    void checkRefsFaultsUntouchedPagesInAndRefusesUnmappedOnes() {
        try (MockKselftest t = new MockKselftest()) {
            long size = 4 * MockKselftest.PAGE_SIZE;
            long buf = t.process.mmapAnonymous(size, true);
            assertEquals(0, t.checkRefs(buf, size, 0), "a page never touched has no pin");
            assertEquals(Errno.EIO.value(), t.checkRefs(buf, size, 1));
            t.process.munmap(buf + size / 2, size / 2);
            assertEquals(Errno.EFAULT.value(), t.checkRefs(buf, size, 0), "an unmapped page is EFAULT");
        }
    }
}
