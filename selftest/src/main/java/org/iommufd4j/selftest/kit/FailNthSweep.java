package org.iommufd4j.selftest.kit;

import org.iommufd4j.core.Iommufd;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.uapi.IommufdException;

/**
 * The fault-injection sweep of tools/testing/selftests/iommu/iommufd_fail_nth.c
 * ({@code TEST_FAIL_NTH}): the body first runs once without injection and must pass; then for
 * N = 1, 2, … each pass opens a fresh context (setup), arms the Nth injection point of the
 * machine's {@link FailNth} where the body calls {@link Pass#failNthEnable()}, runs the body,
 * disarms and closes the context (teardown). The first pass whose armed failure did not fire
 * ends the sweep: the body has no more points to fail. The kernel stops after 400 passes; so does this.
 *
 * <p>Where the kernel relies on KASAN, WARN and the teardown's pin check, each pass here checks
 * that the failed call left the context usable (an IOAS can be allocated and destroyed on it) and
 * that after teardown no object and no page frame is left beyond what the machine held before
 * the pass. A body stops at the first ioctl error as the kernel's bodies do ({@code return -1}):
 * an {@link IommufdException} ends the pass; any other exception fails the sweep.
 *
 * <p>FailNth counts per thread: the whole sweep runs on the calling thread.
 */
public final class FailNthSweep {
    /** iommufd_fail_nth.c gives up after 400 iterations. */
    public static final int MAX_PASSES = 400;

    private FailNthSweep() {
    }

    /** A test body; it calls {@link Pass#failNthEnable()} where injection starts. */
    @FunctionalInterface
    public interface Body {
        void run(Pass pass) throws Exception;
    }

    /** One pass: its fresh context and its injection point (0 on the run without injection). */
    public static final class Pass {
        private final SelftestMachine machine;
        private final IommufdContext ctx;
        private final int nth;
        private boolean enabled;
        private long reachedAtEnable;

        Pass(SelftestMachine machine, IommufdContext ctx, int nth) {
            this.machine = machine;
            this.ctx = ctx;
            this.nth = nth;
        }

        public SelftestMachine machine() {
            return machine;
        }

        /** The pass's context ({@code self->fd}, reopened for every pass). */
        public IommufdContext ctx() {
            return ctx;
        }

        /** The injection point armed in this pass; 0 on the run without injection. */
        public int nth() {
            return nth;
        }

        /** {@code fail_nth_enable()}: from here on the Nth injection point fails. Once per pass. */
        public void failNthEnable() {
            if (enabled) {
                throw new IllegalStateException("failNthEnable() called twice in one pass");
            }
            enabled = true;
            FailNth failNth = machine.component().failNth();
            reachedAtEnable = failNth.reached();
            if (nth > 0) {
                failNth.arm(nth);
            } else {
                failNth.count();
            }
        }
    }

    /**
     * What a finished sweep did.
     *
     * @param injectionPoints points the body reached after {@code failNthEnable()} without injection
     * @param injectedPasses passes in which the armed failure fired
     * @param capped true when the sweep stopped at {@link #MAX_PASSES} rather than running out of points
     */
    public record Result(long injectionPoints, int injectedPasses, boolean capped) {
    }

    /** Runs the sweep on {@code machine}; fails with an {@link AssertionError} saying which pass broke what. */
    public static Result run(SelftestMachine machine, Body body) {
        long points = runPass(machine, body, 0);
        for (int nth = 1; nth <= MAX_PASSES; nth++) {
            if (runPass(machine, body, nth) < 0) {
                return new Result(points, nth - 1, false);
            }
        }
        return new Result(points, MAX_PASSES, true);
    }

    /**
     * One pass. Returns the points reached after enabling on the clean run, 0 when the armed
     * failure fired, -1 when it did not (the sweep is over).
     */
    private static long runPass(SelftestMachine machine, Body body, int nth) {
        Iommufd iommufd = machine.iommufd();
        FailNth failNth = machine.component().failNth();
        long objectsBefore = iommufd.liveObjects();
        long framesBefore = machine.memory().allocatedFrames();
        String pass = nth == 0 ? "the run without injection" : "pass " + nth;
        IommufdContext ctx = iommufd.open(machine.process());
        Pass p = new Pass(machine, ctx, nth);
        IommufdException stoppedBy = null;
        int left;
        long reached;
        try {
            try {
                body.run(p);
            } catch (IommufdException e) {
                stoppedBy = e;
            } catch (Exception | AssertionError e) {
                throw new AssertionError(pass + ": the body failed: " + e, e);
            } finally {
                reached = failNth.reached() - p.reachedAtEnable;
                left = failNth.disarm();
            }
            if (!p.enabled) {
                throw new AssertionError(pass + ": the body never called failNthEnable(), so nothing was swept");
            }
            if (nth == 0 && stoppedBy != null) {
                throw new AssertionError("the run without injection must pass, but it failed: " + stoppedBy.getMessage(), stoppedBy);
            }
            String cause = stoppedBy == null ? "" : " (the body stopped at: " + stoppedBy.getMessage() + ")";
            try {
                int probe = ctx.ioasAlloc();
                ctx.destroy(probe);
            } catch (IommufdException e) {
                throw new AssertionError(pass + ": the context is unusable after the failure" + cause + ": " + e.getMessage(), e);
            }
            ctx.close();
            long objects = iommufd.liveObjects() - objectsBefore;
            long frames = machine.memory().allocatedFrames() - framesBefore;
            if (objects != 0 || frames != 0) {
                throw new AssertionError(pass + ": after teardown " + objects + " object(s) and " + frames
                        + " page frame(s) leaked" + cause);
            }
        } finally {
            failNth.disarm();
            if (!ctx.isClosed()) {
                try {
                    ctx.close();
                } catch (RuntimeException suppressed) {
                    // The pass already failed; its own error says why.
                }
            }
        }
        if (nth == 0) {
            return reached;
        }
        return left == 0 ? 0 : -1;
    }
}
