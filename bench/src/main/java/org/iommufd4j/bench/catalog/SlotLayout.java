package org.iommufd4j.bench.catalog;

import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;

/**
 * Where a benchmark maps its calls: {@link #SLOTS} slots of {@code count} pages of one size, each
 * slot the IOVA range of one map (or unmap) call.
 *
 * <p>When a slot is smaller than a table of its level, the slots share tables, and the first item of
 * every such table holds an <em>anchor</em>: a page of the table's smallest size that stays mapped,
 * so unmapping the slots never frees the table and mapping them never allocates it. (The anchor is
 * the first item: an engine that looks for a present item after each unmap, to decide whether to
 * free the table, finds it at once. The README's engine findings say what that check costs.) The calls then
 * measure entry writes in existing tables, as Linux's figures for 1 and 256 pages do. A slot that
 * needs a whole table or more (256 x 64 KiB, 256 x 2 MiB where a table holds 512 x 4 KiB ...) is
 * laid out end to end without anchors: its call allocates and frees the tables it covers, as it
 * would in Linux.
 */
public final class SlotLayout {
    /** Slots per layout: the calls one invocation of a map or unmap benchmark makes. */
    public static final int SLOTS = 256;

    public final long page;
    public final int count;
    public final long[] slotIova;
    public final long[] anchorIova;
    public final long anchorSize;

    private SlotLayout(long page, int count, long[] slotIova, long[] anchorIova, long anchorSize) {
        this.page = page;
        this.count = count;
        this.slotIova = slotIova;
        this.anchorIova = anchorIova;
        this.anchorSize = anchorSize;
    }

    /** The layout of {@code SLOTS} calls of {@code count} pages of {@code page} bytes in {@code table}, or null if it does not fit. */
    public static SlotLayout of(PageTable table, long page, int count) {
        PageTableFormat f = table.format();
        int level = levelOf(f, page);
        int shift = f.itemShift(level);
        long itemSize = 1L << shift;
        long items = 1L << f.indexBits(level);
        long region = itemSize * items;
        long slotBytes = page * count;
        long itemsPerSlot = slotBytes / itemSize;
        long base = alignUp(table.minIova(), Math.max(region, Long.highestOneBit(slotBytes)));
        long[] slots = new long[SLOTS];
        long[] anchors;
        long span;
        if (itemsPerSlot * 2 <= items) {
            // Slots start after the anchor, at the first item aligned to the slot's own size.
            long perRegion = items / itemsPerSlot - 1;
            int regions = (int) ((SLOTS + perRegion - 1) / perRegion);
            anchors = new long[regions];
            for (int r = 0; r < regions; r++) {
                anchors[r] = base + r * region;
            }
            for (int k = 0; k < SLOTS; k++) {
                slots[k] = base + (k / perRegion) * region + (k % perRegion + 1) * slotBytes;
            }
            span = regions * region;
        } else {
            anchors = new long[0];
            for (int k = 0; k < SLOTS; k++) {
                slots[k] = base + k * slotBytes;
            }
            span = SLOTS * slotBytes;
        }
        long last = base + span - 1 + page; // the benchmark maps each IOVA to IOVA + page
        if (Long.compareUnsigned(last, base) < 0 || Long.compareUnsigned(last, table.maxIova()) > 0
                || f.oaBits() < 64 && (last >>> f.oaBits()) != 0) {
            return null;
        }
        return new SlotLayout(page, count, slots, anchors, Long.lowestOneBit(table.pgsizeBitmap()));
    }

    /** True when the 1-page and 256-page layouts of {@code page} fit {@code table}'s IOVA and output spaces. */
    static boolean fitsEveryLayout(PageTable table, long page) {
        return of(table, page, 1) != null && of(table, page, 256) != null;
    }

    /** The level whose leaves have size {@code page}. */
    static int levelOf(PageTableFormat f, long page) {
        for (int level = 0; level <= f.maxTopLevel(); level++) {
            if ((f.leafSizes(level) & page) != 0) {
                return level;
            }
        }
        throw new IllegalArgumentException(f.name() + " has no leaf of size " + FormatCatalog.label(page));
    }

    private static long alignUp(long v, long a) {
        return (v + a - 1) & -a;
    }
}
