package org.iommufd4j.memory.host;

import org.iommufd4j.memory.AnonFile;

/**
 * The descriptors of a real process that iommufd4j itself handed out (FAULT and vEVENTQ fds, the
 * selftest's access fds): whoever serves the process installs them in it (the server asks its
 * client to open one) and remembers which file each number is. Other descriptors of the process
 * are not in it.
 */
public interface FdTable {
    /**
     * Installs {@code file} in the process and returns the descriptor number. The table holds the
     * file ({@link AnonFile#hold}) until the process closes the descriptor. Failure: the errno the
     * process's open gave, as an {@link org.iommufd4j.uapi.IommufdException}.
     */
    int install(AnonFile file);

    /** Closes a descriptor {@link #install} returned (the ioctl that made it failed later). */
    void close(int fd);

    /** The file this table installed at {@code fd}, or null when it did not install one there. */
    AnonFile lookup(int fd);

    /** A table for a caller that cannot receive descriptors: installing is EOPNOTSUPP. */
    FdTable NONE = new FdTable() {
        @Override
        public int install(AnonFile file) {
            throw new org.iommufd4j.uapi.IommufdException(org.iommufd4j.uapi.Errno.EOPNOTSUPP,
                    "this caller cannot receive file descriptors (" + file + ")");
        }

        @Override
        public void close(int fd) {
            throw new org.iommufd4j.uapi.IommufdException(org.iommufd4j.uapi.Errno.EBADF, "fd " + fd + " was not installed here");
        }

        @Override
        public AnonFile lookup(int fd) {
            return null;
        }
    };
}
