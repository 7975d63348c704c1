package org.iommufd4j.memory.host;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The memfds of real processes the server has opened, one {@link HostFile} per inode while
 * anything refers to it, so that two IOAS_MAP_FILEs of one memfd (even from two processes) pin a
 * page as one frame, as they pin one folio in the kernel.
 */
final class HostFiles {
    private final PhysicalMemory memory;
    private final Map<String, WeakReference<HostFile>> byInode = new HashMap<>();

    HostFiles(PhysicalMemory memory) {
        this.memory = memory;
    }

    /**
     * The file open at {@code fd} of {@code pid}: EBADF when nothing is open there, EOPNOTSUPP for
     * something that is not a regular file (a socket, a pipe, a device).
     */
    synchronized HostFile open(Path proc, int pid, int fd) {
        Path link = proc.resolve(Integer.toString(pid)).resolve("fd").resolve(Integer.toString(fd));
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (IOException | UnsupportedOperationException e) {
            throw new IommufdException(Errno.EBADF, "fd " + fd + " is not open in pid " + pid);
        }
        // Following the link would block on a FIFO and fail on a socket: only regular files are opened.
        if (!Files.isRegularFile(link)) {
            throw new IommufdException(Errno.EOPNOTSUPP, "fd " + fd + " of pid " + pid + " is " + target + ", not a memfd");
        }
        String key;
        try {
            key = Files.getAttribute(link, "unix:dev") + ":" + Files.getAttribute(link, "unix:ino");
        } catch (IOException | UnsupportedOperationException e) {
            throw new IommufdException(Errno.EBADF, "fd " + fd + " of pid " + pid + ": " + e.getMessage());
        }
        byInode.values().removeIf(r -> r.get() == null);
        WeakReference<HostFile> ref = byInode.get(key);
        HostFile f = ref == null ? null : ref.get();
        if (f == null) {
            f = HostFile.open(link, target, memory);
            byInode.put(key, new WeakReference<>(f));
        }
        return f;
    }
}
