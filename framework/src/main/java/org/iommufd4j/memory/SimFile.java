package org.iommufd4j.memory;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;

import it.unimi.dsi.fastutil.longs.Long2LongMap;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A shmem file: a memfd, or the object behind a shared anonymous mapping. Its page cache maps a
 * page index to the frame holding that page (one frame reference each); pages are made on first
 * write or pin and dropped by truncation. The file lives while a file descriptor or a mapping
 * holds it; a frame pinned for DMA survives truncation and the file's end until it is unpinned.
 */
public final class SimFile implements OpenFile, ShmemFile {
    private final PhysicalMemory memory;
    private final String name;
    private final boolean memfd;
    /** A hugetlbfs file: its pages come in naturally aligned 2 MiB runs of contiguous frames. */
    private final boolean hugetlb;
    private final Long2LongOpenHashMap pages = new Long2LongOpenHashMap();
    private long size;
    private int holders;

    SimFile(PhysicalMemory memory, String name, long size, boolean memfd) {
        this(memory, name, size, memfd, false);
    }

    SimFile(PhysicalMemory memory, String name, long size, boolean memfd, boolean hugetlb) {
        this.memory = memory;
        this.name = name;
        this.size = size;
        this.memfd = memfd;
        this.hugetlb = hugetlb;
    }

    /** True for the hugetlbfs object behind a MAP_HUGETLB mapping. */
    public boolean isHugetlb() {
        return hugetlb;
    }

    @Override
    public String name() {
        return name;
    }

    /** True for a file made by memfd_create (IOAS_MAP_FILE accepts only those). */
    @Override
    public boolean isMemfd() {
        return memfd;
    }

    /** The file size in bytes. */
    @Override
    public synchronized long size() {
        return size;
    }

    /** Pages present in the page cache. */
    public synchronized int residentPages() {
        return pages.size();
    }

    /** ftruncate: pages wholly past the new end leave the page cache; the tail of the last one is zeroed. */
    public synchronized void truncate(long newSize) {
        if (newSize < 0) {
            throw new IommufdException(Errno.EINVAL, "ftruncate: negative size " + newSize);
        }
        if (newSize < size) {
            long firstGone = (newSize + PAGE_SIZE - 1) >>> PAGE_SHIFT;
            LongArrayList drop = new LongArrayList();
            for (Long2LongMap.Entry e : pages.long2LongEntrySet()) {
                if (e.getLongKey() >= firstGone) {
                    drop.add(e.getLongKey());
                }
            }
            for (int i = 0; i < drop.size(); i++) {
                memory.putFrame(pages.remove(drop.getLong(i)));
            }
            long partial = newSize & (PAGE_SIZE - 1);
            if (partial != 0 && pages.containsKey(newSize >>> PAGE_SHIFT)) {
                long pa = (pages.get(newSize >>> PAGE_SHIFT) << PAGE_SHIFT) + partial;
                memory.write(pa, new byte[(int) (PAGE_SIZE - partial)], 0, (int) (PAGE_SIZE - partial));
            }
        }
        size = newSize;
    }

    /** pwrite: writes {@code len} bytes at {@code offset}, growing the file if needed. */
    @Override
    public synchronized void write(long offset, byte[] src, int off, int len) {
        if (offset < 0 || len < 0) {
            throw new IommufdException(Errno.EINVAL, "pwrite: bad offset " + offset + " or length " + len);
        }
        if (offset + len > size) {
            size = offset + len;
        }
        copy(offset, src, off, len, true);
    }

    /** pread: reads up to the file's end; returns the number of bytes read. */
    @Override
    public synchronized int read(long offset, byte[] dst, int off, int len) {
        if (offset < 0 || len < 0) {
            throw new IommufdException(Errno.EINVAL, "pread: bad offset " + offset + " or length " + len);
        }
        int n = (int) Math.max(0, Math.min(len, size - offset));
        copy(offset, dst, off, n, false);
        return n;
    }

