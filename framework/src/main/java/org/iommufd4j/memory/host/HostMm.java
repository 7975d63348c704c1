package org.iommufd4j.memory.host;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;

import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import java.nio.file.Path;
import org.iommufd4j.memory.Capability;
import org.iommufd4j.memory.ExternalPage;
import org.iommufd4j.memory.MmAccounting;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.ShmemFile;
import org.iommufd4j.memory.SimUser;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The address space of one real process ({@code struct mm_struct} as iommufd sees it): its memory
 * through {@code /proc/<pid>/mem}, the frames of its pinned pages, and its pin accounting.
 *
 * <p>A pinned page becomes an externally backed frame whose bytes are read and written at the
 * page's virtual address in the process, so DMA into the frame is a write into the program's
 * buffer. Pinning a page already pinned returns the same frame (as pin_user_pages returns the
 * same struct page), which is what the mock's MD_CHECK_MAP compares; the frame and this cache
 * entry go when its last pin goes.
 */
public final class HostMm {
    private final Path proc;
    private final int pid;
    private final long startTime;
    private final PhysicalMemory memory;
    private final SimUser user;
    private final ProcMem mem;
    private final MmAccounting accounting;
    /** The machine's memfds (IOAS_MAP_FILE), shared by every process. */
    private final HostFiles files;
    /** Pinned pages: virtual page number → external frame. */
    private final Long2LongOpenHashMap frames = new Long2LongOpenHashMap();
    private volatile ProcCredentials credentials;
    private volatile boolean exited;

    HostMm(Path proc, int pid, PhysicalMemory memory, SimUser user, ProcCredentials credentials, HostFiles files) {
        this.proc = proc;
        this.pid = pid;
        this.startTime = credentials.startTime();
        this.memory = memory;
        this.user = user;
        this.credentials = credentials;
        this.files = files;
        this.mem = ProcMem.open(proc, pid);
        this.accounting = new MmAccounting("pid " + pid, user, () -> this.credentials.rlimitMemlock());
    }

    public int pid() {
        return pid;
    }

    long startTime() {
        return startTime;
    }

    public SimUser user() {
        return user;
    }

    public PhysicalMemory memory() {
        return memory;
    }

    public MmAccounting accounting() {
        return accounting;
    }

    /** Takes the capabilities and RLIMIT_MEMLOCK the process has now (capset and setrlimit change them). */
    void update(ProcCredentials now) {
        credentials = now;
    }

    public boolean capable(Capability cap) {
        return credentials.capabilities().contains(cap);
    }

    public long rlimitMemlock() {
        return credentials.rlimitMemlock();
    }

    /** Whether the process still runs (its pid exists with the same start time). */
    public boolean isAlive() {
        if (exited) {
            return false;
        }
        if (!ProcCredentials.runs(proc, pid, startTime)) {
            markExited();
        }
        return !exited;
    }

    /** The process is gone: its memory cannot be reached any more. Pins stay until unpinned. */
    void markExited() {
        exited = true;
        mem.close();
    }

    /**
     * The memfd open at {@code fd} in the process, for IOAS_MAP_FILE: EBADF when nothing is open
     * there, EOPNOTSUPP when it is not a regular file (whether it is a memfd, the caller checks).
     */
    public ShmemFile file(int fd) {
        if (fd < 0) {
            throw new IommufdException(Errno.EBADF, "fd " + fd + " is not open in pid " + pid);
        }
        return files.open(proc, pid, fd);
    }

    /** Pinned pages now, for leak checks. */
    public synchronized int pinnedPages() {
        return frames.size();
    }

    /** copy_from_user: a page not mapped readable is EFAULT, although /proc/pid/mem could force it. */
    public void read(long va, byte[] dst, int off, int len) {
        checkAlive(va);
        checkMapped(va, len, false);
        mem.read(va, dst, off, len);
    }

    /** copy_to_user: a page not mapped writable is EFAULT, although /proc/pid/mem could force it. */
    public void write(long va, byte[] src, int off, int len) {
        checkAlive(va);
        checkMapped(va, len, true);
        mem.write(va, src, off, len);
    }

