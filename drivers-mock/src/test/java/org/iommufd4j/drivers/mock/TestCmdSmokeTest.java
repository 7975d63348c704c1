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
}