    private void copy(long offset, byte[] buf, int off, int len, boolean write) {
        int done = 0;
        while (done < len) {
            long pos = offset + done;
            int inPage = (int) (pos & (PAGE_SIZE - 1));
            int n = Math.min(len - done, PAGE_SIZE - inPage);
            if (write) {
                memory.write((pageForWrite(pos >>> PAGE_SHIFT) << PAGE_SHIFT) + inPage, buf, off + done, n);
            } else {
                long pfn = pages.get(pos >>> PAGE_SHIFT);
                if (pfn == 0) {
                    java.util.Arrays.fill(buf, off + done, off + done + n, (byte) 0);
                } else {
                    memory.read((pfn << PAGE_SHIFT) + inPage, buf, off + done, n);
                }
            }
            done += n;
        }
    }

    /** The frame of page {@code index}, or 0 when the page is not in the page cache. */
    synchronized long pageIfPresent(long index) {
        return pages.get(index);
    }

    /** The frame of page {@code index}, made (zeroed) when absent. */
    synchronized long pageForWrite(long index) {
        long pfn = pages.get(index);
        if (pfn == 0 && hugetlb) {
            // hugetlb faults in the whole huge page (mm/hugetlb.c hugetlb_no_page): one 2 MiB folio.
            long first = index & -SimProcess.HUGE_PAGES_PER_HUGEPAGE;
            long base = memory.allocateUserBlock(SimProcess.HUGEPAGE_ORDER);
            for (int i = 0; i < SimProcess.HUGE_PAGES_PER_HUGEPAGE; i++) {
                pages.put(first + i, base + i);
            }
            pfn = pages.get(index);
        } else if (pfn == 0) {
            pfn = memory.allocateUserFrame();
            pages.put(index, pfn);
        }
        return pfn;
    }

    /**
     * Pins the pages holding bytes [start, start+length) (memfd_pin_folios) and returns their
     * frames in order. A range past the file's end is EINVAL (the file may have been truncated);
     * on any failure nothing stays pinned.
     */
    @Override
    public synchronized long[] pinRange(long start, long length) {
        if (start < 0 || length <= 0 || start + length < start || start + length > size) {
            throw new IommufdException(Errno.EINVAL, name + ": bytes [" + start + ", " + start + "+" + length
                    + ") are not inside the file (size " + size + ")");
        }
        memory.failNth().check("memfd pin", Errno.ENOMEM);
        long first = start >>> PAGE_SHIFT;
        int count = (int) (((start + length - 1) >>> PAGE_SHIFT) - first + 1);
        long[] pfns = new long[count];
        for (int i = 0; i < count; i++) {
            pfns[i] = pageForWrite(first + i);
        }
        for (long pfn : pfns) {
            memory.pinFrame(pfn);
        }
        return pfns;
    }

    synchronized void hold() {
        holders++;
    }

    /** Drops a holder (fd or mapping); the last one returns every page to memory. */
    synchronized void release() {
        if (--holders == 0) {
            if (!pfnMap) {
                for (Long2LongMap.Entry e : pages.long2LongEntrySet()) {
                    memory.putFrame(e.getLongValue());
                }
            }
            pages.clear();
            if (onLastRelease != null) {
                Runnable r = onLastRelease;
                onLastRelease = null;
                r.run();
            }
        }
    }

    private Runnable onLastRelease;
    /** Frames owned by a driver (io_remap_pfn_range, VM_PFNMAP): mapped without page references. */
    private boolean pfnMap;

    /**
     * A file over frames a driver owns (a region published for mmap, io_remap_pfn_range):
     * {@code length} bytes from page-aligned {@code pa}, mapped without taking page references,
     * as a VM_PFNMAP mapping. {@code onLastRelease} runs when the last mapping of it goes away.
     * Map it with {@link SimProcess#mmapFile}.
     */
    public static SimFile ofFrames(PhysicalMemory memory, String name, long pa, long length, Runnable onLastRelease) {
        if ((pa & (PAGE_SIZE - 1)) != 0 || length <= 0 || (length & (PAGE_SIZE - 1)) != 0) {
            throw new IllegalArgumentException("frames at 0x" + Long.toHexString(pa) + " +0x" + Long.toHexString(length)
                    + " are not whole pages");
        }
        SimFile f = new SimFile(memory, name, length, false);
        for (long i = 0; i < length >>> PAGE_SHIFT; i++) {
            f.pages.put(i, (pa >>> PAGE_SHIFT) + i);
        }
        f.pfnMap = true;
        f.onLastRelease = onLastRelease;
        return f;
    }

    @Override
    public String toString() {
        return (memfd ? "memfd:" : "shmem:") + name;
    }
}
