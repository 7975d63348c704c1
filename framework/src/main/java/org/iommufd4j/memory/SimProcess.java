package org.iommufd4j.memory;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A simulated process: an address space of mappings (anonymous or memfd, shared or private) whose
 * pages are frames of {@link PhysicalMemory}, a small file-descriptor table, its user, its
 * RLIMIT_MEMLOCK and capabilities, and the {@code mm} counters that pinning charges.
 *
 * <p>Semantics follow Linux where iommufd can observe them: private pages are copy-on-write after
 * {@link #fork()}, except pages pinned for DMA, which the child gets a copy of at fork time
 * (mm/memory.c {@code copy_present_page}); shared mappings stay shared. {@link #pinPages} is
 * {@code pin_user_pages(FOLL_LONGTERM)}: every page of a private mapping it returns is exclusive
 * to this process (a shared COW page or a file page is copied first, as GUP's unshare does), so a
 * later CPU write never moves the process away from the pinned frame. After {@link #exit()} the
 * address space is gone (pinning is EFAULT) but pinned frames and the mm counters remain.
 */
public final class SimProcess implements UserProcess {
    public static final int PROT_READ = 1;
    public static final int PROT_WRITE = 2;
    public static final int MAP_SHARED = 0x01;
    public static final int MAP_PRIVATE = 0x02;
    public static final int MAP_FIXED = 0x10;
    public static final int MAP_ANONYMOUS = 0x20;
    /** Fault every page in at mmap time (include/uapi/asm-generic/mman.h). */
    public static final int MAP_POPULATE = 0x8000;
    /**
     * Back the mapping with 2 MiB huge pages (hugetlbfs): each is a naturally aligned run of 512
     * contiguous frames. Only shared anonymous mappings are simulated; the length is rounded up
     * and the address aligned to 2 MiB, and munmap may not split a huge page (EINVAL).
     */
    public static final int MAP_HUGETLB = 0x40000;
    /** The huge page size of MAP_HUGETLB (x86-64's default, hpage_pmd_size). */
    public static final long HUGEPAGE_SIZE = 2L << 20;
    static final int HUGEPAGE_ORDER = 9;
    static final int HUGE_PAGES_PER_HUGEPAGE = 1 << HUGEPAGE_ORDER;
    /** Linux's default RLIMIT_MEMLOCK (8 MiB). */
    public static final long DEFAULT_RLIMIT_MEMLOCK = 8L << 20;

    private static final long MMAP_BASE = 0x1000_0000L;
    private static final long TASK_SIZE = 1L << 47;
    private static final long HUGE_ALIGN = 2L << 20;
    private static final AtomicInteger PIDS = new AtomicInteger(100);

    /** One mapping; [start, end) page-aligned. Shared and file mappings read through {@code file}. */
    private static final class Vma {
        long start;
        long end;
        final int prot;
        final boolean shared;
        final SimFile file;
        /** File offset of {@code start}. */
        long offset;

        Vma(long start, long end, int prot, boolean shared, SimFile file, long offset) {
            this.start = start;
            this.end = end;
            this.prot = prot;
            this.shared = shared;
            this.file = file;
            this.offset = offset;
        }

        long fileIndex(long va) {
            return (offset + (va - start)) >>> PAGE_SHIFT;
        }
    }

    private final PhysicalMemory memory;
    private final int pid;
    private final SimUser user;
    private final EnumSet<Capability> caps;
    private volatile long rlimitMemlock;
    private final TreeMap<Long, Vma> vmas = new TreeMap<>();
    /** Private pages this process owns: virtual page number → frame (one frame reference each). */
    private final PageFrameMap privatePages = new PageFrameMap();
    /** Open files by descriptor. */
    private final Int2ObjectOpenHashMap<OpenFile> fds = new Int2ObjectOpenHashMap<>();
    private final MmAccounting accounting;
    private boolean alive = true;

    /** A process of {@code user} with the given RLIMIT_MEMLOCK (bytes) and capabilities. */
    public SimProcess(PhysicalMemory memory, SimUser user, long rlimitMemlock, Set<Capability> caps) {
        this.memory = memory;
        this.pid = PIDS.incrementAndGet();
        this.user = user;
        this.rlimitMemlock = rlimitMemlock;
        this.caps = caps.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(caps);
        this.accounting = new MmAccounting("pid " + pid, user, () -> this.rlimitMemlock);
    }

    /** A root process (uid 0, every capability, the default RLIMIT_MEMLOCK), as the selftest runs. */
    public static SimProcess root(PhysicalMemory memory) {
        return new SimProcess(memory, new SimUser(0), DEFAULT_RLIMIT_MEMLOCK, EnumSet.allOf(Capability.class));
    }

    @Override
    public int pid() {
        return pid;
    }

    @Override
    public SimUser user() {
        return user;
    }

    @Override
    public PhysicalMemory memory() {
        return memory;
    }

    @Override
    public synchronized boolean isAlive() {
        return alive;
    }

    @Override
    public boolean capable(Capability cap) {
        synchronized (caps) {
            return caps.contains(cap);
        }
    }

    /** capset: drops a capability (the selftest drops CAP_IPC_LOCK to see accounting). */
    public void dropCapability(Capability cap) {
        synchronized (caps) {
            caps.remove(cap);
        }
    }

    public void grantCapability(Capability cap) {
        synchronized (caps) {
            caps.add(cap);
        }
    }

    /** RLIMIT_MEMLOCK in bytes. */
    @Override
    public long rlimitMemlock() {
        return rlimitMemlock;
    }

    public void setRlimitMemlock(long bytes) {
        this.rlimitMemlock = bytes;
    }

    @Override
    public long pinnedVm() {
        return accounting.pinnedVm();
    }

    @Override
    public long lockedVm() {
        return accounting.lockedVm();
    }

    @Override
    public void chargePinned(AccountMode mode, long pages) {
        accounting.charge(mode, pages);
    }

    @Override
    public void unchargePinned(AccountMode mode, long pages) {
        accounting.uncharge(mode, pages);
    }

    // ------------------------------------------------------------ files

    /** memfd_create: a new empty shmem file in the lowest free descriptor. */
    public synchronized int memfdCreate(String name) {
        checkAlive();
        SimFile file = new SimFile(memory, name, 0, true);
        file.hold();
        return installFd(file);
    }

    private int installFd(OpenFile file) {
        int fd = 3;
        while (fds.containsKey(fd)) {
            fd++;
        }
        fds.put(fd, file);
        return fd;
    }

    /**
     * Installs {@code file} in the lowest free descriptor (fd_install of an anon inode file) and
     * returns it. The descriptor holds the file until close or exit.
     */
    @Override
    public synchronized int installFile(AnonFile file) {
        checkAlive();
        file.hold();
        return installFd(file);
    }

    /** The shmem file open at {@code fd}; EBADF when there is none, ENODEV when it is not a shmem file. */
    @Override
    public synchronized SimFile file(int fd) {
        OpenFile f = openFile(fd);
        if (f instanceof SimFile s) {
            return s;
        }
        throw new IommufdException(Errno.ENODEV, "fd " + fd + " of pid " + pid + " is " + f + ", not a shmem file");
    }

    /** The anon inode file open at {@code fd}, or null when {@code fd} is another kind of file; EBADF when nothing is open there. */
    @Override
    public synchronized AnonFile anonFile(int fd) {
        return openFile(fd) instanceof AnonFile a ? a : null;
    }

    /**
     * Installs a special file whose read(2), write(2) and last close are {@code ops} (the fd an
     * iommufd ioctl returns: a FAULT or vEVENTQ queue, a dma-buf) as an anon inode file.
     */
    @Override
    public int installFile(String name, FileOps ops) {
        return installFile(new AnonFile(name, ops, ops::release));
    }

    /** The {@link FileOps} behind the anon inode file at {@code fd}, or null when nothing of the kind is open there. */
    @Override
    public synchronized FileOps specialFile(int fd) {
        OpenFile f = fd < 0 ? null : fds.get(fd);
        return f instanceof AnonFile a ? a.privateData(FileOps.class) : null;
    }

    private FileOps fileOps(int fd) {
        FileOps f;
        synchronized (this) {
            f = openFile(fd) instanceof AnonFile a ? a.privateData(FileOps.class) : null;
        }
        if (f == null) {
            throw new IommufdException(Errno.EINVAL, "fd " + fd + " of pid " + pid + " does not support read(2)/write(2) here");
        }
        return f;
    }

    /** read(2) on a special file: EBADF when nothing is open at {@code fd}, EINVAL when it has no read. */
    public int readFd(int fd, byte[] buf, int off, int len) {
        return fileOps(fd).read(buf, off, len);
    }

    /** write(2) on a special file: EBADF when nothing is open at {@code fd}, EINVAL when it has no write. */
    public int writeFd(int fd, byte[] buf, int off, int len) {
        return fileOps(fd).write(buf, off, len);
    }

    /** Whether a descriptor is open at {@code fd}. */
    @Override
    public synchronized boolean isOpen(int fd) {
        return fds.containsKey(fd);
    }

    private OpenFile openFile(int fd) {
        OpenFile f = fd < 0 ? null : fds.get(fd);
        if (f == null) {
            throw new IommufdException(Errno.EBADF, "fd " + fd + " is not open in pid " + pid);
        }
        return f;
    }

    /**
     * close(fd). The last close of an anon inode file runs its release action, after this
     * process's lock is dropped: releasing may call back into pin accounting from other locks.
     */
    @Override
    public void close(int fd) {
        OpenFile f;
        synchronized (this) {
            f = openFile(fd);
            fds.remove(fd);
        }
        release(f);
    }

    private static void release(OpenFile f) {
        if (f instanceof SimFile s) {
            s.release();
        } else if (f instanceof AnonFile a && a.drop()) {
            a.runRelease();
        }
    }

    private static void hold(OpenFile f) {
        if (f instanceof SimFile s) {
            s.hold();
        } else if (f instanceof AnonFile a) {
            a.hold();
        }
    }

    // ------------------------------------------------------------ mappings

    /** mmap(MAP_ANONYMOUS) of {@code length} bytes, shared or private, read/write. */
    public long mmapAnonymous(long length, boolean shared) {
        return mmap(0, length, PROT_READ | PROT_WRITE, MAP_ANONYMOUS | (shared ? MAP_SHARED : MAP_PRIVATE), -1, 0);
    }

    /**
     * mmap. {@code addr} is a hint unless MAP_FIXED (then the range is replaced); {@code fd} and
     * {@code offset} name the file unless MAP_ANONYMOUS. Mappings of 2 MiB or more are placed
     * 2 MiB-aligned, as THP-aware Linux does.
     */
    public synchronized long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        checkAlive();
        boolean shared = (flags & MAP_SHARED) != 0;
        if (length <= 0 || shared == ((flags & MAP_PRIVATE) != 0) || (offset & (PAGE_SIZE - 1)) != 0 || offset < 0) {
            throw new IommufdException(Errno.EINVAL, "mmap: bad length " + length + ", flags 0x" + Integer.toHexString(flags)
                    + " or offset " + offset);
        }
        boolean hugetlb = (flags & MAP_HUGETLB) != 0;
        if (hugetlb && (!shared || (flags & MAP_ANONYMOUS) == 0)) {
            throw new IommufdException(Errno.EINVAL, "mmap: MAP_HUGETLB is simulated for MAP_SHARED | MAP_ANONYMOUS only, flags 0x"
                    + Integer.toHexString(flags));
        }
        long align = hugetlb ? HUGEPAGE_SIZE : PAGE_SIZE;
        long len = (length + align - 1) & -align;
        SimFile file;
        if (hugetlb) {
            file = new SimFile(memory, "anon_hugepage@pid" + pid, len, false, true);
        } else if ((flags & MAP_ANONYMOUS) != 0) {
            file = shared ? new SimFile(memory, "anon_shared@pid" + pid, len, false) : null;
        } else {
            file = file(fd);
        }
        long start;
        if ((flags & MAP_FIXED) != 0) {
            if ((addr & (align - 1)) != 0 || addr <= 0 || addr + len > TASK_SIZE) {
                throw new IommufdException(Errno.EINVAL, "mmap: MAP_FIXED address 0x" + Long.toHexString(addr) + " is not usable");
            }
            start = addr;
            unmapRange(start, start + len);
        } else {
            start = findGap(len, len >= HUGE_ALIGN ? HUGE_ALIGN : PAGE_SIZE);
        }
        if (file != null) {
            file.hold();
        }
        Vma vma = new Vma(start, start + len, prot, shared, file, offset);
        vmas.put(start, vma);
        if ((flags & MAP_POPULATE) != 0 && (prot & PROT_WRITE) != 0) {
            for (long va = start; va < start + len; va += PAGE_SIZE) {
                frameForWrite(vma, va);
            }
        }
        return start;
    }

    /**
     * mmap of a file that is not in the descriptor table (a region another file's mmap handler
     * resolved, e.g. iommufd's published vIOMMU pages): MAP_SHARED, placed anywhere. The mapping
     * holds {@code file} until munmap or exit.
     */
    public synchronized long mmapFile(SimFile file, long length, int prot) {
        checkAlive();
        if (length <= 0 || (length & (PAGE_SIZE - 1)) != 0) {
            throw new IommufdException(Errno.EINVAL, "mmap: bad length " + length);
        }
        long start = findGap(length, length >= HUGE_ALIGN ? HUGE_ALIGN : PAGE_SIZE);
        file.hold();
        vmas.put(start, new Vma(start, start + length, prot, true, file, 0));
        return start;
    }

    private long findGap(long len, long align) {
        long candidate = MMAP_BASE;
        for (Vma v : vmas.values()) {
            candidate = (candidate + align - 1) & -align;
            if (v.end <= candidate) {
                continue;
            }
            if (candidate + len <= v.start) {
                return candidate;
            }
            candidate = v.end;
        }
        candidate = (candidate + align - 1) & -align;
        if (candidate + len > TASK_SIZE) {
            throw new IommufdException(Errno.ENOMEM, "mmap: no room for " + len + " bytes");
        }
        return candidate;
    }

    /** munmap: removes every mapping in [addr, addr+length); private pages are released. */
    public synchronized void munmap(long addr, long length) {
        if ((addr & (PAGE_SIZE - 1)) != 0 || length <= 0) {
            throw new IommufdException(Errno.EINVAL, "munmap: bad address 0x" + Long.toHexString(addr) + " or length " + length);
        }
        long end = addr + ((length + PAGE_SIZE - 1) & -PAGE_SIZE);
        // A huge page cannot be split (mm/hugetlb.c hugetlb_vm_op_split): EINVAL, nothing unmapped.
        for (long cut : new long[] {addr, end}) {
            Vma v = vmaAt(cut);
            if (v != null && v.start < cut && v.file != null && v.file.isHugetlb() && (cut & (HUGEPAGE_SIZE - 1)) != 0) {
                throw new IommufdException(Errno.EINVAL, "munmap: 0x" + Long.toHexString(cut) + " splits a huge page of " + v.file);
            }
        }
        unmapRange(addr, end);
    }

    private void unmapRange(long start, long end) {
        List<Vma> hit = new ArrayList<>();
        Map.Entry<Long, Vma> floor = vmas.floorEntry(start);
        if (floor != null && floor.getValue().end > start) {
            hit.add(floor.getValue());
        }
        hit.addAll(vmas.subMap(start, false, end, false).values());
        for (Vma v : hit) {
            vmas.remove(v.start);
            long cutStart = Math.max(v.start, start);
            long cutEnd = Math.min(v.end, end);
            if (v.start < cutStart) {
                Vma left = new Vma(v.start, cutStart, v.prot, v.shared, v.file, v.offset);
                vmas.put(left.start, left);
                if (v.file != null) {
                    v.file.hold();
                }
            }
            if (cutEnd < v.end) {
                Vma right = new Vma(cutEnd, v.end, v.prot, v.shared, v.file, v.offset + (cutEnd - v.start));
                vmas.put(right.start, right);
                if (v.file != null) {
                    v.file.hold();
                }
            }
            if (!v.shared) {
                for (long va = cutStart; va < cutEnd; va += PAGE_SIZE) {
                    long pfn = privatePages.remove(va >>> PAGE_SHIFT);
                    if (pfn != 0) {
                        memory.putFrame(pfn);
                    }
                }
            }
            if (v.file != null) {
                v.file.release();
            }
        }
    }

    private Vma vmaAt(long va) {
        Map.Entry<Long, Vma> e = vmas.floorEntry(va);
        if (e == null || e.getValue().end <= va) {
            return null;
        }
        return e.getValue();
    }

    private IommufdException fault(long va, String why) {
        return new IommufdException(Errno.EFAULT, "user address 0x" + Long.toHexString(va) + " " + why + " (pid " + pid + ")");
    }

    /** The VMA of {@code va} if it allows {@code prot}, else EFAULT. */
    private Vma accessible(long va, int prot) {
        if (!alive) {
            throw fault(va, "belongs to an exited process");
        }
        Vma v = va < 0 ? null : vmaAt(va);
        if (v == null) {
            throw fault(va, "is not mapped");
        }
        if ((v.prot & prot) != prot) {
            throw fault(va, (prot & PROT_WRITE) != 0 ? "is not writable" : "is not readable");
        }
        if (v.file != null && v.fileIndex(va) >= ((v.file.size() + PAGE_SIZE - 1) >>> PAGE_SHIFT)) {
            throw fault(va, "is past the end of " + v.file);
        }
        return v;
    }

    private static long fileFrames(SimFile file) {
        return (file.size() + PAGE_SIZE - 1) >>> PAGE_SHIFT;
    }

    /** The frame the process reads at {@code va}, or 0 for a page never touched (zero page). */
    private long frameForRead(Vma v, long va) {
        if (!v.shared) {
            long pfn = privatePages.get(va >>> PAGE_SHIFT);
            if (pfn != 0 || v.file == null) {
                return pfn;
            }
        }
        return v.file.pageIfPresent(v.fileIndex(va));
    }

    /**
     * The frame a write (or a long-term pin) at {@code va} goes to: for a private mapping an
     * exclusive page, made by copying the shared COW page or the file page (or zero-filled).
     */
    private long frameForWrite(Vma v, long va) {
        if (v.shared) {
            return v.file.pageForWrite(v.fileIndex(va));
        }
        long vpn = va >>> PAGE_SHIFT;
        long pfn = privatePages.get(vpn);
        if (pfn != 0 && memory.refCount(pfn) == 1) {
            return pfn;
        }
        long source = pfn != 0 ? pfn : v.file == null ? 0 : v.file.pageIfPresent(v.fileIndex(va));
        long copy = memory.allocateUserFrame();
        if (source != 0) {
            memory.copyFrame(source, copy);
        }
        privatePages.put(vpn, copy);
        if (pfn != 0) {
            memory.putFrame(pfn);
        }
        return copy;
    }

    @Override
    public synchronized void read(long va, byte[] dst, int off, int len) {
        for (long p = va & -PAGE_SIZE; p < va + len; p += PAGE_SIZE) {
            accessible(Math.max(p, va), PROT_READ);
        }
        int done = 0;
        while (done < len) {
            long a = va + done;
            int inPage = (int) (a & (PAGE_SIZE - 1));
            int n = Math.min(len - done, PAGE_SIZE - inPage);
            long pfn = frameForRead(vmaAt(a), a);
            if (pfn == 0) {
                java.util.Arrays.fill(dst, off + done, off + done + n, (byte) 0);
            } else {
                memory.read((pfn << PAGE_SHIFT) + inPage, dst, off + done, n);
            }
            done += n;
        }
    }

    @Override
    public synchronized void write(long va, byte[] src, int off, int len) {
        for (long p = va & -PAGE_SIZE; p < va + len; p += PAGE_SIZE) {
            accessible(Math.max(p, va), PROT_WRITE);
        }
        int done = 0;
        while (done < len) {
            long a = va + done;
            int inPage = (int) (a & (PAGE_SIZE - 1));
            int n = Math.min(len - done, PAGE_SIZE - inPage);
            long pfn = frameForWrite(vmaAt(a), a);
            memory.write((pfn << PAGE_SHIFT) + inPage, src, off + done, n);
            done += n;
        }
    }

    // ------------------------------------------------------------ pinning

    /**
     * pin_user_pages(FOLL_LONGTERM [| FOLL_WRITE]): pins the {@code npages} pages from the page
     * holding {@code va} and returns their frames. Any page unmapped, not accessible as asked, or
     * in an exited process is EFAULT, also half-way through; then nothing stays pinned.
     */
    @Override
    public synchronized long[] pinPages(long va, int npages, boolean write) {
        long first = va & -PAGE_SIZE;
        int prot = write ? PROT_READ | PROT_WRITE : PROT_READ;
        // One VMA lookup per VMA the range crosses, not per page (a 1 GiB pin is 262,144 pages).
        Vma[] vmaOf = new Vma[npages];
        Vma v = null;
        for (int i = 0; i < npages; i++) {
            long a = first + ((long) i << PAGE_SHIFT);
            if (v == null || a >= v.end || (v.file != null && v.fileIndex(a) >= fileFrames(v.file))) {
                v = accessible(a, prot);
            }
            vmaOf[i] = v;
        }
        memory.failNth().check("pin_user_pages", Errno.ENOMEM);
        long[] pfns = new long[npages];
        privatePages.getRange(first >>> PAGE_SHIFT, pfns);
        for (int i = 0; i < npages; i++) {
            if (vmaOf[i].shared) {
                pfns[i] = 0; // shared pages are the file's (frameForWrite below)
            }
        }
        // A private page already exclusive is used as is (frameForWrite's first case), read for
        // all pages under one lock; the others are faulted in or unshared one by one.
        boolean[] exclusive = new boolean[npages];
        memory.soleReferences(pfns, exclusive);
        for (int i = 0; i < npages; i++) {
            if (!exclusive[i]) {
                // Faulting pages in may allocate and fail; pages already faulted in stay mapped, as in Linux.
                pfns[i] = frameForWrite(vmaOf[i], first + ((long) i << PAGE_SHIFT));
            }
        }
        memory.pinFrames(pfns);
        return pfns;
    }

    /** The frame mapped at {@code va} now, or 0 when nothing was ever put there; never faults a page in. */
    @Override
    public synchronized long frameAt(long va) {
        Vma v = alive ? vmaAt(va) : null;
        return v == null ? 0 : frameForRead(v, va);
    }

    // ------------------------------------------------------------ fork and exit

    /**
     * fork(): the child gets the same mappings, user, rlimit, capabilities and open files, and
     * fresh mm counters. Shared mappings keep sharing; private pages become copy-on-write, except
     * pinned ones, which are copied for the child now (the parent keeps the pinned frame).
     */
    public synchronized SimProcess fork() {
        checkAlive();
        SimProcess child = new SimProcess(memory, user, rlimitMemlock, caps);
        LongOpenHashSet copied = new LongOpenHashSet();
        try {
            privatePages.forEach((vpn, pfn) -> {
                if (memory.pinCount(pfn) > 0) {
                    long copy = memory.allocateUserFrame();
                    copied.add(copy);
                    memory.copyFrame(pfn, copy);
                    child.privatePages.put(vpn, copy);
                } else {
                    child.privatePages.put(vpn, pfn);
                }
            });
        } catch (IommufdException e) {
            copied.forEach(memory::putFrame);
            throw e;
        }
        child.privatePages.forEach((vpn, pfn) -> {
            if (!copied.contains(pfn)) {
                memory.getFrame(pfn);
            }
        });
        for (Vma v : vmas.values()) {
            if (v.file != null) {
                v.file.hold();
            }
            child.vmas.put(v.start, new Vma(v.start, v.end, v.prot, v.shared, v.file, v.offset));
        }
        for (Int2ObjectOpenHashMap.Entry<OpenFile> e : fds.int2ObjectEntrySet()) {
            hold(e.getValue());
            child.fds.put(e.getIntKey(), e.getValue());
        }
        return child;
    }

    /**
     * exit(): the address space and the file table go away. Pinned frames stay pinned (and
     * charged) until whoever pinned them unpins; pinning anything more is EFAULT.
     */
    public void exit() {
        java.util.List<OpenFile> open;
        synchronized (this) {
            if (!alive) {
                return;
            }
            unmapRange(0, TASK_SIZE);
            open = new java.util.ArrayList<>(fds.values());
            fds.clear();
            alive = false;
        }
        // Outside the lock, as close() does: an anon file's release may unpin pages.
        for (OpenFile f : open) {
            release(f);
        }
    }

    private void checkAlive() {
        if (!alive) {
            throw new IllegalStateException("pid " + pid + " has exited");
        }
    }

    @Override
    public String toString() {
        return "pid " + pid + " (" + user + ")";
    }
}
