package org.iommufd4j.memory;

/**
 * Where pinned pages are charged against RLIMIT_MEMLOCK (io_pagetable.h {@code
 * IOPT_PAGES_ACCOUNT_*}): nowhere (CAP_IPC_LOCK), the user's {@code locked_vm}, or the process's
 * {@code mm->locked_vm}. Whatever the mode, the process's {@code pinned_vm} (VmPin) counts them.
 */
public enum AccountMode {
    NONE,
    USER,
    MM
}
