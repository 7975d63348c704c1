package org.iommufd4j.memory;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A user (uid) as the kernel's {@code struct user_struct}: its {@code locked_vm} counts the pages
 * pinned under per-user accounting by all of its processes together.
 */
public final class SimUser {
    private final int uid;
    private final AtomicLong lockedPages = new AtomicLong();

    public SimUser(int uid) {
        this.uid = uid;
    }

    public int uid() {
        return uid;
    }

    /** Pages charged to this user ({@code user->locked_vm}). */
    public long lockedPages() {
        return lockedPages.get();
    }

    /** Adds {@code pages} unless the total would pass {@code limitPages} (then false, nothing added). */
    boolean charge(long pages, long limitPages) {
        while (true) {
            long cur = lockedPages.get();
            long next = cur + pages;
            if (next > limitPages || next < cur) {
                return false;
            }
            if (lockedPages.compareAndSet(cur, next)) {
                return true;
            }
        }
    }

    void uncharge(long pages) {
        if (lockedPages.addAndGet(-pages) < 0) {
            throw new IllegalStateException("uid " + uid + ": locked_vm went negative");
        }
    }

    @Override
    public String toString() {
        return "uid " + uid;
    }
}
