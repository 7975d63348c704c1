package org.iommufd4j.pt;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import org.iommufd4j.memory.PhysicalMemory;

/**
 * A snapshot of one IO page table as the hardware sees it: read level by level from the root in
 * host memory using only the format's definitions (masks, {@link PageTableFormat#tablePa},
 * {@link PageTableFormat#leafOa}, ...) and {@link PhysicalMemory}, the way
 * {@code org.iommufd4j.hw.PageWalker} walks, never the engine's bookkeeping. So a dump shows what
 * a device would get, wrong bits included.
 *
 * <p>The model is a tree: each {@link Table} (level, host physical address, frames) lists its
 * present {@link Item}s (index, the IOVA range the item covers, the raw 64-bit value, table or
 * leaf, the next-table or output address, the page size with any contiguous span, the
 * permissions of {@link PageTableFormat#leafProt}, the dirty state when the format tracks it,
 * and the vendor bit fields of {@link PageTableFormat#describe}). It renders as an indented text
 * tree ({@link #text()}), as Graphviz DOT ({@link #dot()}) and as SVG ({@link #svg()}).
 *
 * <p>Take a dump while no map or unmap runs on the table (as for lookups, a concurrent writer
 * makes the snapshot a mix of before and after). Something a walker could not follow (a table
 * pointer outside host memory or misaligned, a leaf whose size the level cannot hold) is kept in
 * the tree with a {@link Item#problem()} instead of failing the dump.
 */
public final class PageTableDump {
    /** How many items of one table a picture shows before it says how many more there are. */
    public static final int DEFAULT_PICTURE_ROWS = 64;

    /** What a present item is. */
    public enum Kind {
        /** It points to a table one level down. */
        TABLE,
        /** It maps output addresses (alone or as part of a contiguous entry). */
        LEAF
    }

    /** A leaf's hardware write-dirty state. */
    public enum DirtyState {
        /** The format has no dirty state (or the item is a table pointer). */
        NOT_TRACKED,
        CLEAN,
        DIRTY
    }

    /**
     * One table in host memory.
     *
     * @param level gpt level (0 holds the smallest pages)
     * @param pa host physical address of its first item
     * @param frames 4 KiB frames it occupies
     * @param slots items it has room for
     * @param items its present items, in index order
     */
    public record Table(int level, long pa, int frames, int slots, List<Item> items) {
        public Table {
            items = List.copyOf(items);
        }
    }

    /**
     * One present item of a table.
     *
     * @param index its index in the table
     * @param itemPa host physical address of its 8 bytes
     * @param iova first IOVA the item covers (sign-extended when the format is)
     * @param iovaLast last IOVA the item covers (inclusive)
     * @param raw the 64-bit value in memory
     * @param kind table pointer or leaf
     * @param address for a table pointer the next table's host physical address; for a leaf the
     *        output address that {@link #iova()} translates to
     * @param pageSizeLg2 for a leaf lg2 of its entry's size (item size plus contiguous span); for
     *        a table pointer lg2 of the IOVA span the item covers
     * @param contiguousLg2 lg2 of the number of items the leaf's entry spans (0: one item)
     * @param prot {@link Prot} bits the leaf grants (0 for a table pointer)
     * @param dirty the leaf's write-dirty state
     * @param fields the format's named bit fields for this item
     * @param next the table a table pointer leads to, or null when the walk could not follow it
     * @param problem why a walker could not use this item as it is, or null
     */
    public record Item(int index, long itemPa, long iova, long iovaLast, long raw, Kind kind, long address,
            int pageSizeLg2, int contiguousLg2, int prot, DirtyState dirty, List<BitField> fields, Table next,
            String problem) {
        public Item {
            fields = List.copyOf(fields);
        }

        public boolean isLeaf() {
            return kind == Kind.LEAF;
        }

        /** The bytes of the leaf's entry (contiguous span included), or the item's span for a table pointer. */
        public long pageSize() {
            return 1L << pageSizeLg2;
        }

        /** The format's field called {@code name}, if it described one. */
        public Optional<BitField> field(String name) {
            return fields.stream().filter(f -> f.name().equals(name)).findFirst();
        }
    }

    private final PageTableFormat format;
    private final PhysicalMemory memory;
    private final long rootPa;
    private final int topLevel;
    private final Table root;
    private int tables;
    private long frames;
    private long leafItems;
    /** Set by {@link #describe} for the item being walked. */
    private String describeFailure;

    private PageTableDump(PageTableFormat format, PhysicalMemory memory, long rootPa, int topLevel) {
        this.format = format;
        this.memory = memory;
        this.rootPa = rootPa;
        this.topLevel = topLevel;
        this.root = walkTable(topLevel, rootPa, 0);
    }

