package org.iommufd4j.hw;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the hardware model reports driver bugs it catches, such as {@link StaleTranslation}s.
 * The kernel cannot tell you that your driver forgot an invalidation; this log can.
 */
public final class DriverBugLog {
    private final List<StaleTranslation> stale = new ArrayList<>();

    synchronized void report(StaleTranslation bug) {
        stale.add(bug);
    }

    /** Every stale translation served so far. */
    public synchronized List<StaleTranslation> staleTranslations() {
        return List.copyOf(stale);
    }

    public synchronized boolean isEmpty() {
        return stale.isEmpty();
    }

    public synchronized void clear() {
        stale.clear();
    }
}
