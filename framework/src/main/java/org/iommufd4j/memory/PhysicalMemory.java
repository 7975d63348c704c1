package org.iommufd4j.memory;

import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.List;
import java.util.Arrays;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * Host physical memory: 4 KiB page frames whose contents are real bytes. Page tables are written
 * into these frames and the hardware model walks the same frames, so a wrong bit is a failing DMA.
 *
 * <p>Memory is stored as 8-byte words in 2 MiB chunks ({@code long[262144]}), made on first touch:
 * frames that are allocated but never written (pinned user pages nobody reads) cost no heap. A
 * page-table format reads and writes entries directly in {@link #words(long)} at
 * {@link #wordIndex(long)}, which keeps the engine's loops to plain array stores.
 *
 * <p>Frames are handed out in power-of-two blocks of 1 to 512 frames, aligned to their size
 * (SMMUv3's 64 KiB tables and concatenated stage-2 roots need contiguous frames).
 *
 * <p>Frames that back user memory (process pages, memfd page cache) carry two counters, kept in
 * {@code int[]} chunks indexed by frame number rather than in per-page objects: {@link #refCount}
 * counts the mappings and page caches that hold the frame, {@link #pinCount} the long-term pins
 * (Linux's {@code FOLL_PIN}, which the selftest's MD_CHECK_REFS reads back). A user frame is freed
 * when both reach zero, so a page pinned for DMA outlives the mapping it came from.
 *
 * <p>A user frame may be <em>externally backed</em> ({@link #allocateExternalFrame}): it has a
 * frame number and counters like any other, but {@link #read}, {@link #write}, {@link #readLong}
 * and {@link #writeLong} of its bytes go to an {@link ExternalPage} (a real process's page), so DMA
 * through it changes that process's memory. Page tables are never external: {@link #words} is
 * only for frames from {@link #allocate}.
 */
public final class PhysicalMemory {
    public static final int PAGE_SHIFT = 12;
    public static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    /** A chunk is 512 frames: the largest block {@link #allocate} hands out. */
    public static final int CHUNK_SHIFT = 21;
    public static final int MAX_ORDER = CHUNK_SHIFT - PAGE_SHIFT;
    private static final long CHUNK_MASK = (1L << CHUNK_SHIFT) - 1;
    private static final int WORDS_PER_CHUNK = 1 << (CHUNK_SHIFT - 3);

    private final long[][] chunks;
    private final long limitFrames;
    private final FailNth failNth;
    private final LongArrayList[] freeBlocks = new LongArrayList[MAX_ORDER + 1];
    /** Frame 0 stays unused so that physical address 0 never names a real page. */
    private long nextFrame = 1;
    private long allocatedFrames;

    /** User-frame counters: chunks of 2^16 frames, made on first use. */
    private static final int COUNTER_CHUNK_SHIFT = 16;
    private static final int COUNTER_CHUNK_MASK = (1 << COUNTER_CHUNK_SHIFT) - 1;
    private final int[][] refCounts;
    private final int[][] pinCounts;
    private final Object counterLock = new Object();
    private long pinnedFrames;
    /** Externally backed frames by frame number; {@link #externalCount} lets the byte paths skip the lookup. */
    private final Long2ObjectOpenHashMap<ExternalPage> external = new Long2ObjectOpenHashMap<>();
    private volatile int externalCount;

    /** Memory of {@code bytes} (a multiple of 2 MiB) with failure injection from {@code failNth}. */
    public PhysicalMemory(long bytes, FailNth failNth) {
        if (bytes <= 0 || (bytes & CHUNK_MASK) != 0 || (bytes >>> CHUNK_SHIFT) > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("memory size must be a positive multiple of 2 MiB: " + bytes);
        }
        this.chunks = new long[(int) (bytes >>> CHUNK_SHIFT)][];
        this.limitFrames = bytes >>> PAGE_SHIFT;
        this.failNth = failNth;
        int counterChunks = (int) ((limitFrames + COUNTER_CHUNK_MASK) >>> COUNTER_CHUNK_SHIFT);
        this.refCounts = new int[counterChunks][];
        this.pinCounts = new int[counterChunks][];
        for (int i = 0; i <= MAX_ORDER; i++) {
            freeBlocks[i] = new LongArrayList();
        }
    }

    /** Bytes of physical memory. */
    public long size() {
        return limitFrames << PAGE_SHIFT;
    }

    /**
     * Allocates {@code 2^order} zeroed, naturally aligned, contiguous frames and returns the
     * physical address of the first. ENOMEM when memory is exhausted or a failure is injected.
     */
    public long allocate(int order) {
        if (order < 0 || order > MAX_ORDER) {
            throw new IllegalArgumentException("order " + order + " is outside 0.." + MAX_ORDER);
        }
        failNth.check("page allocation", Errno.ENOMEM);
        return allocateUnchecked(order);
    }

    private long allocateUnchecked(int order) {
        synchronized (freeBlocks) {
            long frame = take(order);
            allocatedFrames += 1L << order;
            return frame << PAGE_SHIFT;
        }
    }

    private long take(int order) {
        LongArrayList list = freeBlocks[order];
        if (!list.isEmpty()) {
            return list.removeLong(list.size() - 1);
        }
        long count = 1L << order;
        long aligned = (nextFrame + count - 1) & -count;
        if (aligned + count > limitFrames) {
            throw new IommufdException(Errno.ENOMEM, "host memory exhausted (" + (limitFrames >>> 8) + " MiB)");
        }
        // The gap skipped for alignment goes back as single frames.
        for (long f = nextFrame; f < aligned; f++) {
            freeBlocks[0].add(f);
        }
        nextFrame = aligned + count;
        return aligned;
    }

    /** Frees a block from {@link #allocate} with the same order; its contents become zero. */
    public void free(long pa, int order) {
        checkBlock(pa, order);
        long[] chunk = chunks[(int) (pa >>> CHUNK_SHIFT)];
        if (chunk != null) {
            int from = wordIndex(pa);
            Arrays.fill(chunk, from, from + ((PAGE_SIZE << order) >>> 3), 0L);
        }
        release(pa, order);
    }

    /**
     * {@link #free} of a block the caller knows to be all zero already (a page table whose every
     * item its engine has cleared), without clearing it again: a 4 KiB fill is most of the cost of
     * freeing a table. A block that is not zero breaks {@link #allocate}'s promise to the next owner.
     */
    public void freeZeroed(long pa, int order) {
        checkBlock(pa, order);
        release(pa, order);
    }

    private void checkBlock(long pa, int order) {
        long frame = pa >>> PAGE_SHIFT;
        if ((pa & ((PAGE_SIZE << order) - 1)) != 0 || frame == 0 || frame >= nextFrame) {
            throw new IllegalArgumentException("0x" + Long.toHexString(pa) + " is not an allocated order-" + order + " block");
        }
    }

    private void release(long pa, int order) {
        long frame = pa >>> PAGE_SHIFT;
        dropExternal(frame, 1L << order);
        synchronized (freeBlocks) {
            freeBlocks[order].add(frame);
            allocatedFrames -= 1L << order;
        }
    }

    // ------------------------------------------------------------ user frames

    /**
     * Allocates one zeroed frame for user memory with a reference count of 1 (the caller's
     * mapping or page cache) and returns its frame number. ENOMEM like {@link #allocate}.
     */
    public long allocateUserFrame() {
        long pfn = allocate(0) >>> PAGE_SHIFT;
        synchronized (counterLock) {
            counter(refCounts, pfn)[(int) (pfn & COUNTER_CHUNK_MASK)] = 1;
        }
        return pfn;
    }

    /**
     * Allocates {@code 2^order} contiguous, naturally aligned, zeroed frames for user memory (a
     * hugetlb page: order 9 is 2 MiB), each with a reference count of 1, and returns the first
     * frame number. Each frame is then released on its own ({@link #putFrame}, {@link #unpinFrame}).
     */
    public long allocateUserBlock(int order) {
        long first = allocate(order) >>> PAGE_SHIFT;
        synchronized (counterLock) {
            for (long pfn = first; pfn < first + (1L << order); pfn++) {
                counter(refCounts, pfn)[(int) (pfn & COUNTER_CHUNK_MASK)] = 1;
            }
        }
        return first;
    }

    /**
     * A user frame whose bytes are {@code page}'s (a real process's pinned page), with a reference
     * count of 1 like {@link #allocateUserFrame}. Its number is taken from this memory but costs
     * no heap; when it is freed, {@code page} is told ({@link ExternalPage#released}). Pinning a
     * real page allocates nothing in the kernel, so no failure is injected here.
     */
    public long allocateExternalFrame(ExternalPage page) {
        long pfn = allocateUnchecked(0) >>> PAGE_SHIFT;
        synchronized (counterLock) {
            counter(refCounts, pfn)[(int) (pfn & COUNTER_CHUNK_MASK)] = 1;
        }
        synchronized (external) {
            external.put(pfn, page);
            externalCount = external.size();
        }
        return pfn;
    }

    /** Whether frame {@code pfn} is externally backed. */
    public boolean isExternal(long pfn) {
        return external(pfn) != null;
    }

    /** Externally backed frames now, for leak checks. */
    public int externalFrames() {
        return externalCount;
    }

    private ExternalPage external(long pfn) {
        if (externalCount == 0) {
            return null;
        }
        synchronized (external) {
            return external.get(pfn);
        }
    }

    private void dropExternal(long firstPfn, long count) {
        if (externalCount == 0) {
            return;
        }
        List<ExternalPage> gone = new ArrayList<>(1);
        LongArrayList gonePfns = new LongArrayList(1);
        synchronized (external) {
            for (long pfn = firstPfn; pfn < firstPfn + count; pfn++) {
                ExternalPage page = external.remove(pfn);
                if (page != null) {
                    gone.add(page);
                    gonePfns.add(pfn);
                }
            }
            externalCount = external.size();
        }
        // Outside the lock: the owner's bookkeeping takes its own lock, which it also holds while
        // allocating external frames.
        for (int i = 0; i < gone.size(); i++) {
            gone.get(i).released(gonePfns.getLong(i));
        }
    }

    /**
     * Pins a user frame if it is still live and returns true; false when its last reference and
     * pin are gone (it is being freed). For a cache of frames that may race with their release.
     */
    public boolean tryPinFrame(long pfn) {
        synchronized (counterLock) {
            int i = (int) (pfn & COUNTER_CHUNK_MASK);
            int[] pins = counter(pinCounts, pfn);
            if (pins[i] == 0 && counter(refCounts, pfn)[i] == 0) {
                return false;
            }
            if (pins[i]++ == 0) {
                pinnedFrames++;
            }
            return true;
        }
    }

    /** Takes another reference on a user frame (a second mapping of it, e.g. after fork). */
    public void getFrame(long pfn) {
        synchronized (counterLock) {
            int[] c = counter(refCounts, pfn);
            int i = (int) (pfn & COUNTER_CHUNK_MASK);
            if (c[i] <= 0) {
                throw new IllegalStateException("frame 0x" + Long.toHexString(pfn) + " is not a live user frame");
            }
            c[i]++;
        }
    }

    /** Drops a reference; the frame is freed when no reference and no pin remains. */
    public void putFrame(long pfn) {
        boolean free;
        synchronized (counterLock) {
            int[] c = counter(refCounts, pfn);
            int i = (int) (pfn & COUNTER_CHUNK_MASK);
            if (c[i] <= 0) {
                throw new IllegalStateException("frame 0x" + Long.toHexString(pfn) + " has no reference to drop");
            }
            free = --c[i] == 0 && counter(pinCounts, pfn)[i] == 0;
        }
        if (free) {
            free(pfn << PAGE_SHIFT, 0);
        }
    }

    /** Raises the pin count of a user frame that something still references or pins. */
    public void pinFrame(long pfn) {
        synchronized (counterLock) {
            int i = (int) (pfn & COUNTER_CHUNK_MASK);
            int[] pins = counter(pinCounts, pfn);
            if (pins[i] == 0 && counter(refCounts, pfn)[i] == 0) {
                throw new IllegalStateException("frame 0x" + Long.toHexString(pfn) + " is not a live user frame");
            }
            if (pins[i]++ == 0) {
                pinnedFrames++;
            }
        }
    }

    /** {@link #pinFrame} of every frame of {@code pfns}, under one acquisition of the counters' lock. */
    public void pinFrames(long[] pfns) {
        synchronized (counterLock) {
            // pinFrame's steps with the counter chunks looked up once per chunk, not twice per frame.
            int chunkIndex = -1;
            int[] pins = null;
            int[] refs = null;
            long newlyPinned = 0;
            try {
                for (long pfn : pfns) {
                    int c = (int) (pfn >>> COUNTER_CHUNK_SHIFT);
                    if (c != chunkIndex || pfn <= 0 || pfn >= limitFrames) {
                        pins = counter(pinCounts, pfn); // also rejects a frame outside memory
                        refs = counter(refCounts, pfn);
                        chunkIndex = c;
                    }
                    int i = (int) (pfn & COUNTER_CHUNK_MASK);
                    if (pins[i] == 0) {
                        if (refs[i] == 0) {
                            throw new IllegalStateException("frame 0x" + Long.toHexString(pfn) + " is not a live user frame");
                        }
                        newlyPinned++;
                    }
                    pins[i]++;
                }
            } finally {
                pinnedFrames += newlyPinned; // also for the frames pinned before a bad one
            }
        }
    }

    /** Drops a pin; the frame is freed when no reference and no pin remains. */
    public void unpinFrame(long pfn) {
        boolean free;
        synchronized (counterLock) {
            int i = (int) (pfn & COUNTER_CHUNK_MASK);
            int[] pins = counter(pinCounts, pfn);
            if (pins[i] <= 0) {
                throw new IllegalStateException("frame 0x" + Long.toHexString(pfn) + " is not pinned");
            }
            if (--pins[i] == 0) {
                pinnedFrames--;
                free = counter(refCounts, pfn)[i] == 0;
            } else {
                free = false;
            }
        }
        if (free) {
            free(pfn << PAGE_SHIFT, 0);
        }
    }

    /** Long-term pins on a frame (what MD_CHECK_REFS compares). */
    public int pinCount(long pfn) {
        synchronized (counterLock) {
            int[] c = pinCounts[(int) (pfn >>> COUNTER_CHUNK_SHIFT)];
            return c == null ? 0 : c[(int) (pfn & COUNTER_CHUNK_MASK)];
        }
    }

    /** References (mappings, page caches) on a user frame. */
    public int refCount(long pfn) {
        synchronized (counterLock) {
            int[] c = refCounts[(int) (pfn >>> COUNTER_CHUNK_SHIFT)];
            return c == null ? 0 : c[(int) (pfn & COUNTER_CHUNK_MASK)];
        }
    }

    /**
     * Whether each frame of {@code pfns} has exactly one reference ({@link #refCount} == 1; false
     * for frame 0), into {@code out}, under one acquisition of the counters' lock.
     */
    public void soleReferences(long[] pfns, boolean[] out) {
        synchronized (counterLock) {
            for (int k = 0; k < pfns.length; k++) {
                long pfn = pfns[k];
                int[] c = pfn == 0 ? null : refCounts[(int) (pfn >>> COUNTER_CHUNK_SHIFT)];
                out[k] = c != null && c[(int) (pfn & COUNTER_CHUNK_MASK)] == 1;
            }
        }
    }

    /** Frames with at least one pin, for leak checks. */
    public long pinnedFrames() {
        synchronized (counterLock) {
            return pinnedFrames;
        }
    }

    /** Copies the 4 KiB contents of frame {@code srcPfn} into frame {@code dstPfn}. */
    public void copyFrame(long srcPfn, long dstPfn) {
        long src = srcPfn << PAGE_SHIFT;
        long dst = dstPfn << PAGE_SHIFT;
        checkRange(src, PAGE_SIZE);
        checkRange(dst, PAGE_SIZE);
        if (external(srcPfn) != null || external(dstPfn) != null) {
            byte[] page = new byte[PAGE_SIZE];
            read(src, page, 0, PAGE_SIZE);
            write(dst, page, 0, PAGE_SIZE);
            return;
        }
        long[] from = chunks[(int) (src >>> CHUNK_SHIFT)];
        if (from == null) {
            long[] to = chunks[(int) (dst >>> CHUNK_SHIFT)];
            if (to != null) {
                Arrays.fill(to, wordIndex(dst), wordIndex(dst) + (PAGE_SIZE >>> 3), 0L);
            }
            return;
        }
        System.arraycopy(from, wordIndex(src), words(dst), wordIndex(dst), PAGE_SIZE >>> 3);
    }

    /** The fault injector this memory consults (the user-memory backends share it). */
    public FailNth failNth() {
        return failNth;
    }

    private int[] counter(int[][] table, long pfn) {
        if (pfn <= 0 || pfn >= limitFrames) {
            throw new IllegalArgumentException("frame 0x" + Long.toHexString(pfn) + " is outside memory");
        }
        int c = (int) (pfn >>> COUNTER_CHUNK_SHIFT);
        int[] chunk = table[c];
        if (chunk == null) {
            chunk = new int[1 << COUNTER_CHUNK_SHIFT];
            table[c] = chunk;
        }
        return chunk;
    }

    /** Frames currently allocated, for leak checks. */
    public long allocatedFrames() {
        synchronized (freeBlocks) {
            return allocatedFrames;
        }
    }

    /**
     * The word array backing the 2 MiB chunk that holds {@code pa}; the 8-byte word at {@code pa}
     * is at {@link #wordIndex(long)}. Words are little-endian: byte {@code pa} is the low byte.
     */
    public long[] words(long pa) {
        int c = (int) (pa >>> CHUNK_SHIFT);
        long[] chunk = chunks[c];
        if (chunk == null) {
            chunk = materialize(c);
        }
        return chunk;
    }

    /** Index of the 8-byte word holding {@code pa} in {@link #words(long)}. */
    public static int wordIndex(long pa) {
        return (int) ((pa & CHUNK_MASK) >>> 3);
    }

    private long[] materialize(int c) {
        synchronized (chunks) {
            long[] chunk = chunks[c];
            if (chunk == null) {
                chunk = new long[WORDS_PER_CHUNK];
                chunks[c] = chunk;
            }
            return chunk;
        }
    }

    /** The aligned 8-byte word at {@code pa}. */
    public long readLong(long pa) {
        checkAligned(pa);
        ExternalPage page = external(pa >>> PAGE_SHIFT);
        if (page != null) {
            byte[] b = new byte[8];
            page.read((int) (pa & (PAGE_SIZE - 1)), b, 0, 8);
            long v = 0;
            for (int i = 7; i >= 0; i--) {
                v = (v << 8) | (b[i] & 0xffL);
            }
            return v;
        }
        long[] chunk = chunks[(int) (pa >>> CHUNK_SHIFT)];
        return chunk == null ? 0L : chunk[wordIndex(pa)];
    }

    /** Stores the aligned 8-byte word at {@code pa}. */
    public void writeLong(long pa, long value) {
        checkAligned(pa);
        ExternalPage page = external(pa >>> PAGE_SHIFT);
        if (page != null) {
            byte[] b = new byte[8];
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (value >>> (i * 8));
            }
            page.write((int) (pa & (PAGE_SIZE - 1)), b, 0, 8);
            return;
        }
        words(pa)[wordIndex(pa)] = value;
    }

    /** Copies {@code len} bytes of physical memory at {@code pa} into {@code dst}. */
    public void read(long pa, byte[] dst, int off, int len) {
        checkRange(pa, len);
        if (externalCount != 0) {
            byPage(pa, off, len, (a, page, o, n) -> {
                if (page != null) {
                    page.read((int) (a & (PAGE_SIZE - 1)), dst, o, n);
                } else {
                    readLocal(a, dst, o, n);
                }
            });
            return;
        }
        readLocal(pa, dst, off, len);
    }

    /** One page's part of a byte copy: physical address, its external backing (or null), buffer offset, length. */
    private interface PagePart {
        void copy(long pa, ExternalPage page, int bufferOffset, int length);
    }

    /** Splits a copy of {@code len} bytes at {@code pa} at page boundaries (external frames are per page). */
    private void byPage(long pa, int off, int len, PagePart part) {
        for (int done = 0; done < len;) {
            long a = pa + done;
            int n = Math.min(len - done, PAGE_SIZE - (int) (a & (PAGE_SIZE - 1)));
            part.copy(a, external(a >>> PAGE_SHIFT), off + done, n);
            done += n;
        }
    }

    private void readLocal(long pa, byte[] dst, int off, int len) {
        for (int i = 0; i < len; i++) {
            long a = pa + i;
            long[] chunk = chunks[(int) (a >>> CHUNK_SHIFT)];
            dst[off + i] = chunk == null ? 0 : (byte) (chunk[wordIndex(a)] >>> ((a & 7) << 3));
        }
    }

    /** Copies {@code len} bytes from {@code src} into physical memory at {@code pa}. */
    public void write(long pa, byte[] src, int off, int len) {
        checkRange(pa, len);
        if (externalCount != 0) {
            byPage(pa, off, len, (a, page, o, n) -> {
                if (page != null) {
                    page.write((int) (a & (PAGE_SIZE - 1)), src, o, n);
                } else {
                    writeLocal(a, src, o, n);
                }
            });
            return;
        }
        writeLocal(pa, src, off, len);
    }

    private void writeLocal(long pa, byte[] src, int off, int len) {
        for (int i = 0; i < len; i++) {
            long a = pa + i;
            long[] chunk = words(a);
            int w = wordIndex(a);
            int shift = (int) ((a & 7) << 3);
            chunk[w] = (chunk[w] & ~(0xffL << shift)) | ((src[off + i] & 0xffL) << shift);
        }
    }

    private void checkAligned(long pa) {
        if ((pa & 7) != 0) {
            throw new IllegalArgumentException("unaligned word address 0x" + Long.toHexString(pa));
        }
        checkRange(pa, 8);
    }

    private void checkRange(long pa, long len) {
        if (pa < 0 || len < 0 || pa + len > size()) {
            throw new IllegalArgumentException("physical range 0x" + Long.toHexString(pa) + "+" + len + " is outside memory");
        }
    }
}
