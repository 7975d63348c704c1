package org.iommufd4j.ioas;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;

import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.memory.AccountMode;
import org.iommufd4j.memory.DmaBuf;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.ShmemFile;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.memory.UserMemory;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * Linux's {@code iopt_pages} (pages.c): the pages behind one IOAS_MAP or IOAS_MAP_FILE, shared by
 * every area that maps them, including the areas IOAS_COPY makes in other IOAS, so each page is
 * pinned and charged once however often it is mapped.
 *
 * <p>Pages are pinned on demand: a page is pinned while at least one holder needs it (an area
 * loaded into paging domains, later an access), counted per page in an {@code int[]}; the frames
 * are kept in a {@code long[]}. Both arrays are allocated on the first pin, so mapping 1 GiB makes
 * two arrays, not 262,144 objects.
 */
final class IoPages {
    private final PhysicalMemory memory;
    /** The process whose memory is pinned (user pages), or null for file pages. */
    private final UserProcess source;
    private final ShmemFile file;
    /** The dma-buf whose frames these are (no pin, no accounting), or null. */
    private final DmaBuf dmabuf;
    /** Page-aligned start: a user VA or a file offset. */
    private final long base;
    /** The first and one-past-last byte of the mapped range, relative to {@link #base}. */
    private final long firstByte;
    private final long endByte;
    private final int npages;
    private final boolean writable;
    private UserProcess accountOwner;
    private AccountMode accountMode;
    private long[] pfns;
    private int[] holders;
    private long npinned;
    /** Areas referring to these pages ({@code kref}); for leak checks. */
    private int areaRefs;

    private IoPages(PhysicalMemory memory, UserProcess source, ShmemFile file, long start, long length, boolean writable,
            UserProcess owner, AccountMode mode) {
        this(memory, source, file, null, start, length, writable, owner, mode);
    }

    private IoPages(PhysicalMemory memory, UserProcess source, ShmemFile file, DmaBuf dmabuf, long start, long length,
            boolean writable, UserProcess owner, AccountMode mode) {
        long end = start + length;
        if (length <= 0 || Long.compareUnsigned(end, start) < 0) {
            throw new IommufdException(Errno.EOVERFLOW, "start 0x" + Long.toHexString(start) + " + length 0x"
                    + Long.toHexString(length) + " overflows");
        }
        this.memory = memory;
        this.source = source;
        this.file = file;
        this.dmabuf = dmabuf;
        this.base = start & -PAGE_SIZE;
        this.firstByte = start - base;
        this.endByte = end - base;
        long pages = (endByte + PAGE_SIZE - 1) >>> PAGE_SHIFT;
        if (pages <= 0 || pages > Integer.MAX_VALUE) {
            throw new IommufdException(Errno.ENOMEM, "length 0x" + Long.toHexString(length) + " spans too many pages");
        }
        this.npages = (int) pages;
        this.writable = writable;
        this.accountOwner = owner;
        this.accountMode = mode;
    }

    /** Pages of {@code process}'s memory at [uptr, uptr+length) (pages.c iopt_alloc_user_pages). */
    static IoPages ofUser(UserProcess process, long uptr, long length, boolean writable, AccountMode mode) {
        return new IoPages(process.memory(), process, null, uptr, length, writable, process, effective(process, mode));
    }

    /** Pages of memfd {@code file} at [start, start+length), charged to {@code caller}. */
    static IoPages ofFile(UserProcess caller, ShmemFile file, long start, long length, boolean writable, AccountMode mode) {
        if (start < 0 || length <= 0 || start + length < start || start + length > file.size()) {
            throw new IommufdException(Errno.EINVAL, "file range [" + Long.toUnsignedString(start) + ", +"
                    + Long.toUnsignedString(length) + ") is not inside " + file + " of size " + file.size());
        }
        return new IoPages(caller.memory(), null, file, start, length, writable, caller, effective(caller, mode));
    }

