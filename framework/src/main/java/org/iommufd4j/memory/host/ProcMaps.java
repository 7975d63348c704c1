package org.iommufd4j.memory.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The protection of a process's mappings, from {@code /proc/<pid>/maps}. {@code /proc/<pid>/mem}
 * writes with FOLL_FORCE (a debugger can patch read-only text), so the permission check that
 * copy_to_user and pin_user_pages(FOLL_WRITE) make is done here instead.
 */
final class ProcMaps {
    private final long[] starts;
    private final long[] ends;
    private final String[] perms;

    private ProcMaps(long[] starts, long[] ends, String[] perms) {
        this.starts = starts;
        this.ends = ends;
        this.perms = perms;
    }

    static ProcMaps read(Path proc, int pid) {
        List<String> lines;
        try {
            lines = Files.readAllLines(proc.resolve(Integer.toString(pid)).resolve("maps"));
        } catch (IOException e) {
            throw new IommufdException(Errno.EFAULT, "pid " + pid + " has no address space any more (" + e.getMessage() + ")");
        }
        int n = lines.size();
        long[] starts = new long[n];
        long[] ends = new long[n];
        String[] perms = new String[n];
        for (int i = 0; i < n; i++) {
            // "start-end perms offset dev inode path", addresses in hex.
            String line = lines.get(i);
            int dash = line.indexOf('-');
            int space = line.indexOf(' ', dash);
            starts[i] = Long.parseUnsignedLong(line.substring(0, dash), 16);
            ends[i] = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
            perms[i] = line.substring(space + 1, space + 5);
        }
        return new ProcMaps(starts, ends, perms);
    }

    /** Whether the byte at {@code va} is mapped with read (and, if {@code write}, write) permission. */
    boolean allows(long va, boolean write) {
        for (int i = 0; i < starts.length; i++) {
            if (Long.compareUnsigned(va, starts[i]) >= 0 && Long.compareUnsigned(va, ends[i]) < 0) {
                return perms[i].charAt(0) == 'r' && (!write || perms[i].charAt(1) == 'w');
            }
        }
        return false;
    }
}
