package org.iommufd4j.pt;

import java.util.List;

/**
 * One page-table format: how the entries of each level are laid out, bit for bit, as the hardware
 * defines them. The {@link PageTable} engine owns the algorithm (walk, map, unmap, dirty, table
 * allocation and freeing); a format only answers questions about one level or one entry. See the
 * package documentation for a step-by-step guide.
 *
 * <p>Levels use Linux generic_pt numbering: level 0 is the table whose items are the smallest
 * pages, levels grow towards the root. The engine reads the geometry and the classification masks
 * once, when a {@link PageTable} is created, into plain arrays; its hot loops then only do array
 * stores. Encoders ({@link #tableEntry}, {@link #leafTemplate}, {@link #encodeOa}) are called
 * once per table or once per map call and level, never per item, unless a format declares its OA
 * encoding non-linear.
 *
 * <p>Implementations must be immutable and thread-safe (one instance may serve many tables).
 */
public interface PageTableFormat {

    // ---------------------------------------------------------------- identity and geometry

    /** A short stable name, e.g. {@code x86-64}, {@code vtd-ss}, {@code mock}. */
    String name();

    /**
     * Input (IOVA) bits the table may translate at its largest, including the sign bit when
     * {@link #signExtended()}. The engine also bounds the IOVA by what the top level covers.
     */
    int vaBits();

    /**
     * True when the top valid IOVA bit sign-extends (x86 canonical addresses): valid IOVAs are
     * {@code [0, 2^(vaBits-1))} and {@code [2^64 - 2^(vaBits-1), 2^64)}.
     */
    default boolean signExtended() {
        return false;
    }

    /** Output (physical) address bits the leaves can hold. */
    int oaBits();

    /** The level of the top table a new page table starts with. */
    int topLevel();

    /**
     * The highest level the top may grow to. Equal to {@link #topLevel()} (the default) for a fixed
     * top; above it when the hardware can switch root and level at once (AMD-Vi v1): then the
     * engine adds levels on demand and tells a {@link TopChangeListener}.
     */
    default int maxTopLevel() {
        return topLevel();
    }

    /** lg2 of the IOVA bytes one item of a table at {@code level} covers (4K items: 12). */
    int itemShift(int level);

    /** lg2 of the number of items in a table at {@code level} (512 items: 9). */
    int indexBits(int level);

    /**
     * lg2 of the number of 4 KiB frames a table at {@code level} occupies; the engine allocates
     * that many contiguous frames, naturally aligned. By default: enough frames for
     * {@code 2^indexBits} 8-byte items, at least one.
     */
    default int tableOrder(int level) {
        return Math.max(0, indexBits(level) + 3 - 12);
    }

    /**
     * The page sizes a leaf at {@code level} can have, as a bitmap (bit n: 2^n bytes): bit
     * {@code itemShift(level)} for a one-item leaf, higher bits for contiguous entries spanning
     * 2, 4, ... items. 0 when the level cannot hold leaves. Never the whole table's span.
     */
    long leafSizes(int level);

    /** True when an item at {@code level} may point to a lower table (by default every level above 0). */
    default boolean canHaveTable(int level) {
        return level > 0;
    }

    // ---------------------------------------------------------------- classification (data)

    /**
     * An item at {@code level} is empty when {@code (item & presentMask(level)) == 0}. The engine
     * writes 0 to empty an item. E.g. x86 P bit: 1; VT-d second stage (no present bit): -1.
     */
    long presentMask(int level);

    /**
     * A present item at {@code level} points to a table when
     * {@code (item & tableMask(level)) == tableMatch(level)}, else it is a leaf. Levels that cannot
     * hold tables return a mask/match pair that never matches (mask 0, match 1).
     */
    long tableMask(int level);

    /** See {@link #tableMask(int)}. */
    long tableMatch(int level);

    // ---------------------------------------------------------------- encoders and decoders

    /** The item at {@code level} that points to the table at host physical {@code tablePa}. */
    long tableEntry(int level, long tablePa);

    /** The host physical address of the table a table item at {@code level} points to. */
    long tablePa(int level, long entry);

    /**
     * The bits of a leaf at {@code level} of size {@code 2^pageSizeLg2} with {@link Prot} bits
     * {@code prot}, except the output address: the engine ORs {@link #encodeOa} into it. A
     * contiguous leaf's size marker (AMD NextLevel=7 and its run of ones, ARM's contiguous bit)
     * belongs here. Called once per map call and page size. Throw an
     * {@link org.iommufd4j.uapi.IommufdException} (EINVAL/EOPNOTSUPP) for a prot the format
     * refuses; the engine already refused prot without READ or WRITE.
     */
    long leafTemplate(int level, int pageSizeLg2, int prot);