    /** EFAULT unless every page of {@code [va, va + len)} is mapped readable (and writable if {@code write}). */
    private void checkMapped(long va, int len, boolean write) {
        if (len <= 0) {
            return;
        }
        ProcMaps maps = ProcMaps.read(proc, pid);
        for (long p = va & -PAGE_SIZE; Long.compareUnsigned(p, va + len) < 0; p += PAGE_SIZE) {
            long a = Math.max(p, va);
            if (!maps.allows(a, write)) {
                throw new IommufdException(Errno.EFAULT, "user address 0x" + Long.toHexString(a) + " of pid " + pid
                        + " is not mapped " + (write ? "writable" : "readable"));
            }
        }
    }

    /**
     * Fills a mapping iommufd made in the process (the pages of an mmap of a published region):
     * the kernel populates such a mapping whatever its protection, so no permission check here.
     */
    public void populate(long va, byte[] src, int off, int len) {
        checkAlive(va);
        mem.write(va, src, off, len);
    }

    private void checkAlive(long va) {
        if (exited) {
            throw new IommufdException(Errno.EFAULT, "user address 0x" + Long.toHexString(va) + " belongs to pid " + pid
                    + ", which has exited");
        }
    }

    /**
     * pin_user_pages(FOLL_LONGTERM [| FOLL_WRITE]) of {@code npages} pages from the page holding
     * {@code va}. Every page must be mapped readable (and writable if {@code write}) and be
     * readable now; otherwise EFAULT and nothing stays pinned.
     */
    public long[] pinPages(long va, int npages, boolean write) {
        long first = va & -PAGE_SIZE;
        checkAlive(first);
        ProcMaps maps = ProcMaps.read(proc, pid);
        byte[] probe = new byte[1];
        for (int i = 0; i < npages; i++) {
            long a = first + ((long) i << PAGE_SHIFT);
            if (a < 0 || !maps.allows(a, write)) {
                throw new IommufdException(Errno.EFAULT, "user address 0x" + Long.toHexString(a) + " of pid " + pid
                        + " is not mapped " + (write ? "writable" : "readable"));
            }
            // Faults the page in, as GUP does; a mapping past the end of its file fails here.
            mem.read(a, probe, 0, 1);
        }
        memory.failNth().check("pin_user_pages", Errno.ENOMEM);
        long[] pfns = new long[npages];
        int done = 0;
        try {
            synchronized (this) {
                for (; done < npages; done++) {
                    pfns[done] = pinOne((first >>> PAGE_SHIFT) + done);
                }
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < done; i++) {
                memory.unpinFrame(pfns[i]);
            }
            throw e;
        }
        return pfns;
    }

    private long pinOne(long vpn) {
        long pfn = frames.get(vpn);
        // A frame being freed right now (its last unpin raced with us) cannot be pinned again; a
        // new one takes its place and the old one's release leaves the new entry alone.
        if (pfn != 0 && memory.tryPinFrame(pfn)) {
            return pfn;
        }
        pfn = memory.allocateExternalFrame(new Page(vpn));
        memory.pinFrame(pfn);
        memory.putFrame(pfn); // the pin alone keeps it: the last unpin frees it
        frames.put(vpn, pfn);
        return pfn;
    }

    /** The frame of the pinned page at {@code va}, or 0 when that page is not pinned. */
    public synchronized long frameAt(long va) {
        return frames.get(va >>> PAGE_SHIFT);
    }

    private synchronized void forget(long vpn, long pfn) {
        if (frames.get(vpn) == pfn) {
            frames.remove(vpn);
        }
    }

    /** One pinned page: the bytes at its virtual address in the process. */
    private final class Page implements ExternalPage {
        private final long vpn;

        Page(long vpn) {
            this.vpn = vpn;
        }

        @Override
        public void read(int offset, byte[] dst, int off, int len) {
            HostMm.this.read((vpn << PAGE_SHIFT) + offset, dst, off, len);
        }

        @Override
        public void write(int offset, byte[] src, int off, int len) {
            // Device DMA is not a CPU store: it is not subject to the VMA's protection once pinned.
            long va = (vpn << PAGE_SHIFT) + offset;
            checkAlive(va);
            mem.write(va, src, off, len);
        }

        @Override
        public void released(long pfn) {
            forget(vpn, pfn);
        }
    }

    @Override
    public String toString() {
        return "pid " + pid + " (" + user + ")";
    }
}