    /** Dumps the live table {@code table} (e.g. {@code PageTableDomain.pageTable()}). */
    public static PageTableDump of(PageTable table) {
        long top = table.topPa();
        if (top == 0) {
            throw new IllegalStateException(table.format().name() + ": cannot dump a page table after destroy()");
        }
        return of(table.format(), table.memory(), top, table.topLevel());
    }

    /**
     * Dumps the table of {@code format} whose top table (at {@code topLevel}) is at host physical
     * {@code rootPa}: what a driver programmed into its hardware, walked as the hardware would.
     */
    public static PageTableDump of(PageTableFormat format, PhysicalMemory memory, long rootPa, int topLevel) {
        Objects.requireNonNull(format);
        Objects.requireNonNull(memory);
        if (topLevel < 0 || topLevel > format.maxTopLevel()) {
            throw new IllegalArgumentException(format.name() + ": top level " + topLevel + " is not within 0.."
                    + format.maxTopLevel());
        }
        String problem = tableProblem(format, memory, rootPa, topLevel);
        if (problem != null) {
            throw new IllegalArgumentException(format.name() + ": root 0x" + Long.toHexString(rootPa) + " " + problem);
        }
        return new PageTableDump(format, memory, rootPa, topLevel);
    }

    // ------------------------------------------------------------------------- the walk

