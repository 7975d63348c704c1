package org.iommufd4j.memory.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;
import org.iommufd4j.memory.Capability;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * What iommufd's accounting asks of a process (pages.c iopt_alloc_pages, incr_user_locked_vm):
 * its real uid (whose {@code user_struct} per-user accounting charges), its effective
 * capabilities, and its soft RLIMIT_MEMLOCK; plus its start time, which tells a reused pid apart.
 *
 * @param startTime field 22 of {@code /proc/<pid>/stat}, in clock ticks since boot
 */
record ProcCredentials(int uid, Set<Capability> capabilities, long rlimitMemlock, long startTime) {
    /** include/uapi/linux/capability.h */
    private static final int CAP_IPC_LOCK = 14;
    private static final int CAP_SYS_RESOURCE = 24;

    ProcCredentials {
        capabilities = capabilities.isEmpty() ? Set.of() : Set.copyOf(capabilities);
    }

    /** Field 22 of {@code /proc/<pid>/stat}; IOException when the process is gone. */
    static long startTime(Path proc, int pid) throws IOException {
        return Long.parseLong(stat(proc, pid)[19]);
    }

    /**
     * Whether {@code pid} is the process that started at {@code startTime} and still has its
     * memory: a zombie (state Z, or X while being reaped) keeps its /proc entry but not its mm.
     */
    static boolean runs(Path proc, int pid, long startTime) {
        try {
            String[] f = stat(proc, pid);
            return Long.parseLong(f[19]) == startTime && !f[0].equals("Z") && !f[0].equals("X");
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    /** The fields of {@code /proc/<pid>/stat} from field 3 (state) on. */
    private static String[] stat(Path proc, int pid) throws IOException {
        String stat = Files.readString(proc.resolve(Integer.toString(pid)).resolve("stat"));
        // comm (field 2) may hold spaces and parentheses: count the fields after the last ')'.
        return stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    }

    /** Reads them now; ESRCH when the process is gone. */
    static ProcCredentials read(Path proc, int pid) {
        Path dir = proc.resolve(Integer.toString(pid));
        try {
            int uid = -1;
            long capEff = 0;
            for (String line : Files.readAllLines(dir.resolve("status"))) {
                if (line.startsWith("Uid:")) {
                    uid = Integer.parseInt(line.substring(4).trim().split("\\s+")[0]);
                } else if (line.startsWith("CapEff:")) {
                    capEff = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                }
            }
            long memlock = -1;
            for (String line : Files.readAllLines(dir.resolve("limits"))) {
                if (line.startsWith("Max locked memory")) {
                    String soft = line.substring("Max locked memory".length()).trim().split("\\s+")[0];
                    memlock = soft.equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
            long startTime = startTime(proc, pid);
            if (uid < 0 || memlock < 0) {
                throw new IommufdException(Errno.EIO, "/proc/" + pid + "/status or limits lacks Uid or Max locked memory");
            }
            EnumSet<Capability> caps = EnumSet.noneOf(Capability.class);
            if ((capEff & (1L << CAP_IPC_LOCK)) != 0) {
                caps.add(Capability.IPC_LOCK);
            }
            if ((capEff & (1L << CAP_SYS_RESOURCE)) != 0) {
                caps.add(Capability.SYS_RESOURCE);
            }
            return new ProcCredentials(uid, caps, memlock, startTime);
        } catch (IOException e) {
            throw new IommufdException(Errno.ESRCH, "pid " + pid + " is gone (" + e.getMessage() + ")");
        }
    }
}
