package org.iommufd4j.failnth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The fail-nth contract the kernel's sweeps rely on: the Nth point fails once, on the armed thread only. */
class FailNthTest {
    private final FailNth failNth = new FailNth();

    @Test
    void theNthPointFailsExactlyOnceThenDisarmReadsZero() {
        failNth.arm(3);
        assertFalse(failNth.shouldFail());
        assertFalse(failNth.shouldFail());
        assertTrue(failNth.shouldFail());
        assertFalse(failNth.shouldFail());
        assertEquals(0, failNth.disarm());
        assertFalse(failNth.shouldFail());
    }

    @Test
    void disarmBeforeTheFailureSaysHowManyPointsWereMissing() {
        failNth.arm(5);
        failNth.shouldFail();
        assertEquals(4, failNth.disarm());
    }

    @Test
    void pointsAreCountedWhileCountingOrArmedOnly() {
        failNth.shouldFail();
        long before = failNth.reached();
        failNth.count();
        failNth.shouldFail();
        failNth.shouldFail();
        assertEquals(before + 2, failNth.reached());
        assertEquals(0, failNth.disarm(), "counting arms nothing");
        failNth.shouldFail();
        assertEquals(before + 2, failNth.reached(), "not counted after disarm");
    }

    @Test
    void anotherThreadIsNotAffectedByThisThreadsArming() throws InterruptedException {
        failNth.arm(1);
        AtomicBoolean otherFailed = new AtomicBoolean();
        Thread other = new Thread(() -> otherFailed.set(failNth.shouldFail()));
        other.start();
        other.join();
        assertFalse(otherFailed.get());
        assertTrue(failNth.shouldFail());
        failNth.disarm();
    }
}
