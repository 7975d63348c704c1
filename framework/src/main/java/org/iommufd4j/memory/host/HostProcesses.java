package org.iommufd4j.memory.host;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.nio.file.Path;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.SimUser;

/**
 * The real processes served by one machine: one {@link HostMm} per live pid (a reused pid gets a
 * new one), and one {@link SimUser} per uid, so per-user RLIMIT_MEMLOCK accounting adds up the
 * pins of all of a user's processes, as the kernel's {@code user_struct} does.
 */
public final class HostProcesses {
    private static final Path PROC = Path.of("/proc");

    private final PhysicalMemory memory;
    private final Path proc;
    private final Int2ObjectOpenHashMap<HostMm> byPid = new Int2ObjectOpenHashMap<>();
    private final Int2ObjectOpenHashMap<SimUser> byUid = new Int2ObjectOpenHashMap<>();
    private final HostFiles files;

    public HostProcesses(PhysicalMemory memory) {
        this(memory, PROC);
    }

    HostProcesses(PhysicalMemory memory, Path proc) {
        this.memory = memory;
        this.proc = proc;
        this.files = new HostFiles(memory);
    }

    /**
     * The address space of {@code pid}, with its capabilities and RLIMIT_MEMLOCK read now. ESRCH
     * when there is no such process, EPERM when its memory may not be opened.
     */
    public synchronized HostMm mm(int pid) {
        ProcCredentials now = ProcCredentials.read(proc, pid);
        HostMm mm = byPid.get(pid);
        if (mm != null && mm.startTime() == now.startTime()) {
            mm.update(now);
            return mm;
        }
        if (mm != null) {
            mm.markExited(); // the pid was reused: that process is gone
        }
        SimUser user = byUid.computeIfAbsent(now.uid(), SimUser::new);
        mm = new HostMm(proc, pid, memory, user, now, files);
        byPid.put(pid, mm);
        return mm;
    }

    /** Forgets processes that have exited (their pins stay with whoever holds them). */
    public synchronized void prune() {
        byPid.values().removeIf(mm -> !mm.isAlive());
    }

    /** Processes known now. */
    public synchronized int size() {
        return byPid.size();
    }
}
