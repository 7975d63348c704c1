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
    }

    private final ThreadLocal<State> state = ThreadLocal.withInitial(State::new);

    /** Makes the {@code n}th injection point this thread reaches from now on fail ({@code n >= 1}). */
    public void arm(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n must be >= 1: " + n);
        }
        State s = state.get();
        s.countdown = n;
    }

    /**
     * Stops injecting on this thread and returns what the kernel's fail-nth file would read:
     * 0 when the armed failure fired, else how many more points were needed.
     */
    public int disarm() {
        State s = state.get();
        int left = s.countdown;
        s.countdown = 0;
        return left;
    }

    /** True while this thread has an armed failure that has not fired yet. */
    public boolean armed() {
        return state.get().countdown > 0;
    }

    /** How many injection points this thread has reached since the instance was made. */
    public long reached() {
        return state.get().reached;
    }

    /**
     * An injection point. Returns true when this step must fail (the caller then fails as the
     * real step would, e.g. ENOMEM for an allocation).
     */
    public boolean shouldFail() {
        State s = state.get();
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
