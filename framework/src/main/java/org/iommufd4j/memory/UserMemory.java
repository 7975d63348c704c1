package org.iommufd4j.memory;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The memory of the process making a call, as {@code copy_from_user}/{@code copy_to_user} see it:
 * a user virtual address that is not mapped, or not accessible, fails with EFAULT.
 */
public interface UserMemory {
    /** Copies {@code len} bytes at user address {@code va} into {@code dst}. */
    void read(long va, byte[] dst, int off, int len);

    /** Copies {@code len} bytes from {@code src} to user address {@code va}. */
    void write(long va, byte[] src, int off, int len);

    /** A process with no memory at all: every access is EFAULT. */
    UserMemory NONE = new UserMemory() {
        @Override
        public void read(long va, byte[] dst, int off, int len) {
            throw fault(va);
        }

        @Override
        public void write(long va, byte[] src, int off, int len) {
            throw fault(va);
        }

        private IommufdException fault(long va) {
            return new IommufdException(Errno.EFAULT, "user address 0x" + Long.toHexString(va) + " is not mapped");
        }
    };
}