    /**
     * Pages of dma-buf {@code buf} at [start, start+length) (iopt_alloc_dmabuf_pages): its frames
     * are the exporter's, so nothing is pinned or charged. Past the buffer's end: EINVAL; revoked:
     * ENODEV.
     */
    static IoPages ofDmaBuf(UserProcess caller, DmaBuf buf, long start, long length, boolean writable) {
        if (start < 0 || length <= 0 || start + length < start || start + length > buf.length()) {
            throw new IommufdException(Errno.EINVAL, "dma-buf range [" + Long.toUnsignedString(start) + ", +"
                    + Long.toUnsignedString(length) + ") is not inside the " + buf.length() + "-byte buffer");
        }
        buf.checkUsable();
        return new IoPages(caller.memory(), null, null, buf, start, length, writable, caller, AccountMode.NONE);
    }

    /** The dma-buf these pages are, or null. */
    DmaBuf dmabuf() {
        return dmabuf;
    }

    /** CAP_IPC_LOCK bypasses RLIMIT_MEMLOCK (pages.c iopt_alloc_pages). */
    private static AccountMode effective(UserProcess process, AccountMode mode) {
        return process.capable(org.iommufd4j.memory.Capability.IPC_LOCK) ? AccountMode.NONE : mode;
    }

    boolean writable() {
        return writable;
    }

    boolean isFile() {
        return file != null;
    }

    /** User VA or file offset of byte {@code startByte} of these pages (for IOVA alignment hints). */
    long address(long startByte) {
        return base + startByte;
    }

    /** The offset of the first mapped byte from the page-aligned base (an area's start_byte). */
    long firstByte() {
        return firstByte;
    }

    int npages() {
        return npages;
    }

    synchronized void addArea() {
        areaRefs++;
    }

    synchronized void removeArea() {
        if (--areaRefs < 0) {
            throw new IllegalStateException("iopt_pages area references went negative");
        }
    }

    synchronized long npinned() {
        return npinned;
    }

    synchronized UserProcess accountOwner() {
        return accountOwner;
    }

    /** The frame of page {@code index}; only valid while the page is pinned. */
    synchronized long pfn(int index) {
        return pfns == null ? 0 : pfns[index];
    }

    /** The frames of pages [first, last] (a copy, one lock for all); only valid while they are pinned. */
    synchronized long[] pfns(int first, int last) {
        long[] out = new long[last - first + 1];
        if (pfns != null) {
            System.arraycopy(pfns, first, out, 0, out.length);
        }
        return out;
    }

    /**
     * Adds a holder to pages [first, last]; pages that had none are pinned now and charged to the
     * account owner. All or nothing: on EFAULT (user memory gone), EINVAL (file truncated) or
     * ENOMEM (limit or injected) nothing is pinned, held or charged.
     */
    synchronized void pin(int first, int last) {
        if (pfns == null) {
            pfns = new long[npages];
            holders = new int[npages];
        }
        int newly = 0;
        int i = first;
        try {
            while (i <= last) {
                if (holders[i] != 0) {
                    i++;
                    continue;
                }
                int j = i;
                while (j < last && holders[j + 1] == 0) {
                    j++;
                }
                long[] got = pinSource(i, j);
                System.arraycopy(got, 0, pfns, i, got.length);
                newly += got.length;
                // Mark them as ours while the rest is pinned so an unwind finds them.
                for (int k = i; k <= j; k++) {
                    holders[k] = -1;
                }
                i = j + 1;
            }
            accountOwner.chargePinned(accountMode, dmabuf == null ? newly : 0);
        } catch (RuntimeException e) {
            for (int k = first; k <= last; k++) {
                if (holders[k] == -1) {
                    unpinFrame(pfns[k]);
                    pfns[k] = 0;
                    holders[k] = 0;
                }
            }
            throw e;
        }
        for (int k = first; k <= last; k++) {
            holders[k] = holders[k] == -1 ? 1 : holders[k] + 1;
        }
        npinned += newly;
    }

