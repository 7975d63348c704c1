package org.iommufd4j.drivers.mock;

import org.iommufd4j.uapi.selftest.SelftestUapi;
import static org.iommufd4j.drivers.mock.MockKselftest.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.junit.jupiter.api.Test;

/**
 * The device part of the kernel's iommufd_fail_nth.c {@code basic_fail_nth.device}, without the
 * vIOMMU, vDEVICE, HW queue, fault and vEVENT steps: run once cleanly, then once per injection
 * point with that point failing. Every run must leave nothing behind when the context closes: no
 * object, no pin, no page-table frame.
 */
class DeviceFailNthTest {
    private static final int MAX_ITERATIONS = 400;
    /** iommu_hwpt_selftest in user memory, written before the frame count is taken. */
    private static long data;

    @Test
    void everyInjectedFailureIsUndoneCompletely() {
        MockKselftest t = new MockKselftest();
        FailNth failNth = t.machine.failNth();
        long buffer = t.process.mmapAnonymous(4 * PAGE_SIZE, true);
        t.process.write(buffer, new byte[(int) (4 * PAGE_SIZE)], 0, (int) (4 * PAGE_SIZE));
        data = t.process.mmapAnonymous(PAGE_SIZE, false);
        byte[] selftest = MockKselftest.selftestData(SelftestUapi.IOMMU_TEST_IOTLB_DEFAULT, 0);
        t.process.write(data, selftest, 0, selftest.length);
        t.ctx.close();
        long frames = t.machine.memory().allocatedFrames();

        assertEquals(0, body(t, buffer, failNth, 0), "the body passes without injection");
        assertClean(t, buffer, frames);

        int n = 1;
        for (; n <= MAX_ITERATIONS; n++) {
            int left = body(t, buffer, failNth, n);
            assertClean(t, buffer, frames);
            if (left != 0) {
                break;
            }
        }
        assertTrue(n > 10 && n <= MAX_ITERATIONS, "the sweep covered " + n + " injection points");
    }

    private static void assertClean(MockKselftest t, long buffer, long frames) {
        assertEquals(0, t.machine.iommufd().liveObjects(), "objects left");
        assertEquals(0, t.process.pinCountAt(buffer), "pins left");
        assertEquals(frames, t.machine.memory().allocatedFrames(), "page-table frames left");
    }

    /** Returns what fail-nth reads after the body: 0 when the injection fired. */
    private static int body(MockKselftest t, long buffer, FailNth failNth, int n) {
        IommufdContext ctx = t.machine.iommufd().open(t.process);
        MockKselftest s = t.withContext(ctx);
        if (n > 0) {
            failNth.arm(n);
        }
        int rc = run(s, buffer);
        int left = failNth.disarm();
        if (n == 0) {
            assertEquals(0, rc);
        }
        ctx.close();
        return left;
    }

    /** Stops at the first failure, as the kernel's bodies {@code return -1}. */
    private static int run(MockKselftest s, long buffer) {
        int ioas;
        try {
            ioas = s.ioasAlloc();
        } catch (AssertionError e) {
            return -1;
        }
        int[] ids = new int[3];
        if (s.mockDomainErr(ioas, SelftestUapi.MOCK_FLAGS_DEVICE_PASID, ids) != 0) {
            return -1;
        }
        if (s.ioasMapFixed(ioas, buffer, 4 * PAGE_SIZE, SelftestUapi.MOCK_APERTURE_START) != 0) {
            return -1;
        }
        if (s.getHwInfo(ids[2], 0, false, 0, 0, new org.iommufd4j.uapi.IommuHwInfo[1]) != 0) {
            return -1;
        }
        int[] hwpt = new int[1];
        if (s.hwptAlloc(ids[2], ioas, IommuHwptAllocFlags.PASID, 0, null, hwpt) != 0) {
            return -1;
        }
        if (s.mockDomainReplace(ids[0], ioas, null) != 0 || s.mockDomainReplace(ids[0], hwpt[0], null) != 0) {
            return -1;
        }
        int[] parent = new int[1];
        if (s.hwptAlloc(ids[2], ioas, IommuHwptAllocFlags.NEST_PARENT, 0, null, parent) != 0) {
            return -1;
        }
        int[] nested = new int[1];
        if (s.hwptAlloc(ids[2], parent[0], IommuHwptAllocFlags.PASID, SelftestUapi.IOMMU_HWPT_DATA_SELFTEST, data, 8, nested) != 0) {
            return -1;
        }
        if (s.pasidOp(IommuTestOp.PASID_ATTACH, ids[0], 100, hwpt[0]) != 0
                || s.pasidOp(IommuTestOp.PASID_REPLACE, ids[0], 100, nested[0]) != 0
                || s.pasidOp(IommuTestOp.PASID_DETACH, ids[0], 100, 0) != 0) {
            return -1;
        }
        return 0;
    }
}
