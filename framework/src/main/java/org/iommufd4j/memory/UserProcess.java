package org.iommufd4j.memory;

/**
 * The process making an iommufd call, as the subsystems need it beyond copying bytes: its
 * identity and credentials for accounting, long-term pinning of its pages, and its descriptor
 * table for the fds an ioctl takes (IOAS_MAP_FILE) or returns (FAULT_QUEUE_ALLOC).
 *
 * <p>Two backends: {@link SimProcess}, a simulated process whose pages are frames of
 * {@link PhysicalMemory}, and a real Linux process reached through {@code /proc/<pid>}
 * ({@code org.iommufd4j.memory.host}), whose pinned pages are externally backed frames.
 */
public interface UserProcess extends UserMemory {
    int pid();

    /** The user charged under per-user accounting (one object per uid). */
    SimUser user();

    /** The physical memory its pinned frames live in. */
    PhysicalMemory memory();

    /** False once the process has exited: pinning is EFAULT, pins already taken stay. */
    boolean isAlive();

    boolean capable(Capability cap);

    /** RLIMIT_MEMLOCK in bytes. */
    long rlimitMemlock();

    /** Pages pinned on behalf of this mm ({@code mm->pinned_vm}, VmPin). */
    long pinnedVm();

    /** Pages charged to this mm under per-process accounting ({@code mm->locked_vm}). */
    long lockedVm();

    /**
     * Charges {@code pages} newly pinned pages under {@code mode}: USER against the user's
     * locked_vm, MM against this mm's locked_vm, both limited by RLIMIT_MEMLOCK (ENOMEM, and
     * nothing charged); then VmPin.
     */
    void chargePinned(AccountMode mode, long pages);

    /** Undoes {@link #chargePinned}. */
    void unchargePinned(AccountMode mode, long pages);

    /**
     * pin_user_pages(FOLL_LONGTERM [| FOLL_WRITE]) of the {@code npages} pages from the page
     * holding {@code va}: returns their frames, each pinned once. Pinning the same page again
     * returns the same frame. Unmapped or inaccessible: EFAULT, and nothing stays pinned.
     */
    long[] pinPages(long va, int npages, boolean write);

    /** The frame behind {@code va} now, or 0 when there is none to name; never faults a page in. */
    long frameAt(long va);

    /** The pin count of the frame at {@code va} (0 when none): the selftest's MD_CHECK_REFS. */
    default long pinCountAt(long va) {
        long pfn = frameAt(va);
        return pfn == 0 ? 0 : memory().pinCount(pfn);
    }

    /**
     * Installs a special file whose read(2), write(2) and last close are {@code ops} (a FAULT or
     * vEVENTQ queue fd) in the lowest free descriptor and returns the descriptor. Installing is the
     * last step of an ioctl: nothing may fail after it, as with the kernel's fd_install.
     */
    int installFile(String name, FileOps ops);

    /** Installs an anon inode file (the selftest's access fd); see {@link #installFile(String, FileOps)}. */
    int installFile(AnonFile file);

    /** Whether a descriptor is open at {@code fd}. */
    boolean isOpen(int fd);

    /** close(fd): EBADF when nothing is open there. */
    void close(int fd);

    /**
     * The file open at {@code fd}, for IOAS_MAP_FILE: EBADF when nothing is open there; a file
     * that cannot be mapped is ENODEV or EOPNOTSUPP, or answers false to {@link ShmemFile#isMemfd}.
     */
    ShmemFile file(int fd);

    /** The anon inode file open at {@code fd}, or null when another kind of file; EBADF when nothing is open. */
    AnonFile anonFile(int fd);

    /** The {@link FileOps} behind the anon inode file at {@code fd}, or null when nothing of the kind is open there. */
    FileOps specialFile(int fd);
}