    private Table walkTable(int level, long tablePa, long baseIova) {
        int order = format.tableOrder(level);
        int slots = 1 << format.indexBits(level);
        int shift = format.itemShift(level);
        long presentMask = format.presentMask(level);
        long tableMask = format.tableMask(level);
        long tableMatch = format.tableMatch(level);
        boolean canHaveTable = level > 0 && format.canHaveTable(level);
        tables++;
        frames += 1L << order;
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < slots; i++) {
            long itemPa = tablePa + (long) i * Long.BYTES;
            long raw = memory.readLong(itemPa);
            if ((raw & presentMask) == 0) {
                continue;
            }
            long itemBase = baseIova + ((long) i << shift);
            long iova = signExtend(itemBase);
            long last = iova + (shift >= 64 ? -1L : (1L << shift) - 1);
            describeFailure = null;
            List<BitField> fields = describe(level, raw);
            Item item;
            if (canHaveTable && (raw & tableMask) == tableMatch) {
                long next = format.tablePa(level, raw);
                String problem = tableProblem(format, memory, next, level - 1);
                Table child = problem == null ? walkTable(level - 1, next, itemBase) : null;
                item = new Item(i, itemPa, iova, last, raw, Kind.TABLE, next, shift, 0, 0, DirtyState.NOT_TRACKED,
                        fields, child, problem);
            } else {
                item = leaf(level, i, itemPa, iova, last, raw, fields);
            }
            if (describeFailure != null) {
                String problem = item.problem() == null ? describeFailure : item.problem() + "; " + describeFailure;
                item = new Item(item.index(), item.itemPa(), item.iova(), item.iovaLast(), item.raw(), item.kind(),
                        item.address(), item.pageSizeLg2(), item.contiguousLg2(), item.prot(), item.dirty(), item.fields(),
                        item.next(), problem);
            }
            items.add(item);
        }
        return new Table(level, tablePa, 1 << order, slots, items);
    }

    /** The format's fields; a format bug there is reported on the item rather than ending the dump. */
    private List<BitField> describe(int level, long raw) {
        try {
            List<BitField> fields = format.describe(level, raw);
            return fields == null ? List.of() : fields;
        } catch (RuntimeException e) {
            describeFailure = format.name() + ".describe() failed: " + e;
            return List.of();
        }
    }

    private Item leaf(int level, int index, long itemPa, long iova, long last, long raw, List<BitField> fields) {
        leafItems++;
        int shift = format.itemShift(level);
        int contig = format.contiguousLg2(level, raw);
        String problem = null;
        if (contig < 0 || contig >= format.indexBits(level)) {
            problem = "contiguous span 2^" + contig + " items does not fit a level-" + level + " table";
            contig = 0;
        }
        int sizeLg2 = shift + contig;
        if (problem == null && (format.leafSizes(level) & (1L << sizeLg2)) == 0) {
            problem = "a " + sizeName(sizeLg2) + " leaf is not a page size level " + level + " can hold";
        }
        long entryMask = (1L << sizeLg2) - 1;
        long entryOa = format.leafOa(level, raw) & ~entryMask;
        long oa = entryOa + (iova & entryMask & -(1L << shift));
        DirtyState dirty = !format.supportsDirty() ? DirtyState.NOT_TRACKED
                : format.isWriteDirty(level, raw) ? DirtyState.DIRTY : DirtyState.CLEAN;
        return new Item(index, itemPa, iova, last, raw, Kind.LEAF, oa, sizeLg2, contig, format.leafProt(level, raw), dirty,
                fields, null, problem);
    }

    /** Why a walker cannot read a table of {@code level} at {@code pa}, or null. */
    private static String tableProblem(PageTableFormat format, PhysicalMemory memory, long pa, int level) {
        long bytes = (long) PhysicalMemory.PAGE_SIZE << format.tableOrder(level);
        if ((pa & (bytes - 1)) != 0) {
            return "points to 0x" + Long.toHexString(pa) + ", not aligned to its table size 0x" + Long.toHexString(bytes);
        }
        if (pa < 0 || pa > memory.size() - bytes) {
            return "points to 0x" + Long.toHexString(pa) + ", outside host memory (0x" + Long.toHexString(memory.size())
                    + " bytes)";
        }
        return null;
    }

    private long signExtend(long iova) {
        int bits = format.vaBits();
        if (!format.signExtended() || bits >= 64) {
            return iova;
        }
        return (iova << (64 - bits)) >> (64 - bits);
    }

    // ------------------------------------------------------------------------- the model

    public PageTableFormat format() {
        return format;
    }

    /** Host physical address of the top table. */
    public long rootPa() {
        return rootPa;
    }

    public int topLevel() {
        return topLevel;
    }

    /**
     * IOVA bits the table translates with its current top: the format's width, limited to what
     * the top level spans (the sign bit included when the format sign-extends).
     */
    public int vaBits() {
        int span = format.itemShift(topLevel) + format.indexBits(topLevel);
        return Math.min(format.vaBits(), span);
    }

    /** The top table, with every table below it. */
    public Table root() {
        return root;
    }

    /** Tables the walk reached, the top included. */
    public int tableCount() {
        return tables;
    }

    /** Frames of those tables. */
    public long tableFrames() {
        return frames;
    }

    /** Present leaf items (a contiguous entry counts once per item). */
    public long leafItemCount() {
        return leafItems;
    }

    /** Every leaf item in IOVA order of the walk (top table's index order, depth first). */
    public List<Item> leaves() {
        List<Item> out = new ArrayList<>();
        collectLeaves(root, out);
        return out;
    }

    private static void collectLeaves(Table t, List<Item> out) {
        for (Item item : t.items()) {
            if (item.isLeaf()) {
                out.add(item);
            } else if (item.next() != null) {
                collectLeaves(item.next(), out);
            }
        }
    }

    // ------------------------------------------------------------------------- rendering

    /** One line describing the table as a whole. */
    public String headline() {
        int levels = topLevel + 1;
        return String.format(Locale.ROOT, "%s page table: %d level%s, top L%d at 0x%016x, %d-bit IOVA%s, %d-bit OA; "
                + "%d table%s in %d frame%s, %d leaf item%s", format.name(), levels, levels == 1 ? "" : "s", topLevel,
                rootPa, vaBits(), format.signExtended() ? " (sign-extended)" : "", format.oaBits(), tables,
                tables == 1 ? "" : "s", frames, frames == 1 ? "" : "s", leafItems, leafItems == 1 ? "" : "s");
    }

    /**
     * The indented text tree: the headline, then each table and under it each present item as its
     * raw value in hex followed by what it decodes to and the format's bit fields.
     */
    public String text() {
        StringBuilder sb = new StringBuilder(headline()).append('\n');
        appendTable(sb, root, "");
        return sb.toString();
    }

    private void appendTable(StringBuilder sb, Table t, String indent) {
        sb.append(indent).append(tableTitle(t)).append(String.format(Locale.ROOT, ": %d frame%s, %d of %d items present%n",
                t.frames(), t.frames() == 1 ? "" : "s", t.items().size(), t.slots()));
        int digits = Integer.toString(t.slots() - 1).length();
        for (Item item : t.items()) {
            sb.append(indent).append("  ").append(String.format(Locale.ROOT, "[%" + digits + "d] 0x%016x ", item.index(), item.raw()));
            sb.append(String.format(Locale.ROOT, "%-5s iova 0x%016x-0x%016x ", item.isLeaf() ? "leaf" : "table",
                    item.iova(), item.iovaLast()));
            if (item.isLeaf()) {
                sb.append(String.format(Locale.ROOT, "-> pa 0x%016x %s %s", item.address(), sizeOf(item), protName(item.prot())));
                if (item.dirty() != DirtyState.NOT_TRACKED) {
                    sb.append(item.dirty() == DirtyState.DIRTY ? " dirty" : " clean");
                }
            } else {
                sb.append(String.format(Locale.ROOT, "-> L%d table 0x%016x", t.level() - 1, item.address()));
            }
            String fields = fieldsOf(item);
            if (!fields.isEmpty()) {
                sb.append("  ").append(fields);
            }
            if (item.problem() != null) {
                sb.append("  !! ").append(item.problem());
            }
            sb.append('\n');
            if (item.next() != null) {
                appendTable(sb, item.next(), indent + "    ");
            }
        }
    }

    /** Graphviz DOT text of the tree, showing up to {@value #DEFAULT_PICTURE_ROWS} items per table. */
    public String dot() {
        return DumpDot.render(this, DEFAULT_PICTURE_ROWS);
    }

    /** Graphviz DOT text of the tree, showing up to {@code maxRowsPerTable} items per table. */
    public String dot(int maxRowsPerTable) {
        return DumpDot.render(this, checkRows(maxRowsPerTable));
    }

    /** A standalone SVG picture of the tree, showing up to {@value #DEFAULT_PICTURE_ROWS} items per table. */
    public String svg() {
        return DumpSvg.render(this, DEFAULT_PICTURE_ROWS);
    }

    /** A standalone SVG picture of the tree, showing up to {@code maxRowsPerTable} items per table. */
    public String svg(int maxRowsPerTable) {
        return DumpSvg.render(this, checkRows(maxRowsPerTable));
    }

    private static int checkRows(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("a picture shows at least one item per table: " + rows);
        }
        return rows;
    }

    @Override
    public String toString() {
        return headline();
    }

    // ------------------------------------------------------------------------- shared by the renderers

    static String tableTitle(Table t) {
        return String.format(Locale.ROOT, "L%d table 0x%016x", t.level(), t.pa());
    }

    /** The short one-row form pictures use: index, raw value, what it decodes to, fields. */
    static String row(Table t, Item item) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "[%d] 0x%016x ", item.index(), item.raw()));
        if (item.isLeaf()) {
            sb.append(String.format(Locale.ROOT, "leaf %s %s iova 0x%x -> pa 0x%x", sizeOf(item), protName(item.prot()),
                    item.iova(), item.address()));
            if (item.dirty() != DirtyState.NOT_TRACKED) {
                sb.append(item.dirty() == DirtyState.DIRTY ? " dirty" : " clean");
            }
        } else {
            sb.append(String.format(Locale.ROOT, "table iova 0x%x -> L%d 0x%x", item.iova(), t.level() - 1, item.address()));
        }
        String fields = fieldsOf(item);
        if (!fields.isEmpty()) {
            sb.append("  ").append(fields);
        }
        if (item.problem() != null) {
            sb.append("  !! ").append(item.problem());
        }
        return sb.toString();
    }

    static String fieldsOf(Item item) {
        StringBuilder sb = new StringBuilder();
        for (BitField f : item.fields()) {
            String s = f.compact();
            if (!s.isEmpty()) {
                sb.append(sb.length() == 0 ? "" : " ").append(s);
            }
        }
        return sb.toString();
    }

    static String sizeOf(Item item) {
        String size = sizeName(item.pageSizeLg2());
        if (item.contiguousLg2() == 0) {
            return size;
        }
        return size + "(" + (1L << item.contiguousLg2()) + "x" + sizeName(item.pageSizeLg2() - item.contiguousLg2()) + ")";
    }

    /** 2^lg2 bytes as 512, 4K, 2M, 1G, ... */
    public static String sizeName(int lg2) {
        String[] units = {"", "K", "M", "G", "T", "P", "E"};
        int unit = Math.min(lg2 / 10, units.length - 1);
        return (1L << (lg2 - 10 * unit)) + units[unit];
    }

    /** {@link Prot} bits as {@code rw}, {@code r-}, {@code -w}, plus any other bit by name. */
    public static String protName(int prot) {
        StringBuilder sb = new StringBuilder();
        sb.append((prot & Prot.READ) != 0 ? 'r' : '-').append((prot & Prot.WRITE) != 0 ? 'w' : '-');
        String[] names = {"cache", "noexec", "mmio", "priv"};
        int[] bits = {Prot.CACHE, Prot.NOEXEC, Prot.MMIO, Prot.PRIV};
        for (int i = 0; i < bits.length; i++) {
            if ((prot & bits[i]) != 0) {
                sb.append('+').append(names[i]);
            }
        }
        return sb.toString();
    }
}