    private void unpinFrame(long pfn) {
        if (dmabuf == null) {
            memory.unpinFrame(pfn);
        }
    }

    private long[] pinSource(int first, int last) {
        int count = last - first + 1;
        if (dmabuf != null) {
            // The exporter's frames: usable unless revoked (then ENODEV), never pinned.
            dmabuf.checkUsable();
            long[] pfns = new long[count];
            long firstPfn = (dmabuf.physicalAddress() + base) >>> PAGE_SHIFT;
            for (int k = 0; k < count; k++) {
                pfns[k] = firstPfn + first + k;
            }
            return pfns;
        }
        if (file == null) {
            return source.pinPages(base + ((long) first << PAGE_SHIFT), count, writable);
        }
        long from = Math.max((long) first << PAGE_SHIFT, firstByte);
        long to = Math.min(((long) last + 1) << PAGE_SHIFT, endByte);
        return file.pinRange(base + from, to - from);
    }

    /** Drops a holder from pages [first, last]; pages left without one are unpinned and uncharged. */
    synchronized void unpin(int first, int last) {
        int released = 0;
        for (int k = first; k <= last; k++) {
            if (holders[k] <= 0) {
                throw new IllegalStateException("page " + k + " of iopt_pages is not held");
            }
            if (--holders[k] == 0) {
                unpinFrame(pfns[k]);
                pfns[k] = 0;
                released++;
            }
        }
        npinned -= released;
        accountOwner.unchargePinned(accountMode, dmabuf == null ? released : 0);
    }

    /**
     * iopt_pages_rw_access (pages.c): copies {@code length} bytes between {@code data} and these
     * pages from byte {@code startByte}. Writing pages pinned read-only is EPERM.
     *
     * <ul>
     *   <li>Fast path, for the mapping process itself (or a {@link AccessFlags#KTHREAD} caller
     *       borrowing its address space), {@link #rw(long, byte[], int, int, boolean)}: pinned pages
     *       are copied through their frames, the others through the process's virtual memory at the
     *       mapped user address (Linux's {@code copy_to_user}/{@code copy_from_user}; an address no
     *       longer mapped is EFAULT). Nothing is pinned.
     *   <li>Slow path, for another process, file pages, an exited process, or
     *       {@link AccessFlags#SLOW_PATH}: one page is pinned, copied through its frame and
     *       unpinned (iopt_pages_rw_page); several pages are held for the copy through the same
     *       holders domains use, so pages already pinned are reused and the rest pinned for the
     *       duration (iopt_pages_rw_slow). Either way nothing stays pinned.
     * </ul>
     */
    void accessRw(FailNth failNth, UserMemory caller, long startByte, byte[] data, int off, int length, int flags) {
        boolean write = (flags & AccessFlags.WRITE) != 0;
        if (write && !writable) {
            throw new IommufdException(Errno.EPERM, "these pages were pinned read-only and cannot be written");
        }
        int first = (int) (startByte >>> PAGE_SHIFT);
        int last = (int) ((startByte + length - 1) >>> PAGE_SHIFT);
        if (file != null) {
            rwSlow(failNth, first, last, startByte, data, off, length, write);
            return;
        }
        // equals: the same address space (a real process is a new object per call).
        boolean changeMm = !source.equals(caller) || (flags & AccessFlags.SLOW_PATH) != 0;
        if ((flags & AccessFlags.KTHREAD) == 0 && changeMm) {
            if (first == last && source.isAlive()) {
                rwPage(failNth, startByte, data, off, length, write);
            } else {
                rwSlow(failNth, first, last, startByte, data, off, length, write);
            }
            return;
        }
        if (!source.isAlive()) {
            rwSlow(failNth, first, last, startByte, data, off, length, write);
            return;
        }
        rw(startByte, data, off, length, write);
    }

