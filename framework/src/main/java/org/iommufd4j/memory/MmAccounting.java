package org.iommufd4j.memory;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The {@code mm} counters pinning charges (pages.c iopt_pages_update_pinned, incr_user_locked_vm):
 * {@code pinned_vm} always, and {@code locked_vm} of the user or of the mm under RLIMIT_MEMLOCK.
 * Shared by every {@link UserProcess} backend so the limits behave the same whatever the memory is.
 */
public final class MmAccounting {
    private final String owner;
    private final SimUser user;
    private final LongSupplier rlimitMemlock;
    private final AtomicLong pinnedVm = new AtomicLong();
    private final AtomicLong lockedVm = new AtomicLong();

    /**
     * @param owner names the process in messages ("pid 42")
     * @param user whose {@code locked_vm} USER mode charges
     * @param rlimitMemlock RLIMIT_MEMLOCK in bytes, read at each charge (setrlimit may change it)
     */
    public MmAccounting(String owner, SimUser user, LongSupplier rlimitMemlock) {
        this.owner = owner;
        this.user = user;
        this.rlimitMemlock = rlimitMemlock;
    }

    public long pinnedVm() {
        return pinnedVm.get();
    }

    public long lockedVm() {
        return lockedVm.get();
    }

    /** See {@link UserProcess#chargePinned}. */
    public void charge(AccountMode mode, long pages) {
        long limit = rlimitMemlock.getAsLong() >>> PAGE_SHIFT;
        switch (mode) {
            case NONE:
                break;
            case USER:
                if (!user.charge(pages, limit)) {
                    throw new IommufdException(Errno.ENOMEM, "pinning " + pages + " pages would pass RLIMIT_MEMLOCK ("
                            + limit + " pages) of " + user + ", which has " + user.lockedPages() + " locked");
                }
                break;
            case MM:
                while (true) {
                    long cur = lockedVm.get();
                    if (cur + pages > limit) {
                        throw new IommufdException(Errno.ENOMEM, "pinning " + pages + " pages would pass RLIMIT_MEMLOCK ("
                                + limit + " pages) of " + owner + ", which has " + cur + " locked");
                    }
                    if (lockedVm.compareAndSet(cur, cur + pages)) {
                        break;
                    }
                }
                break;
            default:
                throw new AssertionError(mode);
        }
        pinnedVm.addAndGet(pages);
    }

    /** See {@link UserProcess#unchargePinned}. */
    public void uncharge(AccountMode mode, long pages) {
        if (mode == AccountMode.USER) {
            user.uncharge(pages);
        } else if (mode == AccountMode.MM && lockedVm.addAndGet(-pages) < 0) {
            throw new IllegalStateException(owner + ": locked_vm went negative");
        }
        if (pinnedVm.addAndGet(-pages) < 0) {
            throw new IllegalStateException(owner + ": pinned_vm went negative");
        }
    }
}
