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
            assertEquals(Errno.EOPNOTSUPP.value(), t.testCmd(5 /* CREATE_ACCESS */, 0, null, null));
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