    /** iopt_pages_rw_page: pin the one page in the source process, copy, unpin. */
    private void rwPage(FailNth failNth, long startByte, byte[] data, int off, int length, boolean write) {
        failNth.check("iopt_pages_rw_page", Errno.EINVAL);
        long pfn = source.pinPages(base + (startByte & -PAGE_SIZE), 1, write)[0];
        try {
            copy((pfn << PAGE_SHIFT) + (startByte & (PAGE_SIZE - 1)), data, off, length, write);
        } finally {
            memory.unpinFrame(pfn);
        }
    }

    /** iopt_pages_rw_slow: hold pages [first, last] (pinning those not pinned yet), copy, release. */
    private synchronized void rwSlow(FailNth failNth, int first, int last, long startByte, byte[] data, int off, int length, boolean write) {
        // pfn_reader's batch allocation
        failNth.check("pfn_reader batch allocation", Errno.ENOMEM);
        pin(first, last);
        try {
            int done = 0;
            long b = startByte;
            while (done < length) {
                int inPage = (int) (b & (PAGE_SIZE - 1));
                int n = Math.min(length - done, PAGE_SIZE - inPage);
                copy((pfns[(int) (b >>> PAGE_SHIFT)] << PAGE_SHIFT) + inPage, data, off + done, n, write);
                done += n;
                b += n;
            }
        } finally {
            unpin(first, last);
        }
    }

    private void copy(long pa, byte[] data, int off, int length, boolean write) {
        if (write) {
            memory.write(pa, data, off, length);
        } else {
            memory.read(pa, data, off, length);
        }
    }

    /**
     * Copies bytes at {@code startByte} (relative to the page-aligned base) to or from {@code buf}:
     * through the pinned frame where the page is pinned, else through the source process's memory
     * (EFAULT once it is gone) or the file (iopt_pages_rw_access).
     */
    synchronized void rw(long startByte, byte[] buf, int off, int len, boolean write) {
        int done = 0;
        while (done < len) {
            long b = startByte + done;
            int index = (int) (b >>> PAGE_SHIFT);
            int inPage = (int) (b & (PAGE_SIZE - 1));
            int n = Math.min(len - done, PAGE_SIZE - inPage);
            long pfn = pfns == null ? 0 : pfns[index];
            if (pfn != 0) {
                long pa = (pfn << PAGE_SHIFT) + inPage;
                if (write) {
                    memory.write(pa, buf, off + done, n);
                } else {
                    memory.read(pa, buf, off + done, n);
                }
            } else if (file == null) {
                if (write) {
                    source.write(base + b, buf, off + done, n);
                } else {
                    source.read(base + b, buf, off + done, n);
                }
            } else if (write) {
                if (base + b + n > file.size()) {
                    throw new IommufdException(Errno.EFAULT, file + " was truncated below offset " + (base + b + n));
                }
                file.write(base + b, buf, off + done, n);
            } else if (file.read(base + b, buf, off + done, n) != n) {
                throw new IommufdException(Errno.EFAULT, file + " was truncated below offset " + (base + b + n));
            }
            done += n;
        }
    }

    /** Charges the pinned pages to {@code newOwner} (first step of IOAS_CHANGE_PROCESS); ENOMEM leaves nothing. */
    synchronized void chargeTo(UserProcess newOwner) {
        newOwner.chargePinned(accountMode, npinned);
    }

    /** Second step: drops the old owner's charge and makes {@code newOwner} the owner. */
    synchronized void moveChargeTo(UserProcess newOwner) {
        accountOwner.unchargePinned(accountMode, npinned);
        accountOwner = newOwner;
    }

    /** Undoes {@link #chargeTo} after a later page failed. */
    synchronized void unchargeFrom(UserProcess newOwner) {
        newOwner.unchargePinned(accountMode, npinned);
    }
}
