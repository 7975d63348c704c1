package org.iommufd4j.memory;

import it.unimi.dsi.fastutil.longs.Long2ObjectMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;

/**
 * Virtual page number → frame (0: none) for a process's private pages, stored as dense leaves of
 * {@value #LEAF_PAGES} consecutive pages (2 MiB of address space) under a hash of leaf numbers, as
 * a page table stores PTEs. A pin of a large range then reads each leaf sequentially instead of
 * hashing every page (262,144 random probes for 1 GiB); the last leaf used is kept so runs of
 * neighbouring pages skip the hash too. Not thread-safe: the owning {@link SimProcess} serializes.
 */
final class PageFrameMap {
    static final int LEAF_SHIFT = 9;
    static final int LEAF_PAGES = 1 << LEAF_SHIFT;
    private static final int MASK = LEAF_PAGES - 1;
    /** The count of non-zero slots is kept in the word after the leaf's pages. */
    private static final int COUNT = LEAF_PAGES;

    private final Long2ObjectOpenHashMap<long[]> leaves = new Long2ObjectOpenHashMap<>();
    private long lastKey = -1;
    private long[] lastLeaf;

    private long[] leaf(long key) {
        if (key == lastKey) {
            return lastLeaf;
        }
        long[] l = leaves.get(key);
        if (l != null) {
            lastKey = key;
            lastLeaf = l;
        }
        return l;
    }

    /** The frame at {@code vpn}, or 0. */
    long get(long vpn) {
        long[] l = leaf(vpn >>> LEAF_SHIFT);
        return l == null ? 0 : l[(int) (vpn & MASK)];
    }

    /**
     * Stores the frames of pages {@code vpn, vpn + 1, ...} (0: none) into {@code out[0, out.length)},
     * a leaf at a time.
     */
    void getRange(long vpn, long[] out) {
        int pos = 0;
        while (pos < out.length) {
            long page = vpn + pos;
            int inLeaf = (int) (page & MASK);
            int n = Math.min(out.length - pos, LEAF_PAGES - inLeaf);
            long[] l = leaves.get(page >>> LEAF_SHIFT);
            if (l == null) {
                java.util.Arrays.fill(out, pos, pos + n, 0L);
            } else {
                System.arraycopy(l, inLeaf, out, pos, n);
            }
            pos += n;
        }
    }

    /** Sets the frame at {@code vpn} ({@code pfn} != 0) and returns the previous one, or 0. */
    long put(long vpn, long pfn) {
        if (pfn == 0) {
            throw new IllegalArgumentException("frame 0 means no page");
        }
        long key = vpn >>> LEAF_SHIFT;
        long[] l = leaf(key);
        if (l == null) {
            l = new long[LEAF_PAGES + 1];
            leaves.put(key, l);
            lastKey = key;
            lastLeaf = l;
        }
        int i = (int) (vpn & MASK);
        long old = l[i];
        if (old == 0) {
            l[COUNT]++;
        }
        l[i] = pfn;
        return old;
    }

    /** Removes the frame at {@code vpn} and returns it, or 0; a leaf left empty is dropped. */
    long remove(long vpn) {
        long key = vpn >>> LEAF_SHIFT;
        long[] l = leaf(key);
        if (l == null) {
            return 0;
        }
        int i = (int) (vpn & MASK);
        long old = l[i];
        if (old != 0) {
            l[i] = 0;
            if (--l[COUNT] == 0) {
                leaves.remove(key);
                lastKey = -1;
                lastLeaf = null;
            }
        }
        return old;
    }

    /** Number of pages with a frame. */
    long size() {
        long n = 0;
        for (long[] l : leaves.values()) {
            n += l[COUNT];
        }
        return n;
    }

    /** Calls {@code visitor} with (vpn, frame) for every page with a frame; must not modify this map. */
    void forEach(VpnFrameVisitor visitor) {
        for (Long2ObjectMap.Entry<long[]> e : leaves.long2ObjectEntrySet()) {
            long base = e.getLongKey() << LEAF_SHIFT;
            long[] l = e.getValue();
            for (int i = 0; i < LEAF_PAGES; i++) {
                if (l[i] != 0) {
                    visitor.visit(base + i, l[i]);
                }
            }
        }
    }

    @FunctionalInterface
    interface VpnFrameVisitor {
        void visit(long vpn, long pfn);
    }
}
