package org.iommufd4j.pt;

import java.util.function.Consumer;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * One IO page table in host memory, driven by a {@link PageTableFormat}: the generic algorithm of
 * Linux's drivers/iommu/generic_pt/iommu_pt.h (map, unmap, iova-to-phys, read-and-clear dirty),
 * written once for every format.
 *
 * <p>Tables are page frames from {@link PhysicalMemory#allocate} (so fail-nth sweeps reach every
 * table allocation) and entries are written straight into {@link PhysicalMemory#words}. The engine
 * counts the frames it holds ({@link #tableFrames()}). A table that becomes empty is freed at
 * once, so no empty table below the top ever exists; this is what lets a failed map undo itself
 * exactly.
 *
 * <p>Semantics, and where they differ from Linux:
 * <ul>
 *   <li>{@link #map} picks, at every step, the largest page size of {@link #pgsizeBitmap()} that
 *       the IOVA and the output address are both aligned to and that fits in what is left
 *       (contiguous entries included), as the iommu core's {@code iommu_pgsize()} loop plus
 *       {@code pt_compute_best_pgsize()} do. It never overwrites: a present entry in the way is
 *       EADDRINUSE. On any failure what the call wrote is undone and its new tables are freed.</li>
 *   <li>{@link #unmap} never splits a large or contiguous entry: an entry that starts inside the
 *       range is removed whole, and the size returned can exceed the request. A range starting in
 *       the middle of an entry is EINVAL. Unlike Linux (which stops at the first hole), holes are
 *       skipped; a range with nothing mapped is ENOENT.</li>
 *   <li>Errors follow iommu_pt.h and the iommu core: prot without READ/WRITE, zero length, a page
 *       size the table lacks, or an unaligned IOVA/PA are EINVAL; an IOVA or PA beyond the format's
 *       widths is ERANGE; an IOVA range that wraps is EOVERFLOW.</li>
 * </ul>
 *
 * <p>Common calls take shortcuts that give exactly the general path's result: a map of single-item
 * pages that stays inside one existing leaf table and can never use a larger page, the unmap of one
 * entry, and the unmap of a run of plain leaves inside one table, each a loop down the tables (or a
 * hit in the writers' walk cache, see {@link #cacheLevel}) and then straight loads and stores. They
 * fall back to the general path, having changed nothing, whenever a table is missing or the range
 * is anything else.
 *
 * <p>A top that grew for a map stays grown even if the rest of that map fails (as in Linux); the
 * new top is allocated in full before the driver is told, so a failed growth changes nothing.
 *
 * <p>Concurrency: like Linux's range-lock contract, the caller serializes writers (map, unmap,
 * clearing dirty). Lookups ({@link #iovaToPhys}, {@link #lookup}, the hardware model's walks) may
 * run beside a map, and see each entry either before or after it is written; beside an unmap
 * they must not touch the range being unmapped, because freed table frames are reused at once
 * (Linux defers the free until after the IOTLB flush). Not for use after {@link #destroy()}.
 */
public final class PageTable {
    private static final int MAX_LEVELS = 8;
    private static final int FRAME_IN_CHUNK = (1 << (PhysicalMemory.CHUNK_SHIFT - PhysicalMemory.PAGE_SHIFT)) - 1;

    private final PageTableFormat format;
    private final PhysicalMemory memory;
    private final TopChangeListener topListener;

    // Per-level data read once from the format (indexed by level).
    private final int[] itemShift = new int[MAX_LEVELS];
    private final int[] indexMask = new int[MAX_LEVELS];
    private final int[] tableOrder = new int[MAX_LEVELS];
    private final long[] presentMask = new long[MAX_LEVELS];
    private final long[] tableMask = new long[MAX_LEVELS];
    private final long[] tableMatch = new long[MAX_LEVELS];
    /** PageTableFormat.oaMask(level): 0 when the format must be asked to decode or encode an address. */
    private final long[] oaMask = new long[MAX_LEVELS];
    /** encodeOa(level, itemSize): the encoded stride between items of a contiguous entry. */
    private final long[] encodedItemStride = new long[MAX_LEVELS];
    /** True when items at the level are never table pointers (the mask/match pair cannot match). */
    private final boolean[] leafOnly = new boolean[MAX_LEVELS];
    /** A leaf item with {@code (item & contigMask) != contigMatch} spans one item (no format call). */
    private final long[] contigMask = new long[MAX_LEVELS];
    private final long[] contigMatch = new long[MAX_LEVELS];
    /** A leaf item is write-dirty when {@code (item & dirtyMask) == dirtyMatch}; mask 0: ask the format. */
    private final long[] dirtyMask = new long[MAX_LEVELS];
    private final long[] dirtyMatch = new long[MAX_LEVELS];
    /** leafSizes(level) within this table's page sizes. */
    private final long[] levelSizes = new long[MAX_LEVELS];
    /** For each page size lg2: the level whose leaves have it, or -1. */
    private final int[] levelOfSize = new int[64];
    /** For each page size lg2: encodeOa(level, size). */
    private final long[] encodedSizeStride = new long[64];
    private final boolean linearOa;
    private final boolean replicateOa;
    private final boolean hasContiguous;
    private final boolean signExtended;
    private final int maxTopLevel;
    private final int maxVaBits;
    private final int oaBits;
    private final long pgsizeBitmap;

    // Leaf templates by page size lg2, valid for the prot in templateProt (prot + 1; 0: none yet).
    // A format is immutable, so a template depends only on the size (hence the level) and prot.
    private final long[] templates = new long[64];
    private final int[] templateProt = new int[64];
    /** For each page size lg2: true when a leaf of that size is one item (no contiguous run). */
    private final boolean[] oneItemSize = new boolean[64];
    /** For each page size lg2: the next larger page size of the table (0: none), for {@link #mapRun}. */
    private final long[] largerSizeAlign = new long[64];
    /** The tables from the top down to the leaf of the running {@link #unmapOne} (writers are serialized). */
    private final long[] pathPa = new long[MAX_LEVELS];
    /**
     * The writers' walk cache, as an IOMMU's paging-structure cache: the table at
     * {@code cacheLevel} that holds the IOVAs whose bits above {@code cacheShift} are
     * {@code cachePrefix}. Consecutive single-page calls (an IOAS map of scattered 4 KiB pages maps
     * IOVA after IOVA) then skip the walk from the top. Only map and unmap use it (writers are
     * serialized); {@link #freeTable} drops it, so it never names a freed table.
     */
    private int cacheLevel = -1;
    private int cacheShift;
    private long cachePrefix;
    private long cacheTablePa;

    // Mutable state.
    private volatile long topPa;
    private volatile int topLevel;
    private long tableFrames;
    /**
     * Present items of each table this engine holds, by the table's first frame:
     * {@code [pa >>> CHUNK_SHIFT][(pa >>> PAGE_SHIFT) & FRAME_IN_CHUNK]}. It lets unmap tell whether
     * a table became empty without reading the items outside the range (Linux instead frees only
     * tables the range covers whole; the count keeps our "no empty table below the top" rule).
     */
    private int[][] presentCounts = new int[16][];

    // Scratch of the running map/unmap call (writers are serialized by contract).
    private long mVa;
    private long mOa;
    private long mRemain;
    private int mProt;
    private long uBytes;

    /** A page table with every page size of the format and no top-change listener. */
    public PageTable(PageTableFormat format, PhysicalMemory memory) {
        this(format, memory, -1L, TopChangeListener.NONE);
    }

    /**
     * A page table of {@code format} in {@code memory}.
     *
     * @param pgsizeMask page sizes to allow (ANDed with the format's; -1 for all), e.g. the mock's
     *        huge variant limits them to 1 MiB | 4 KiB
     * @param topListener told when the top grows (formats with {@code maxTopLevel > topLevel})
     * @throws IommufdException ENOMEM when the top table cannot be allocated
     */
    public PageTable(PageTableFormat format, PhysicalMemory memory, long pgsizeMask, TopChangeListener topListener) {
        this.format = format;
        this.memory = memory;
        this.topListener = topListener;
        int top = format.topLevel();
        this.maxTopLevel = format.maxTopLevel();
        if (top < 0 || maxTopLevel < top || maxTopLevel >= MAX_LEVELS) {
            throw new IllegalArgumentException(format.name() + ": top level " + top + ", max top level " + maxTopLevel);
        }
        this.signExtended = format.signExtended();
        if (signExtended && maxTopLevel != top) {
            throw new IllegalArgumentException(format.name() + ": a sign-extended table cannot grow its top");
        }
        java.util.Arrays.fill(levelOfSize, -1);
        long sizes = 0;
        for (int level = 0; level <= maxTopLevel; level++) {
            itemShift[level] = format.itemShift(level);
            int bits = format.indexBits(level);
            if (bits < 1 || bits > 20 || itemShift[level] + bits > 64) {
                throw new IllegalArgumentException(format.name() + ": level " + level + " has " + bits + " index bits");
            }
            indexMask[level] = (1 << bits) - 1;
            tableOrder[level] = format.tableOrder(level);
            presentMask[level] = format.presentMask(level);
            tableMask[level] = format.tableMask(level);
            tableMatch[level] = format.tableMatch(level);
            leafOnly[level] = (tableMatch[level] & ~tableMask[level]) != 0;
            contigMask[level] = format.contiguousMask(level);
            contigMatch[level] = format.contiguousMatch(level);
            dirtyMask[level] = format.dirtyMask(level);
            dirtyMatch[level] = format.dirtyMatch(level);
            oaMask[level] = format.oaMask(level);
            encodedItemStride[level] = format.encodeOa(level, 1L << itemShift[level]);
            long leaf = format.leafSizes(level);
            for (long s = leaf; s != 0; s &= s - 1) {
                int lg2 = Long.numberOfTrailingZeros(s);
                if (lg2 < itemShift[level] || lg2 - itemShift[level] > bits - 1) {
                    throw new IllegalArgumentException(format.name() + ": level " + level + " leaf size 2^" + lg2
                            + " is not 1..2^(indexBits-1) items");
                }
                levelOfSize[lg2] = level;
                oneItemSize[lg2] = lg2 == itemShift[level];
                encodedSizeStride[lg2] = format.encodeOa(level, 1L << lg2);
            }
            sizes |= leaf;
        }
        this.linearOa = format.oaEncodingLinear();
        this.replicateOa = format.contiguousItemsReplicateOa();
        boolean contig = false;
        for (int level = 0; level <= maxTopLevel; level++) {
            contig |= Long.bitCount(format.leafSizes(level) & -(2L << itemShift[level])) != 0;
        }
        this.hasContiguous = contig;
        this.maxVaBits = Math.min(format.vaBits(), coverageBits(maxTopLevel));
        // Hide sizes the output width cannot hold (iommu_pt.h get_info) or the input cannot span.
        this.oaBits = format.oaBits();
        if (oaBits < 64) {
            sizes &= (1L << oaBits) - 1;
        }
        if (maxVaBits < 64) {
            sizes &= (1L << maxVaBits) - 1;
        }
        this.pgsizeBitmap = sizes & pgsizeMask;
        for (int level = 0; level <= maxTopLevel; level++) {
            levelSizes[level] = format.leafSizes(level) & pgsizeBitmap;
        }
        if (pgsizeBitmap == 0) {
            throw new IllegalArgumentException(format.name() + ": no page size left in mask 0x" + Long.toHexString(pgsizeMask));
        }
        for (int lg2 = 0; lg2 < 63; lg2++) {
            largerSizeAlign[lg2] = Long.lowestOneBit(pgsizeBitmap & -(2L << lg2));
        }
        this.topPa = allocTable(top);
        this.topLevel = top;
    }

    private int coverageBits(int level) {
        return itemShift[level] + Integer.bitCount(indexMask[level]);
    }

    // ------------------------------------------------------------------------- properties

    public PageTableFormat format() {
        return format;
    }

    /** The page sizes this table maps (bit n: 2^n bytes). */
    public long pgsizeBitmap() {
        return pgsizeBitmap;
    }

    /** Host physical address of the top table (what the driver programs into its hardware). */
    public long topPa() {
        return topPa;
    }

    /** The current top level ({@code levels - 1}). */
    public int topLevel() {
        return topLevel;
    }

    /**
     * IOVA bits the table can translate at its largest (including the sign bit when the format is
     * sign-extended). Without sign extension the IOVAs are {@code [0, 2^vaBits)}.
     */
    public int vaBits() {
        return maxVaBits;
    }

    /** Lowest IOVA translatable (0). */
    public long minIova() {
        return 0;
    }

    /**
     * Highest IOVA of the lower (or only) half: {@code 2^vaBits - 1}, or {@code 2^(vaBits-1) - 1}
     * when sign-extended (the upper half mirrors it below 2^64).
     */
    public long maxIova() {
        int bits = signExtended ? maxVaBits - 1 : maxVaBits;
        return bits >= 64 ? -1L : (1L << bits) - 1;
    }

    /** The host memory the tables live in (for {@link PageTableDump}, which reads them as hardware does). */
    PhysicalMemory memory() {
        return memory;
    }

    /** Frames of host memory this table holds, top included (for leak checks). */
    public long tableFrames() {
        return tableFrames;
    }

    // ------------------------------------------------------------------------- map

    /**
     * Maps {@code pgcount} pages of {@code pgsize} bytes from {@code iova} to {@code pa} with
     * {@link Prot} bits {@code prot}, choosing the largest page size that fits at each step.
     *
     * @throws IommufdException EINVAL, ERANGE, EOVERFLOW, EADDRINUSE, ENOMEM (see the class
     *         documentation); the table is unchanged afterwards
     */
    public void map(long iova, long pa, long pgsize, long pgcount, int prot) {
        map(iova, pa, pgsize, pgcount, prot, null);
    }

    /**
     * {@link #map(long, long, long, long, int)}, telling {@code gather} what a failed call's undo
     * removed (entries it had written, tables it had allocated), which walk caches may have seen.
     * A successful map needs no invalidation: it only fills empty entries.
     */
    public void map(long iova, long pa, long pgsize, long pgcount, int prot, IotlbGather gather) {
        checkLive();
        checkProt(prot);
        long len = checkLength(iova, pgsize, pgcount);
        checkPageSize(pgsize);
        if (((iova | pa) & (pgsize - 1)) != 0) {
            throw IommufdException.einval(format.name() + ": iova 0x" + Long.toHexString(iova) + " or pa 0x"
                    + Long.toHexString(pa) + " is not aligned to the page size 0x" + Long.toHexString(pgsize));
        }
        int oaBits = this.oaBits;
        long paLast = pa + len - 1;
        if (pa < 0 || Long.compareUnsigned(paLast, pa) < 0 || (oaBits < 64 && (paLast >>> oaBits) != 0)) {
            throw new IommufdException(Errno.ERANGE, format.name() + ": output range 0x" + Long.toHexString(pa)
                    + "+0x" + Long.toHexString(len) + " exceeds the " + oaBits + "-bit output width");
        }
        long last = iova + len - 1;
        checkVaRange(iova, last);
        if (topLevel != maxTopLevel) {
            growTopFor(iova, last, levelOfSize[63 - Long.numberOfLeadingZeros(bestSizeBits(iova, pa, len))]);
        }

        if (mapRun(iova, pa, pgsize, pgcount, prot)) {
            return;
        }
        mVa = iova;
        mOa = pa;
        mRemain = len;
        mProt = prot;
        try {
            mapTable(topPa, topLevel, false);
            if (mRemain != 0) {
                throw new IommufdException(Errno.ERANGE, format.name() + ": no level of the table can hold the page at 0x"
                        + Long.toHexString(mVa));
            }
        } catch (RuntimeException e) {
            long done = mVa - iova;
            uBytes = 0;
            if (done != 0) {
                clearRange(topPa, topLevel, iova, mVa - 1, true, gather);
            }
            // Tables the failed call allocated further on are empty now: prune them.
            clearRange(topPa, topLevel, iova, last, false, gather);
            throw e;
        }
    }

    /**
     * Maps {@code count} pages of {@code pgsize} at consecutive IOVAs from {@code iova}, page
     * {@code i} to {@code pas[from + i]} (the frames need not be contiguous; iommu_map_sg). Each
     * page is a leaf of exactly {@code pgsize}. Single-item leaves whose leaf table exists are
     * checked and written a table at a time; anything else (a missing table, contiguous or
     * replicated entries) goes through {@link #map} page by page. All or nothing: a failure unmaps
     * what the call had mapped and tells {@code gather} (the errnos are {@link #map}'s).
     */
    public void mapPages(long iova, long[] pas, int from, int count, long pgsize, int prot, IotlbGather gather) {
        checkLive();
        java.util.Objects.checkFromIndexSize(from, count, pas.length);
        checkProt(prot);
        long len = checkLength(iova, pgsize, count);
        checkPageSize(pgsize);
        // Every address is checked before anything changes, as map does for its single range.
        long align = iova;
        long lowest = 0;
        long highest = 0;
        for (int i = from; i < from + count; i++) {
            long pa = pas[i];
            align |= pa;
            lowest = Math.min(lowest, pa);
            highest = Math.max(highest, pa);
        }
        if ((align & (pgsize - 1)) != 0) {
            for (int i = from; i < from + count; i++) {
                if (((iova | pas[i]) & (pgsize - 1)) != 0) {
                    throw IommufdException.einval(format.name() + ": iova 0x" + Long.toHexString(iova + (i - from) * pgsize)
                            + " or pa 0x" + Long.toHexString(pas[i]) + " is not aligned to the page size 0x"
                            + Long.toHexString(pgsize));
                }
            }
        }
        long bad = lowest < 0 ? lowest : highest;
        long badLast = bad + pgsize - 1;
        if (bad < 0 || badLast < 0 || (oaBits < 64 && (badLast >>> oaBits) != 0)) {
            throw new IommufdException(Errno.ERANGE, format.name() + ": output page 0x" + Long.toHexString(bad)
                    + "+0x" + Long.toHexString(pgsize) + " exceeds the " + oaBits + "-bit output width");
        }
        long last = iova + len - 1;
        checkVaRange(iova, last);
        int sizeLg2 = Long.numberOfTrailingZeros(pgsize);
        int leafLevel = levelOfSize[sizeLg2];
        if (topLevel != maxTopLevel) {
            growTopFor(iova, last, leafLevel);
        }
        boolean oneItem = oneItemSize[sizeLg2];
        int tableItems = indexMask[leafLevel] + 1;
        int done = 0;
        long va = iova;
        try {
            while (done < count) {
                long tablePa = oneItem ? existingTable(va, leafLevel) : -1;
                if (tablePa < 0) {
                    // The general path allocates the missing tables (and undoes its own page on failure).
                    map(va, pas[from + done], pgsize, 1, prot, gather);
                    done++;
                    va += pgsize;
                    continue;
                }
                int idx = index(va, leafLevel);
                int n = Math.min(count - done, tableItems - idx);
                long[] words = memory.words(tablePa);
                int at = PhysicalMemory.wordIndex(tablePa) + idx;
                // On EADDRINUSE nothing of this table is written yet: only [iova, va) is undone.
                checkEmpty(words, at, n, leafLevel, va);
                long tmpl = leafTemplate(leafLevel, sizeLg2, prot);
                int src = from + done;
                for (int j = 0; j < n; j++) {
                    words[at + j] = tmpl | encodedOa(leafLevel, pas[src + j]);
                }
                countChunk(tablePa)[countIndex(tablePa)] += n;
                done += n;
                va += (long) n << sizeLg2;
            }
        } catch (RuntimeException e) {
            if (done != 0) {
                uBytes = 0;
                clearRange(topPa, topLevel, iova, va - 1, true, gather);
            }
            throw e;
        }
    }

    private long checkLength(long iova, long pgsize, long pgcount) {
        if (pgsize <= 0 || pgcount <= 0) {
            throw IommufdException.einval(format.name() + ": length 0x" + Long.toHexString(pgsize) + " x "
                    + pgcount + " is empty");
        }
        long len;
        try {
            len = Math.multiplyExact(pgsize, pgcount);
        } catch (ArithmeticException e) {
            throw new IommufdException(Errno.EOVERFLOW, format.name() + ": 0x" + Long.toHexString(pgsize)
                    + " x " + pgcount + " overflows");
        }
        if (Long.compareUnsigned(iova + len - 1, iova) < 0) {
            throw new IommufdException(Errno.EOVERFLOW, format.name() + ": iova 0x" + Long.toHexString(iova)
                    + " + 0x" + Long.toHexString(len) + " wraps around");
        }
        return len;
    }

    /** ERANGE unless [va, last] lies within what the table can ever translate (pt_check_range). */
    private void checkVaRange(long va, long last) {
        boolean ok;
        if (signExtended) {
            int half = maxVaBits - 1;
            long hi = va >> half;
            ok = (hi == 0 || hi == -1) && (last >> half) == hi;
        } else {
            ok = maxVaBits >= 64 || (last >>> maxVaBits) == 0;
        }
        if (!ok) {
            throw new IommufdException(Errno.ERANGE, format.name() + ": iova range 0x" + Long.toHexString(va) + "..0x"
                    + Long.toHexString(last) + " is outside the " + maxVaBits + "-bit input width"
                    + (signExtended ? " (sign-extended)" : ""));
        }
    }

    /** Adds top levels until [va, last] and a leaf at {@code leafLevel} fit (Linux increase_top). */
    private void growTopFor(long va, long last, int leafLevel) {
        int level = topLevel;
        if (level == maxTopLevel) {
            return;
        }
        int need = level;
        while (need < maxTopLevel && (need < leafLevel || !fits(last, need))) {
            need++;
        }
        if (need == level) {
            return;
        }
        // An empty old top is replaced rather than linked below the new one: no empty table may
        // hang below the top (unmap only frees tables it visits).
        boolean replace = isEmptyTable(topPa);
        int first = replace ? need : level + 1;
        // Allocate every new top first so that a failure leaves the table as it was.
        long[] newTops = new long[need - first + 1];
        int made = 0;
        try {
            for (; made < newTops.length; made++) {
                newTops[made] = allocTable(first + made);
            }
        } catch (RuntimeException e) {
            for (int i = 0; i < made; i++) {
                freeTable(newTops[i], first + i);
            }
            throw e;
        }
        long oldTop = topPa;
        long lower = oldTop;
        for (int i = 0; i < newTops.length; i++) {
            if (!replace) {
                // The old top always sits at index 0 of the new one.
                memory.words(newTops[i])[PhysicalMemory.wordIndex(newTops[i])] = format.tableEntry(first + i, lower);
                countChunk(newTops[i])[countIndex(newTops[i])] = 1;
            }
            lower = newTops[i];
        }
        // The hardware switches root and level first, then lookups see the new top.
        topListener.topChanged(lower, need);
        topPa = lower;
        topLevel = need;
        if (replace) {
            freeTable(oldTop, level);
        }
    }

    private boolean fits(long last, int level) {
        int bits = Math.min(format.vaBits(), coverageBits(level));
        return bits >= 64 || (last >>> bits) == 0;
    }

    /** The largest allowed page size (as a one-bit mask) for va/oa alignment and length. */
    private long bestSizeBits(long va, long oa, long remain) {
        long align = va | oa;
        long cap = align == 0 ? Long.MIN_VALUE : Long.lowestOneBit(align);
        long lim = Long.highestOneBit(remain);
        if (Long.compareUnsigned(lim, cap) < 0) {
            cap = lim;
        }
        return Long.highestOneBit(pgsizeBitmap & (cap | (cap - 1)));
    }

    /** @param fresh the table was allocated by this call: all its items are empty, nothing to check */
    private void mapTable(long tablePa, int level, boolean fresh) {
        final long[] words = memory.words(tablePa);
        final int base = PhysicalMemory.wordIndex(tablePa);
        final int shift = itemShift[level];
        final int end = indexMask[level] + 1;
        final long present = presentMask[level];
        final int[] counts = countChunk(tablePa);
        final int ci = countIndex(tablePa);
        int idx = (int) ((mVa >>> shift) & indexMask[level]);
        while (mRemain != 0 && idx < end) {
            long sizeBit = bestSizeBits(mVa, mOa, mRemain);
            int sizeLg2 = 63 - Long.numberOfLeadingZeros(sizeBit);
            int leafLevel = levelOfSize[sizeLg2];
            if (leafLevel == level) {
                // One run of entries of this size: up to where a larger size of this level could
                // start, what is left to map, and the end of the table. The run is checked, then
                // written with plain stores; nothing below calls the format per item.
                int lg = sizeLg2 - shift;
                long runBytes = mRemain & -sizeBit;
                long bigger = Long.lowestOneBit(levelSizes[level] & -(sizeBit << 1));
                if (bigger != 0 && ((mVa ^ mOa) & (bigger - 1)) == 0) {
                    long toBoundary = bigger - (mVa & (bigger - 1));
                    if (Long.compareUnsigned(toBoundary, runBytes) < 0) {
                        runBytes = toBoundary;
                    }
                }
                long entries = runBytes >>> sizeLg2;
                long room = (long) (end - idx) >>> lg;
                if (entries > room) {
                    entries = room;
                }
                int items = (int) entries << lg;
                int at = base + idx;
                if (!fresh) {
                    checkEmpty(words, at, items, level, mVa);
                }
                long tmpl = leafTemplate(level, sizeLg2);
                if (linearOa && (lg == 0 || !replicateOa)) {
                    // Item j holds oa + j * itemSize (contiguous hint formats and single items).
                    long e = tmpl | encodedOa(level, mOa);
                    long stride = encodedItemStride[level];
                    for (int j = 0; j < items; j++) {
                        words[at + j] = e;
                        e += stride;
                    }
                } else if (linearOa) {
                    // Every item of an entry repeats the entry's first address (AMD NextLevel 7).
                    fillReplicated(words, at, at + items, 1 << lg, tmpl | encodedOa(level, mOa),
                            encodedSizeStride[sizeLg2]);
                } else {
                    for (int j = 0; j < items; j++) {
                        long oa = replicateOa ? mOa + ((long) (j >>> lg) << sizeLg2) : mOa + ((long) j << shift);
                        words[at + j] = tmpl | format.encodeOa(level, oa);
                    }
                }
                counts[ci] += items;
                long bytes = entries << sizeLg2;
                mVa += bytes;
                mOa += bytes;
                mRemain -= bytes;
                idx += items;
            } else if (leafLevel < level) {
                long item = words[base + idx];
                long child;
                boolean allocated = (item & present) == 0;
                if (allocated) {
                    child = allocTable(level - 1);
                    words[base + idx] = format.tableEntry(level, child);
                    counts[ci]++;
                } else if ((item & tableMask[level]) == tableMatch[level]) {
                    child = childPa(level, item);
                } else {
                    throw inUse(mVa, level, item);
                }
                mapTable(child, level - 1, allocated);
                idx++;
            } else {
                return; // a larger page starts here: the parent maps it
            }
        }
    }

    private long leafTemplate(int level, int sizeLg2) {
        return leafTemplate(level, sizeLg2, mProt);
    }

    private long leafTemplate(int level, int sizeLg2, int prot) {
        if (templateProt[sizeLg2] != prot + 1) {
            templates[sizeLg2] = format.leafTemplate(level, sizeLg2, prot);
            templateProt[sizeLg2] = prot + 1;
        }
        return templates[sizeLg2];
    }

    /**
     * The map of a run of single-item pages inside one existing leaf table (the common
     * {@code iommu_map()} of one 4 KiB page, or of 4 KiB pages whose IOVA and PA can never reach a
     * larger size): a loop down the tables, a check of the run, and its stores, without the
     * general path's recursion and per-step size choice. Returns false, having changed nothing,
     * when the call needs the general path: a table on the way is missing (the general path
     * allocates it and can undo that), the run leaves the table, or a larger page could be used.
     */
    private boolean mapRun(long iova, long pa, long pgsize, long pgcount, int prot) {
        int sizeLg2 = Long.numberOfTrailingZeros(pgsize);
        long larger = largerSizeAlign[sizeLg2];
        if ((!oneItemSize[sizeLg2] && !linearOa)
                || (pgcount != 1 && larger != 0 && ((iova ^ pa) & (larger - 1)) == 0)) {
            // A run whose IOVA and PA agree modulo a larger size reaches an aligned point where
            // the general path uses that larger size.
            return false;
        }
        int leafLevel = levelOfSize[sizeLg2];
        int itemLg2 = itemShift[leafLevel];
        int lg = sizeLg2 - itemLg2; // items per entry: 1 << lg (contiguous entries)
        int idx = index(iova, leafLevel);
        if (pgcount > (indexMask[leafLevel] + 1 - idx) >>> lg) {
            return false;
        }
        long tablePa = existingTable(iova, leafLevel);
        if (tablePa < 0) {
            return false;
        }
        long[] words = memory.words(tablePa);
        int at = PhysicalMemory.wordIndex(tablePa) + idx;
        long present = presentMask[leafLevel];
        long e = leafTemplate(leafLevel, sizeLg2, prot) | encodedOa(leafLevel, pa);
        if (pgcount == 1 && lg == 0) {
            // Kept apart from the run's loops so that single-page calls do not share their profile.
            long item = words[at];
            if ((item & present) != 0) {
                throw inUse(iova, leafLevel, item);
            }
            words[at] = e;
            countChunk(tablePa)[countIndex(tablePa)]++;
            return true;
        }
        int items = (int) pgcount << lg;
        checkEmpty(words, at, items, leafLevel, iova);
        if (lg == 0 || !replicateOa) {
            // Item j holds oa + j * itemSize (one-item leaves, ARM's contiguous hint).
            fillLinear(words, at, at + items, e, encodedItemStride[leafLevel]);
        } else {
            // Every item of an entry repeats the entry's first address (AMD NextLevel 7).
            fillReplicated(words, at, at + items, 1 << lg, e, encodedSizeStride[sizeLg2]);
        }
        countChunk(tablePa)[countIndex(tablePa)] += items;
        return true;
    }

    /**
     * The existing table at {@code level} on {@code iova}'s path, or -1 when one on the way is
     * missing. A leaf on the way is EADDRINUSE (a larger page covers {@code iova}).
     */
    private long existingTable(long iova, int level) {
        if (cachedLevelFor(iova) == level) {
            return cacheTablePa;
        }
        long tablePa = topPa;
        int top = topLevel;
        for (int l = top; l > level; l--) {
            long item = memory.words(tablePa)[PhysicalMemory.wordIndex(tablePa) + index(iova, l)];
            if ((item & presentMask[l]) == 0) {
                return -1;
            }
            if ((item & tableMask[l]) != tableMatch[l]) {
                throw inUse(iova, l, item);
            }
            tablePa = childPa(l, item);
        }
        if (level < top) {
            remember(iova, level, tablePa);
        }
        return tablePa;
    }

    /** The level of the cached table when it holds {@code iova}'s items, else -1. */
    private int cachedLevelFor(long iova) {
        return cacheLevel >= 0 && (iova >>> cacheShift) == cachePrefix ? cacheLevel : -1;
    }

    private void remember(long iova, int level, long tablePa) {
        cacheLevel = level;
        cacheShift = itemShift[level + 1];
        cachePrefix = iova >>> cacheShift;
        cacheTablePa = tablePa;
    }

    private void checkProt(int prot) {
        if ((prot & (Prot.READ | Prot.WRITE)) == 0) {
            throw IommufdException.einval(format.name() + ": prot 0x" + Integer.toHexString(prot)
                    + " grants neither READ nor WRITE");
        }
    }

    private void checkPageSize(long pgsize) {
        if (Long.bitCount(pgsize) != 1 || (pgsize & pgsizeBitmap) == 0) {
            throw IommufdException.einval(format.name() + ": page size 0x" + Long.toHexString(pgsize)
                    + " is not one of 0x" + Long.toHexString(pgsizeBitmap));
        }
    }

    /**
     * EADDRINUSE, naming the first present item, unless the {@code n} items from {@code at} of a
     * table at {@code level} (the first at IOVA {@code va}) are all empty; one OR when they are.
     */
    private void checkEmpty(long[] words, int at, int n, int level, long va) {
        long present = presentMask[level];
        if (anyPresent(words, at, at + n, present)) {
            for (int j = 0; j < n; j++) {
                if ((words[at + j] & present) != 0) {
                    throw inUse(va + ((long) j << itemShift[level]), level, words[at + j]);
                }
            }
        }
    }

    /** True when an item of {@code words[from, to)} is present (an OR over the run, no branch per item). */
    private static boolean anyPresent(long[] words, int from, int to, long present) {
        long any = 0;
        for (int i = from; i < to; i++) {
            any |= words[i];
        }
        return (any & present) != 0;
    }

    /**
     * Stores groups of {@code n} equal items, {@code first} then {@code first + step} ..., into
     * {@code words[from, to)} (a plain loop: a library fill per group of 2 costs more than the stores).
     */
    private static void fillReplicated(long[] words, int from, int to, int n, long first, long step) {
        if (n == 2) {
            // The mock's 4 KiB pages over its 2 KiB granule, AMD's 8 KiB: the common pair.
            long e = first;
            for (int i = from; i < to; i += 2) {
                words[i] = e;
                words[i + 1] = e;
                e += step;
            }
            return;
        }
        int lg = Integer.numberOfTrailingZeros(n);
        for (int i = from; i < to; i++) {
            // One flat loop (the JIT unrolls it; a nested loop over small groups it does not).
            words[i] = first + (long) ((i - from) >>> lg) * step;
        }
    }

    /** Stores {@code first}, {@code first + stride}, ... into {@code words[from, to)}. */
    private static void fillLinear(long[] words, int from, int to, long first, long stride) {
        long e = first;
        for (int i = from; i < to; i++) {
            words[i] = e;
            e += stride;
        }
    }

    /** The table a table item points to (format.tablePa, masked in place when the format allows). */
    private long childPa(int level, long item) {
        long mask = oaMask[level];
        return mask != 0 ? item & mask : format.tablePa(level, item);
    }

    /** format.encodeOa, masked in place when the format allows. */
    private long encodedOa(int level, long oa) {
        long mask = oaMask[level];
        return mask != 0 ? oa & mask : format.encodeOa(level, oa);
    }

    private int index(long iova, int level) {
        return (int) ((iova >>> itemShift[level]) & indexMask[level]);
    }

    private IommufdException inUse(long va, int level, long item) {
        return new IommufdException(Errno.EADDRINUSE, format.name() + ": iova 0x" + Long.toHexString(va)
                + " is already mapped (level " + level + " entry 0x" + Long.toHexString(item) + ")");
    }

    // ------------------------------------------------------------------------- unmap

    /** {@link #unmap(long, long, long, IotlbGather)} without collecting what to invalidate. */
    public long unmap(long iova, long pgsize, long pgcount) {
        return unmap(iova, pgsize, pgcount, null);
    }

    /**
     * Removes every entry that starts in {@code [iova, iova + pgsize * pgcount)} and frees tables
     * that become empty; returns the bytes removed (more than asked when the last entry is larger).
     *
     * @param gather receives the IOVA range to invalidate and whether tables were freed (may be null)
     * @throws IommufdException EINVAL (unaligned, or {@code iova} inside a larger entry), ERANGE,
     *         EOVERFLOW, ENOENT (nothing mapped there); the table is unchanged afterwards
     */
    public long unmap(long iova, long pgsize, long pgcount, IotlbGather gather) {
        checkLive();
        long len = checkLength(iova, pgsize, pgcount);
        long min = Long.lowestOneBit(pgsizeBitmap);
        if (((iova | len) & (min - 1)) != 0) {
            throw IommufdException.einval(format.name() + ": unmap of 0x" + Long.toHexString(iova) + "+0x"
                    + Long.toHexString(len) + " is not aligned to the smallest page size 0x" + Long.toHexString(min));
        }
        long last = iova + len - 1;
        checkVaRange(iova, last);
        long done = pgcount > 1 ? unmapRun(iova, len, gather) : 0;
        if (done == 0) {
            done = unmapOne(iova, len, gather);
        }
        if (done != 0) {
            return done;
        }
        if (entryStart(iova) != iova) {
            Leaf first = lookup(iova);
            throw startsInside(iova, first.iova(), first.pageSize());
        }
        uBytes = 0;
        clearRange(topPa, topLevel, iova, clampToTop(last), true, gather);
        if (uBytes == 0) {
            throw new IommufdException(Errno.ENOENT, format.name() + ": nothing is mapped in 0x"
                    + Long.toHexString(iova) + "..0x" + Long.toHexString(last));
        }
        return uBytes;
    }

    /**
     * The unmap of one leaf entry that starts at {@code iova} and covers at least {@code len} (the
     * common single-page {@code iommu_unmap()}): a loop down the tables, the entry's stores, then
     * the emptied tables freed bottom-up along the recorded path. Returns 0, having changed nothing,
     * when the range needs the general path (a hole, several entries).
     */
    private long unmapOne(long iova, long len, IotlbGather gather) {
        int top = topLevel;
        if (!inTopSpan(iova, top)) {
            return 0;
        }
        int cached = cachedLevelFor(iova);
        int level = cached >= 0 ? cached : top;
        long tablePa = cached >= 0 ? cacheTablePa : topPa;
        // Levels above `known` are not in pathPa when the walk starts from the cache.
        int known = level;
        while (true) {
            pathPa[level] = tablePa;
            long[] words = memory.words(tablePa);
            int idx = index(iova, level);
            int at = PhysicalMemory.wordIndex(tablePa) + idx;
            long item = words[at];
            if ((item & presentMask[level]) == 0) {
                return 0;
            }
            if ((item & tableMask[level]) == tableMatch[level]) {
                tablePa = childPa(level, item);
                level--;
                continue;
            }
            int n = 1 << contiguousLg2(level, item);
            long bytes = (long) n << itemShift[level];
            if ((iova & (bytes - 1)) != 0) {
                throw startsInside(iova, iova & -bytes, bytes);
            }
            if (Long.compareUnsigned(bytes, len) < 0) {
                return 0;
            }
            if (n == 1) {
                words[at] = 0;
            } else {
                int start = at - (idx & (n - 1));
                java.util.Arrays.fill(words, start, start + n, 0L);
            }
            if (gather != null) {
                gather.add(iova, bytes);
            }
            removedFrom(iova, level, tablePa, n, known, gather);
            return bytes;
        }
    }

    /**
     * The unmap of a range of plain one-item leaves inside one leaf table (256 x 4 KiB, the
     * common batched {@code iommu_unmap()}): count the present items, clear the range with one
     * fill, free the tables left empty. Returns 0, having changed nothing, when the range needs
     * the general path (it leaves the table, holds a contiguous entry or a table, or nothing).
     */
    private long unmapRun(long iova, long len, IotlbGather gather) {
        int top = topLevel;
        if (!inTopSpan(iova, top)) {
            return 0;
        }
        int cached = cachedLevelFor(iova);
        int level = cached >= 0 ? cached : top;
        long tablePa = cached >= 0 ? cacheTablePa : topPa;
        int known = level;
        if (cached < 0) {
            while (level > 0) {
                long item = memory.words(tablePa)[PhysicalMemory.wordIndex(tablePa) + index(iova, level)];
                if ((item & presentMask[level]) == 0 || (item & tableMask[level]) != tableMatch[level]) {
                    break;
                }
                pathPa[level] = tablePa;
                tablePa = childPa(level, item);
                level--;
            }
        }
        pathPa[level] = tablePa;
        int shift = itemShift[level];
        if (!leafOnly[level] || ((iova | len) & ((1L << shift) - 1)) != 0) {
            return 0;
        }
        int first = index(iova, level);
        long items = len >>> shift;
        if (items > indexMask[level] + 1 - first) {
            return 0;
        }
        long[] words = memory.words(tablePa);
        int from = PhysicalMemory.wordIndex(tablePa) + first;
        int to = from + (int) items;
        long present = presentMask[level];
        int hits;
        if (items == indexMask[level] + 1) {
            // The whole table: every present item is in the range and no entry can cross it.
            hits = countChunk(tablePa)[countIndex(tablePa)];
        } else {
            hits = hasContiguous
                    ? countWholeEntries(words, PhysicalMemory.wordIndex(tablePa), from, to, level)
                    : countPlainLeaves(words, from, to, present, false, 0, 0);
        }
        if (hits <= 0) {
            return 0;
        }
        if (gather != null) {
            int lo = from;
            int hi = to - 1;
            while ((words[lo] & present) == 0) {
                lo++;
            }
            while ((words[hi] & present) == 0) {
                hi--;
            }
            gather.add(iova + ((long) (lo - from) << shift), (long) (hi + 1 - lo) << shift);
        }
        java.util.Arrays.fill(words, from, to, 0L);
        removedFrom(iova, level, tablePa, hits, known, gather);
        return (long) hits << shift;
    }

    /**
     * After a shortcut unmap took {@code items} present items out of the table at {@code level}
     * on {@code iova}'s path: count them, keep the table in the walk cache, and free it and the
     * tables above it that became empty ({@link #pathPa} holds the path below {@code known}).
     */
    private void removedFrom(long iova, int level, long tablePa, int items, int known, IotlbGather gather) {
        int[] counts = countChunk(tablePa);
        int ci = countIndex(tablePa);
        counts[ci] -= items;
        int top = topLevel;
        if (level < top) {
            remember(iova, level, tablePa);
            if (counts[ci] == 0) {
                if (known < top) {
                    recordPath(iova, known);
                }
                freeEmptyPath(iova, level, gather);
            }
        }
    }

    /** Fills {@link #pathPa} above {@code level} with the tables on {@code iova}'s path from the top. */
    private void recordPath(long iova, int level) {
        long tablePa = topPa;
        for (int l = topLevel; l > level; l--) {
            pathPa[l] = tablePa;
            tablePa = childPa(l, memory.words(tablePa)[PhysicalMemory.wordIndex(tablePa) + index(iova, l)]);
        }
    }

    /** Frees the tables of {@link #pathPa} from {@code level} up that {@link #unmapOne} left empty. */
    private void freeEmptyPath(long iova, int level, IotlbGather gather) {
        for (int l = level; l < topLevel; l++) {
            long table = pathPa[l];
            if (countChunk(table)[countIndex(table)] != 0) {
                return;
            }
            long parent = pathPa[l + 1];
            memory.words(parent)[PhysicalMemory.wordIndex(parent) + index(iova, l + 1)] = 0;
            countChunk(parent)[countIndex(parent)]--;
            freeTable(table, l);
            if (gather != null) {
                long itemSize = 1L << itemShift[l + 1];
                gather.add(iova & -itemSize, itemSize);
                gather.tableFreed();
            }
        }
    }

    private IommufdException startsInside(long iova, long entryIova, long entryBytes) {
        return IommufdException.einval(format.name() + ": unmap at 0x" + Long.toHexString(iova)
                + " starts inside the 0x" + Long.toHexString(entryBytes) + " page at 0x"
                + Long.toHexString(entryIova) + " (large pages are never split)");
    }

    /** Limits a last IOVA to the current top's span (a growable table may not have grown yet). */
    private long clampToTop(long last) {
        if (signExtended) {
            return last;
        }
        int bits = coverageBits(topLevel);
        if (bits < 64 && (last >>> bits) != 0) {
            return (1L << bits) - 1;
        }
        return last;
    }

    /**
     * Clears the leaves starting in [va, last] (when {@code clear}) below the table at
     * {@code tablePa} and frees child tables that end up empty; adds what was removed to
     * {@code uBytes} and {@code gather}. Returns true when this table holds nothing afterwards.
     */
    private boolean clearRange(long tablePa, int level, long va, long last, boolean clear, IotlbGather gather) {
        final int[] counts = countChunk(tablePa);
        final int ci = countIndex(tablePa);
        if (Long.compareUnsigned(va, last) > 0) {
            return counts[ci] == 0;
        }
        final long[] words = memory.words(tablePa);
        final int base = PhysicalMemory.wordIndex(tablePa);
        final int shift = itemShift[level];
        final int mask = indexMask[level];
        final long present = presentMask[level];
        final long itemSize = 1L << shift; // 0 when shift == 64 cannot happen: shift + bits <= 64
        int first = (int) ((va >>> shift) & mask);
        int lastIdx = (int) ((last >>> shift) & mask);
        long itemVa = va & -itemSize;
        if (clear && leafOnly[level]) {
            // The common leaf table (4 KiB PTEs): a counted loop of loads and stores; the format
            // is asked about an item only when its contiguous marker is set.
            final long cMask = contigMask[level];
            final long cMatch = contigMatch[level];
            final boolean contig = hasContiguous;
            if (!contig || cMask != 0) {
                // Plain one-item leaves (no contiguous marker in the range, the usual case): count
                // the present items, then clear the range with one fill. Empty items are already 0
                // (the engine writes 0 to empty an item), so the fill changes only the hits.
                int from = base + first;
                int to = base + lastIdx + 1;
                int hits = countPlainLeaves(words, from, to, present, contig, cMask, cMatch);
                if (hits >= 0) {
                    if (hits != 0) {
                        if (gather != null) {
                            int lo = from;
                            int hi = to - 1;
                            while ((words[lo] & present) == 0) {
                                lo++;
                            }
                            while ((words[hi] & present) == 0) {
                                hi--;
                            }
                            gather.add(itemVa + ((long) (lo - from) << shift), (long) (hi + 1 - lo) << shift);
                        }
                        java.util.Arrays.fill(words, from, to, 0L);
                        uBytes += (long) hits << shift;
                        counts[ci] -= hits;
                    }
                    return counts[ci] == 0;
                }
            }
            int firstHit = -1;
            int lastHit = -1;
            int hits = 0;
            for (int i = first; i <= lastIdx; i++) {
                long item = words[base + i];
                if ((item & present) == 0) {
                    continue;
                }
                int start = i;
                int n = 1;
                if (contig && (item & cMask) == cMatch) {
                    n = 1 << format.contiguousLg2(level, item);
                    start = i & -n;
                }
                if (n == 1) {
                    words[base + i] = 0;
                } else {
                    java.util.Arrays.fill(words, base + start, base + start + n, 0L);
                    i = start + n - 1;
                }
                if (firstHit < 0) {
                    firstHit = start;
                }
                lastHit = start + n - 1;
                hits += n;
            }
            if (hits != 0) {
                uBytes += (long) hits << shift;
                if (gather != null) {
                    gather.add(itemVa + ((long) (firstHit - first) << shift), (long) (lastHit + 1 - firstHit) << shift);
                }
                counts[ci] -= hits;
            }
            return counts[ci] == 0;
        }
        // Items removed from this table (leaf items and freed table pointers).
        int removed = 0;
        // Leaves cleared in this table: one range for the gather, added after the loop.
        long cleared = 0;
        long clearedVa = 0;
        long clearedEnd = 0;
        for (int i = first; i <= lastIdx; i++, itemVa += itemSize) {
            long item = words[base + i];
            if ((item & present) == 0) {
                continue;
            }
            if ((item & tableMask[level]) == tableMatch[level]) {
                long child = childPa(level, item);
                long cFirst = Long.compareUnsigned(va, itemVa) > 0 ? va : itemVa;
                long itemLast = itemVa + itemSize - 1;
                long cLast = Long.compareUnsigned(last, itemLast) < 0 ? last : itemLast;
                if (clearRange(child, level - 1, cFirst, cLast, clear, gather)) {
                    words[base + i] = 0;
                    removed++;
                    freeTable(child, level - 1);
                    if (gather != null) {
                        gather.add(itemVa, itemSize);
                        gather.tableFreed();
                    }
                }
            } else if (clear) {
                int n = 1 << contiguousLg2(level, item);
                int start = i & -n;
                if (n == 1) {
                    words[base + i] = 0;
                } else {
                    java.util.Arrays.fill(words, base + start, base + start + n, 0L);
                }
                removed += n;
                long groupVa = itemVa - ((long) (i - start) << shift);
                long bytes = (long) n << shift;
                if (cleared == 0) {
                    clearedVa = groupVa;
                }
                cleared += bytes;
                clearedEnd = groupVa + bytes;
                itemVa += (long) (start + n - 1 - i) << shift;
                i = start + n - 1;
            }
        }
        if (cleared != 0) {
            uBytes += cleared;
            if (gather != null) {
                gather.add(clearedVa, clearedEnd - clearedVa);
            }
        }
        counts[ci] -= removed;
        return counts[ci] == 0;
    }

    /**
     * The present items of {@code words[from, to)}, or -1 when one of them carries the contiguous
     * marker (the caller then takes the item-by-item path, which removes whole groups).
     */
    private static int countPlainLeaves(long[] words, int from, int to, long present, boolean contig, long cMask,
            long cMatch) {
        int hits = 0;
        if (!contig) {
            for (int i = from; i < to; i++) {
                hits += (words[i] & present) != 0 ? 1 : 0;
            }
            return hits;
        }
        for (int i = from; i < to; i++) {
            long item = words[i];
            if ((item & present) != 0) {
                if ((item & cMask) == cMatch) {
                    return -1;
                }
                hits++;
            }
        }
        return hits;
    }

    /**
     * The items of the leaf entries in {@code words[from, to)} of a table at {@code level} whose
     * items start at {@code base}; -1 when a contiguous entry crosses either end of the range (the
     * general path then removes whole entries and may return more). Entries are written and removed
     * whole and aligned to their size, so only the entries at the two ends can cross, and every
     * item of an entry is present: a count of present items is the count of whole entries' items.
     */
    private int countWholeEntries(long[] words, int base, int from, int to, int level) {
        int hits = countPlainLeaves(words, from, to, presentMask[level], false, 0, 0);
        if (hits == 0 || crossesRange(words, base, from, from, to, level) || crossesRange(words, base, to - 1, from, to, level)) {
            return hits == 0 ? 0 : -1;
        }
        return hits;
    }

    /** True when the item at {@code i} belongs to a contiguous entry that does not lie within {@code [from, to)}. */
    private boolean crossesRange(long[] words, int base, int i, int from, int to, int level) {
        long item = words[i];
        if ((item & presentMask[level]) == 0 || (item & contigMask[level]) != contigMatch[level]) {
            return false;
        }
        int n = 1 << format.contiguousLg2(level, item);
        int start = i - ((i - base) & (n - 1));
        return start < from || start + n > to;
    }

    /** lg2 of the items the leaf {@code item} spans; the format is asked only when its marker may be set. */
    private int contiguousLg2(int level, long item) {
        if (!hasContiguous || (item & contigMask[level]) != contigMatch[level]) {
            return 0;
        }
        return format.contiguousLg2(level, item);
    }

    private boolean isEmptyTable(long tablePa) {
        return countChunk(tablePa)[countIndex(tablePa)] == 0;
    }

    private int[] countChunk(long tablePa) {
        return presentCounts[(int) (tablePa >>> PhysicalMemory.CHUNK_SHIFT)];
    }

    private static int countIndex(long tablePa) {
        return (int) (tablePa >>> PhysicalMemory.PAGE_SHIFT) & FRAME_IN_CHUNK;
    }

    // ------------------------------------------------------------------------- lookups

    /** The physical address {@code iova} translates to, or 0 when unmapped (iommu_pt.h iova_to_phys). */
    public long iovaToPhys(long iova) {
        long tablePa = topPa;
        int level = topLevel;
        if (!inTopSpan(iova, level)) {
            return 0;
        }
        while (true) {
            int idx = (int) ((iova >>> itemShift[level]) & indexMask[level]);
            long item = memory.words(tablePa)[PhysicalMemory.wordIndex(tablePa) + idx];
            if ((item & presentMask[level]) == 0) {
                return 0;
            }
            if ((item & tableMask[level]) == tableMatch[level]) {
                tablePa = childPa(level, item);
                level--;
                continue;
            }
            int contig = contiguousLg2(level, item);
            long entrySize = 1L << (itemShift[level] + contig);
            return (format.leafOa(level, item) & -entrySize) | (iova & (entrySize - 1));
        }
    }

    /** The first IOVA of the leaf translating {@code iova}, or {@code iova} itself when unmapped. */
    private long entryStart(long iova) {
        long tablePa = topPa;
        int level = topLevel;
        if (!inTopSpan(iova, level)) {
            return iova;
        }
        while (true) {
            int idx = (int) ((iova >>> itemShift[level]) & indexMask[level]);
            long item = memory.words(tablePa)[PhysicalMemory.wordIndex(tablePa) + idx];
            if ((item & presentMask[level]) == 0) {
                return iova;
            }
            if ((item & tableMask[level]) == tableMatch[level]) {
                tablePa = childPa(level, item);
                level--;
                continue;
            }
            int contig = contiguousLg2(level, item);
            return iova & -(1L << (itemShift[level] + contig));
        }
    }

    private boolean inTopSpan(long iova, int level) {
        if (signExtended) {
            int half = maxVaBits - 1;
            long hi = iova >> half;
            return hi == 0 || hi == -1;
        }
        int bits = Math.min(maxVaBits, coverageBits(level));
        return bits >= 64 || (iova >>> bits) == 0;
    }

    /** The leaf translating {@code iova}, or null when unmapped. */
    public Leaf lookup(long iova) {
        long tablePa = topPa;
        int level = topLevel;
        if (!inTopSpan(iova, level)) {
            return null;
        }
        while (true) {
            int idx = (int) ((iova >>> itemShift[level]) & indexMask[level]);
            long itemPa = tablePa + ((long) idx << 3);
            long item = memory.words(tablePa)[PhysicalMemory.wordIndex(tablePa) + idx];
            if ((item & presentMask[level]) == 0) {
                return null;
            }
            if ((item & tableMask[level]) == tableMatch[level]) {
                tablePa = childPa(level, item);
                level--;
                continue;
            }
            return leafAt(level, itemPa, item, iova);
        }
    }

    private Leaf leafAt(int level, long itemPa, long item, long iova) {
        int contig = contiguousLg2(level, item);
        int sizeLg2 = itemShift[level] + contig;
        long entrySize = 1L << sizeLg2;
        return new Leaf(level, itemPa, item, iova & -entrySize, sizeLg2, format.leafOa(level, item) & -entrySize);
    }

    /**
     * Calls {@code visitor} for every leaf entry (a contiguous group once, as its first item) that
     * starts in {@code [iova, iova + length)}, in IOVA order. For tests and dumps, not hot paths.
     */
    public void forEachLeaf(long iova, long length, Consumer<Leaf> visitor) {
        checkLive();
        if (length == 0) {
            return;
        }
        long last = iova + length - 1;
        if (Long.compareUnsigned(last, iova) < 0) {
            last = -1L;
        }
        if (signExtended) {
            // Walk each canonical half separately so that reported IOVAs stay sign-extended.
            long lowerLast = maxIova();
            long upperFirst = -(lowerLast + 1);
            if (Long.compareUnsigned(iova, lowerLast) <= 0) {
                walkLeaves(topPa, topLevel, iova, Long.compareUnsigned(last, lowerLast) < 0 ? last : lowerLast, visitor);
            }
            if (Long.compareUnsigned(last, upperFirst) >= 0) {
                walkLeaves(topPa, topLevel, Long.compareUnsigned(iova, upperFirst) > 0 ? iova : upperFirst, last, visitor);
            }
            return;
        }
        walkLeaves(topPa, topLevel, iova, clampToTop(last), visitor);
    }

    private void walkLeaves(long tablePa, int level, long va, long last, Consumer<Leaf> visitor) {
        final long[] words = memory.words(tablePa);
        final int base = PhysicalMemory.wordIndex(tablePa);
        final int shift = itemShift[level];
        final int mask = indexMask[level];
        final long itemSize = 1L << shift;
        int first = (int) ((va >>> shift) & mask);
        int lastIdx = (int) ((last >>> shift) & mask);
        long itemVa = va & -itemSize;
        for (int i = first; i <= lastIdx; i++, itemVa += itemSize) {
            long item = words[base + i];
            if ((item & presentMask[level]) == 0) {
                continue;
            }
            if ((item & tableMask[level]) == tableMatch[level]) {
                long cFirst = Long.compareUnsigned(va, itemVa) > 0 ? va : itemVa;
                long itemLast = itemVa + itemSize - 1;
                long cLast = Long.compareUnsigned(last, itemLast) < 0 ? last : itemLast;
                walkLeaves(childPa(level, item), level - 1, cFirst, cLast, visitor);
                continue;
            }
            int n = 1 << contiguousLg2(level, item);
            int start = i & -n;
            visitor.accept(leafAt(level, tablePa + ((long) start << 3), words[base + start], itemVa));
            itemVa += (long) (start + n - 1 - i) << shift;
            i = start + n - 1;
        }
    }

    // ------------------------------------------------------------------------- dirty

    /**
     * Reports every leaf in {@code [iova, iova + length)} whose hardware dirty state is set (a
     * contiguous entry is dirty when any of its items is) and, unless {@code noClear}, makes it
     * clean again, adding its range to {@code gather} (the caller flushes the IOTLB so the
     * hardware re-dirties on the next write).
     *
     * @throws IommufdException EOPNOTSUPP when the format has no dirty state; EINVAL/ERANGE/EOVERFLOW
     *         for a bad range
     */
    public void readAndClearDirty(long iova, long length, boolean noClear, DirtyRecorder recorder, IotlbGather gather) {
        checkLive();
        if (!format.supportsDirty()) {
            throw new IommufdException(Errno.EOPNOTSUPP, format.name() + ": the format has no dirty tracking");
        }
        long len = checkLength(iova, length, 1);
        long last = iova + len - 1;
        checkVaRange(iova, last);
        dirtyWalk(topPa, topLevel, iova, clampToTop(last), noClear, recorder, gather);
    }

    private void dirtyWalk(long tablePa, int level, long va, long last, boolean noClear, DirtyRecorder recorder,
            IotlbGather gather) {
        if (Long.compareUnsigned(va, last) > 0) {
            return;
        }
        final long[] words = memory.words(tablePa);
        final int base = PhysicalMemory.wordIndex(tablePa);
        final int shift = itemShift[level];
        final int mask = indexMask[level];
        final long itemSize = 1L << shift;
        int first = (int) ((va >>> shift) & mask);
        int lastIdx = (int) ((last >>> shift) & mask);
        long itemVa = va & -itemSize;
        final long dMask = dirtyMask[level];
        final long dMatch = dirtyMatch[level];
        for (int i = first; i <= lastIdx; i++, itemVa += itemSize) {
            long item = words[base + i];
            if ((item & presentMask[level]) == 0) {
                continue;
            }
            if (dMask != 0 && (item & dMask) != dMatch && (item & tableMask[level]) != tableMatch[level]
                    && (!hasContiguous || (item & contigMask[level]) != contigMatch[level])) {
                continue; // a clean one-item leaf: the common case, no call
            }
            if ((item & tableMask[level]) == tableMatch[level]) {
                long cFirst = Long.compareUnsigned(va, itemVa) > 0 ? va : itemVa;
                long itemLast = itemVa + itemSize - 1;
                long cLast = Long.compareUnsigned(last, itemLast) < 0 ? last : itemLast;
                dirtyWalk(childPa(level, item), level - 1, cFirst, cLast, noClear, recorder, gather);
                continue;
            }
            int n = 1 << contiguousLg2(level, item);
            int start = i & -n;
            boolean dirty = false;
            for (int j = start; j < start + n; j++) {
                long e = words[base + j];
                dirty |= dMask != 0 ? (e & dMask) == dMatch : format.isWriteDirty(level, e);
            }
            long groupVa = itemVa - ((long) (i - start) << shift);
            long bytes = (long) n << shift;
            if (dirty) {
                recorder.dirty(groupVa, bytes);
                if (!noClear) {
                    for (int j = start; j < start + n; j++) {
                        words[base + j] = format.makeWriteClean(level, words[base + j]);
                    }
                    if (gather != null) {
                        gather.add(groupVa, bytes);
                    }
                }
            }
            itemVa += (long) (start + n - 1 - i) << shift;
            i = start + n - 1;
        }
    }

    /**
     * Marks the leaf translating {@code iova} write-dirty as the hardware would (the selftest's
     * DIRTY op, iommu_pt.h set_dirty).
     *
     * @throws IommufdException ENOENT when {@code iova} is unmapped, EOPNOTSUPP without dirty support
     */
    public void setDirty(long iova) {
        checkLive();
        if (!format.supportsDirty()) {
            throw new IommufdException(Errno.EOPNOTSUPP, format.name() + ": the format has no dirty tracking");
        }
        Leaf leaf = lookup(iova);
        if (leaf == null) {
            throw new IommufdException(Errno.ENOENT, format.name() + ": iova 0x" + Long.toHexString(iova) + " is not mapped");
        }
        memory.writeLong(leaf.itemPa(), format.makeWriteDirty(leaf.level(), leaf.entry()));
    }

    // ------------------------------------------------------------------------- tables

    private long allocTable(int level) {
        int order = tableOrder[level];
        long pa = memory.allocate(order);
        tableFrames += 1L << order;
        int chunk = (int) (pa >>> PhysicalMemory.CHUNK_SHIFT);
        if (chunk >= presentCounts.length) {
            // Grown to the highest chunk holding one of this table's frames, not to all of memory:
            // a table costs no heap for chunks it never uses.
            presentCounts = java.util.Arrays.copyOf(presentCounts, Math.max(chunk + 1, presentCounts.length * 2));
        }
        if (presentCounts[chunk] == null) {
            presentCounts[chunk] = new int[FRAME_IN_CHUNK + 1];
        }
        presentCounts[chunk][countIndex(pa)] = 0;
        return pa;
    }

    /** Frees a table that holds no present item: all zero (the engine writes 0 to empty an item). */
    private void freeTable(long pa, int level) {
        releaseTable(pa, level);
        memory.freeZeroed(pa, tableOrder[level]);
    }

    private void releaseTable(long pa, int level) {
        cacheLevel = -1;
        countChunk(pa)[countIndex(pa)] = 0;
        tableFrames -= 1L << tableOrder[level];
    }

    /**
     * Frees every table, top included (Linux deinit). The driver must have stopped the hardware
     * from walking it. The table is unusable afterwards.
     */
    public void destroy() {
        if (topPa == 0) {
            return;
        }
        freeAll(topPa, topLevel);
        topPa = 0;
    }

    private void freeAll(long tablePa, int level) {
        if (level > 0) {
            long[] words = memory.words(tablePa);
            int base = PhysicalMemory.wordIndex(tablePa);
            for (int i = 0; i <= indexMask[level]; i++) {
                long item = words[base + i];
                if ((item & presentMask[level]) != 0 && (item & tableMask[level]) == tableMatch[level]) {
                    freeAll(childPa(level, item), level - 1);
                }
            }
        }
        // Items may still be present here: the frames are cleared as they are freed.
        releaseTable(tablePa, level);
        memory.free(tablePa, tableOrder[level]);
    }

    private void checkLive() {
        if (topPa == 0) {
            throw new IllegalStateException(format.name() + ": page table used after destroy()");
        }
    }

    @Override
    public String toString() {
        return "PageTable[" + format.name() + ", top level " + topLevel + " at 0x" + Long.toHexString(topPa) + ", "
                + tableFrames + " frames]";
    }
}
