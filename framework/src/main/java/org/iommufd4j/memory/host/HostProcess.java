package org.iommufd4j.memory.host;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import org.iommufd4j.memory.AccountMode;
import org.iommufd4j.memory.AnonFile;
import org.iommufd4j.memory.Capability;
import org.iommufd4j.memory.FileOps;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.ShmemFile;
import org.iommufd4j.memory.SimUser;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A real process making one call: its address space ({@link HostMm}, shared by all its calls)
 * and the descriptor table through which this call can hand it fds. Two of them are equal when
 * they are the same address space, as {@code current->mm} comparisons in the kernel are.
 */
public final class HostProcess implements UserProcess {
    private final HostMm mm;
    private final FdTable fds;

    public HostProcess(HostMm mm, FdTable fds) {
        this.mm = mm;
        this.fds = fds;
    }

    public HostMm mm() {
        return mm;
    }

    @Override
    public int pid() {
        return mm.pid();
    }

    @Override
    public SimUser user() {
        return mm.user();
    }

    @Override
    public PhysicalMemory memory() {
        return mm.memory();
    }

    @Override
    public boolean isAlive() {
        return mm.isAlive();
    }

    @Override
    public boolean capable(Capability cap) {
        return mm.capable(cap);
    }

    @Override
    public long rlimitMemlock() {
        return mm.rlimitMemlock();
    }

    @Override
    public long pinnedVm() {
        return mm.accounting().pinnedVm();
    }

    @Override
    public long lockedVm() {
        return mm.accounting().lockedVm();
    }

    @Override
    public void chargePinned(AccountMode mode, long pages) {
        mm.accounting().charge(mode, pages);
    }

    @Override
    public void unchargePinned(AccountMode mode, long pages) {
        mm.accounting().uncharge(mode, pages);
    }

    @Override
    public long[] pinPages(long va, int npages, boolean write) {
        return mm.pinPages(va, npages, write);
    }

    @Override
    public long frameAt(long va) {
        return mm.frameAt(va);
    }

    @Override
    public void read(long va, byte[] dst, int off, int len) {
        mm.read(va, dst, off, len);
    }

    @Override
    public void write(long va, byte[] src, int off, int len) {
        mm.write(va, src, off, len);
    }

    @Override
    public int installFile(String name, FileOps ops) {
        return installFile(new AnonFile(name, ops, ops::release));
    }

    @Override
    public int installFile(AnonFile file) {
        return fds.install(file);
    }

    @Override
    public void close(int fd) {
        fds.close(fd);
    }

    @Override
    public AnonFile anonFile(int fd) {
        AnonFile f = fds.lookup(fd);
        if (f == null) {
            checkOpen(fd);
        }
        return f;
    }

    @Override
    public FileOps specialFile(int fd) {
        AnonFile f = fds.lookup(fd);
        return f == null ? null : f.privateData(FileOps.class);
    }

    /** The memfd at {@code fd}, reached through {@code /proc/<pid>/fd/<n>}. */
    @Override
    public ShmemFile file(int fd) {
        return mm.file(fd);
    }

    @Override
    public boolean isOpen(int fd) {
        return fd >= 0 && Files.exists(Path.of("/proc", Integer.toString(pid()), "fd", Integer.toString(fd)), LinkOption.NOFOLLOW_LINKS);
    }

    private void checkOpen(int fd) {
        if (!isOpen(fd)) {
            throw new IommufdException(Errno.EBADF, "fd " + fd + " is not open in pid " + pid());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostProcess p && p.mm == mm;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(mm);
    }

    @Override
    public String toString() {
        return mm.toString();
    }
}
