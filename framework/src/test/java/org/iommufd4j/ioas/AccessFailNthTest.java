package org.iommufd4j.ioas;

import static org.iommufd4j.ioas.Testbed.BUFFER_SIZE;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.Consumer;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * iommufd_fail_nth.c basic_fail_nth.access_rw / access_pin / access_pin_domain: the body runs
 * once clean, then again with the Nth injection point failing for N = 1, 2, ... until a pass
 * reaches no more points. After every pass the context is torn down (the access's fd closed
 * first, as closing the process does) and nothing may be left: no pin, no charge, no object, no
 * page-table frame.
 */
class AccessFailNthTest {
    /** The kernel sweep's cap. */
    private static final int MAX_PASSES = 400;

    private Testbed bed;
    private FailNth failNth;
    private SelftestAccess access;

    @BeforeEach
    void setUp() {
        bed = new Testbed();
        failNth = bed.machine.failNth();
    }

    @AfterEach
    void tearDown() {
        bed.close();
    }

    /** One pass: setup, arm, body, disarm, teardown, leak check. Returns what fail-nth reads back. */
    private int pass(int n, boolean domain, Consumer<Integer> body) {
        int ioasId = bed.ctx.ioasAlloc();
        if (domain) {
            bed.addDomain(ioasId);
        }
        access = null;
        if (n > 0) {
            failNth.arm(n);
        }
        try {
            body.accept(ioasId);
        } catch (IommufdException e) {
            assertTrue(n > 0, "the clean run failed: " + e.getMessage());
        } finally {
            int left = failNth.disarm();
            if (access != null) {
                access.destroy();
            }
            bed.closeContext();
            bed.assertNothingLeaked();
            bed.reopen();
            if (n > 0) {
                return left;
            }
        }
        return -1;
    }

    private int sweep(boolean domain, Consumer<Integer> body) {
        pass(0, domain, body);
        for (int n = 1; n <= MAX_PASSES; n++) {
            if (pass(n, domain, body) != 0) {
                return n;
            }
        }
        throw new AssertionError("the sweep did not end within " + MAX_PASSES + " passes");
    }

    @Test
    void accessRw() {
        long tmp = bed.mmapTouched(BUFFER_SIZE);
        int passes = sweep(false, ioasId -> {
            long iova = bed.map(ioasId, bed.buffer, BUFFER_SIZE);
            access = SelftestAccess.create(bed.ctx, ioasId, 0);
            access.rw(bed.proc, iova, 1, tmp, 0);
            access.rw(bed.proc, iova, 1, tmp, SelftestAccess.RW_WRITE);
            access.rw(bed.proc, iova, 1, tmp, SelftestAccess.RW_SLOW_PATH);
            access.rw(bed.proc, iova, 1, tmp, SelftestAccess.RW_SLOW_PATH | SelftestAccess.RW_WRITE);
            access.rw(bed.proc, iova, BUFFER_SIZE, tmp, SelftestAccess.RW_SLOW_PATH);
            access.rw(bed.proc, iova + PAGE_SIZE - 4, 8, tmp, SelftestAccess.RW_SLOW_PATH | SelftestAccess.RW_WRITE);
            access.destroy();
            access = null;
        });
        assertTrue(passes > 10, "the body should reach many injection points, reached " + passes);
    }

    private void pinBody(int ioasId) {
        bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, Testbed.APERTURE_START);
        access = SelftestAccess.create(bed.ctx, ioasId, SelftestAccess.CREATE_NEEDS_PIN_PAGES);
        int item = access.pinPages(bed.proc, Testbed.APERTURE_START, BUFFER_SIZE, bed.buffer, 0);
        assertEquals(1, access.itemCount());
        access.destroyPages(item);
        int second = access.pinPages(bed.proc, Testbed.APERTURE_START + PAGE_SIZE, 2 * PAGE_SIZE, bed.buffer + PAGE_SIZE,
                SelftestAccess.PAGES_WRITE);
        access.destroyPages(second);
        bed.unmap(ioasId, Testbed.APERTURE_START, BUFFER_SIZE);
        access.destroy();
        access = null;
    }

    @Test
    void accessPin() {
        assertTrue(sweep(false, this::pinBody) > 5);
    }

    @Test
    void accessPinDomain() {
        assertTrue(sweep(true, this::pinBody) > 5);
    }

    @Test
    void failedPinLeavesNoPinBehindEvenWhileTheAccessLives() {
        int ioasId = bed.ctx.ioasAlloc();
        bed.mapFixed(ioasId, bed.buffer, BUFFER_SIZE, Testbed.APERTURE_START);
        SelftestAccess st = SelftestAccess.create(bed.ctx, ioasId, SelftestAccess.CREATE_NEEDS_PIN_PAGES);
        for (int n = 1; n < 20; n++) {
            failNth.arm(n);
            try {
                int item = st.pinPages(bed.proc, Testbed.APERTURE_START, BUFFER_SIZE, bed.buffer, 0);
                failNth.disarm();
                assertEquals(BUFFER_SIZE / PAGE_SIZE, bed.memory.pinnedFrames());
                st.destroyPages(item);
                break;
            } catch (IommufdException e) {
                assertEquals(0, failNth.disarm());
                assertEquals(0, bed.memory.pinnedFrames(), "pass " + n + " (" + e.getMessage() + ")");
                assertEquals(0, st.itemCount());
                assertEquals(0, bed.proc.pinnedVm());
            }
        }
        st.destroy();
    }
}
