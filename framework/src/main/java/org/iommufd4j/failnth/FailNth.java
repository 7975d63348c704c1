package org.iommufd4j.failnth;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * Deterministic fault injection in the manner of Linux's {@code /proc/self/task/<tid>/fail-nth}:
 * every fallible step (object allocation, pinning, page-table page allocation, driver calls) asks
 * {@link #check}; once a thread has {@link #arm armed} N, the Nth step it reaches fails, exactly
 * once. Other threads are not affected. One instance belongs to one {@code Iommufd}: no global.
 */
public final class FailNth {
    private static final class State {
        int countdown;
        long reached;
        boolean tracked;
    }

    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);
    /**
     * Threads that have armed a failure or asked to count points. While none has, an injection
     * point is one volatile read: the per-thread lookup costs more than many of the steps it
     * guards (a one-page domain map is ~20 ns).
     */
    private final java.util.concurrent.atomic.AtomicInteger trackedThreads = new java.util.concurrent.atomic.AtomicInteger();

    /** Makes the {@code n}th injection point this thread reaches from now on fail ({@code n >= 1}). */
    public void arm(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1: " + n);
        }
        State s = track(state.get());
        s.countdown = n;
    }

    /**
     * Counts the injection points this thread reaches ({@link #reached}) without arming a
     * failure, until {@link #disarm}: the fail-nth sweep's run without injection.
     */
    public void count() {
        track(state.get());
    }

    private State track(State s) {
        if (!s.tracked) {
            s.tracked = true;
            trackedThreads.incrementAndGet();
        }
        return s;
    }

    /**
     * Stops injecting on this thread and returns what the kernel's fail-nth file would read:
     * 0 when the armed failure fired, else how many more points were needed.
     */
    public int disarm() {
        State s = state.get();
        int left = s.countdown;
        s.countdown = 0;
        if (s.tracked) {
            s.tracked = false;
            trackedThreads.decrementAndGet();
        }
        return left;
    }

    /** True while this thread has an armed failure that has not fired yet. */
    public boolean armed() {
        return state.get().countdown > 0;
    }

    /** How many injection points this thread has reached while it was armed or {@link #count counting}. */
    public long reached() {
        return state.get().reached;
    }

    /**
     * An injection point. Returns true when this step must fail (the caller then fails as the
     * real step would, e.g. ENOMEM for an allocation).
     */
    public boolean shouldFail() {
        if (trackedThreads.get() == 0) {
            return false;
        }
        State s = state.get();
        if (!s.tracked) {
            return false;
        }
        s.reached++;
        if (s.countdown > 0 && --s.countdown == 0) {
            return true;
        }
        return false;
    }

    /** An injection point that fails with {@code errno}, naming the step in the message. */
    public void check(String step, Errno errno) {
        if (shouldFail()) {
            throw new IommufdException(errno, "injected failure at " + step);
        }
    }
}