    /**
     * The leaf bits that hold output address {@code oa} at {@code level} (by default {@code oa}
     * itself: the address field sits in place). When {@link #oaEncodingLinear()} the engine calls
     * it once per run and then adds the encoding of the stride.
     */
    default long encodeOa(int level, long oa) {
        return oa;
    }

    /**
     * When not 0: the address field is in place and this is its mask at {@code level}, i.e.
     * {@code tablePa(level, e) == (e & oaMask(level))} for every table item and
     * {@code encodeOa(level, oa) == (oa & oaMask(level))} for every page-aligned {@code oa} the
     * format can hold. The engine then masks instead of calling, so a JVM running many formats does
     * not pay a megamorphic call per level of a walk. 0 (the default): the engine calls.
     */
    default long oaMask(int level) {
        return 0;
    }

    /**
     * True (default) when {@code encodeOa(a + b) == encodeOa(a) + encodeOa(b)} for page-aligned
     * values: the engine may step encoded entries by addition.
     */
    default boolean oaEncodingLinear() {
        return true;
    }

    /**
     * The output address a leaf item at {@code level} holds, with any size marker removed. For a
     * contiguous entry, rounding it down to the entry size gives the entry's first address.
     */
    long leafOa(int level, long entry);

    /**
     * True when every item of a contiguous entry holds the entry's first output address (AMD-Vi
     * NextLevel=7 replicas); false (default) when item i holds {@code first + i * itemSize} (ARM
     * contiguous hint, RISC-V NAPOT).
     */
    default boolean contiguousItemsReplicateOa() {
        return false;
    }

    /** lg2 of the number of items the leaf {@code entry} at {@code level} spans (0: one item). */
    default int contiguousLg2(int level, long entry) {
        return 0;
    }

    /**
     * A leaf item at {@code level} with {@code (entry & contiguousMask(level)) != contiguousMatch(level)}
     * spans one item: the engine then skips {@link #contiguousLg2}. Only items that match are asked.
     * The default (mask 0, match 0) matches every item, so the engine always asks; formats with a
     * contiguous marker return it here (ARM's contiguous bit; AMD-Vi's NextLevel 7) so that the
     * common one-item leaf costs no call.
     */
    default long contiguousMask(int level) {
        return 0;
    }

    /** See {@link #contiguousMask(int)}. */
    default long contiguousMatch(int level) {
        return 0;
    }

    /** The {@link Prot} bits a leaf grants (READ/WRITE at least), for checks and the hardware model. */
    int leafProt(int level, long entry);

    // ---------------------------------------------------------------- dirty tracking

    /** True when leaves carry a hardware write-dirty state. */
    default boolean supportsDirty() {
        return false;
    }

    /** True when this leaf item was written since it was last made clean. */
    default boolean isWriteDirty(int level, long entry) {
        return false;
    }

    /**
     * When not 0: a leaf item at {@code level} is write-dirty exactly when
     * {@code (entry & dirtyMask(level)) == dirtyMatch(level)}, the same answer as
     * {@link #isWriteDirty}, which the engine's dirty scan then does not call. 0 (the default):
     * the state is not a mask/match test and the engine calls {@link #isWriteDirty} per leaf.
     */
    default long dirtyMask(int level) {
        return 0;
    }

    /** See {@link #dirtyMask(int)}. */
    default long dirtyMatch(int level) {
        return 0;
    }

    /** The item with its write-dirty state cleared (hardware will set it again on the next write). */
    default long makeWriteClean(int level, long entry) {
        return entry;
    }

    /** The item marked write-dirty, as the hardware would mark it. */
    default long makeWriteDirty(int level, long entry) {
        return entry;
    }

    // ---------------------------------------------------------------- description (optional)

    /**
     * The named bit fields of the present item {@code entry} at {@code level} (a table item or a
     * leaf), as the format's specification names them, for {@link PageTableDump}: permission and
     * attribute flags, memory types, level and size codes. The address field may be left out: the
     * dump decodes it through {@link #tablePa} and {@link #leafOa}. Optional; a format that does
     * not override it shows only what the dump decodes generically.
     */
    default List<BitField> describe(int level, long entry) {
        return List.of();
    }
}
