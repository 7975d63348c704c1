/**
 * The generic IO page-table engine: one algorithm ({@link org.iommufd4j.pt.PageTable}), many small
 * formats ({@link org.iommufd4j.pt.PageTableFormat}), after Linux's drivers/iommu/generic_pt.
 *
 * <h2>What the engine does for every format</h2>
 * Allocates table frames in {@link org.iommufd4j.memory.PhysicalMemory} (through
 * {@code allocate}, so fail-nth sweeps reach them) and counts them; maps with the largest page size
 * that fits at each step (contiguous entries included) and never overwrites; unmaps without
 * splitting large pages and frees tables that become empty; undoes a failed map; translates IOVAs;
 * reads and clears dirty state; grows the top level when the format allows it; dumps a table as
 * the hardware would walk it ({@link org.iommufd4j.pt.PageTableDump}: text, DOT and SVG). Errors are
 * {@link org.iommufd4j.uapi.IommufdException}s with Linux's errnos (see {@code PageTable}).
 *
 * <h2>How to write a format</h2>
 * A format is an immutable class implementing {@code PageTableFormat}; the x86-64 one
 * ({@link org.iommufd4j.pt.format.X8664Format}) is a complete example in about 150 lines.
 * <ol>
 *   <li><b>Number the levels</b> as generic_pt does: level 0 is the table of the smallest pages,
 *       higher levels are closer to the root. Convert from the vendor's numbering once, in a
 *       comment (ARM L3 = level 0; AMD mode N = top level N-1; VT-d SS-PTE = level 0).</li>
 *   <li><b>Geometry.</b> {@code itemShift(level)} is lg2 of the IOVA span of one item (4K pages:
 *       12, 21, 30, ...); {@code indexBits(level)} is lg2 of the number of items per table (a top
 *       table may be smaller or, for ARM stage-2 concatenation, larger; then override
 *       {@code tableOrder}). {@code vaBits()}/{@code oaBits()} are the input/output widths;
 *       {@code topLevel()} the top a new table has; {@code maxTopLevel()} above it makes the top
 *       growable (then pass a {@link org.iommufd4j.pt.TopChangeListener} to the engine).</li>
 *   <li><b>Page sizes.</b> {@code leafSizes(level)} is a bitmap: the item size if a level can
 *       hold a leaf, plus every contiguous size (2^n items fused into one entry) the format
 *       supports there. Return 0 for levels without leaves.</li>
 *   <li><b>Classify items with masks, not code.</b> An item is empty when
 *       {@code (item & presentMask) == 0}; a present item is a table pointer when
 *       {@code (item & tableMask) == tableMatch}, else a leaf. Examples: x86 PDE
 *       {@code mask P|PS, match P}; AMD-Vi v1 at level L {@code mask PR|NextLevel, match PR|L<<9};
 *       ARM {@code mask 0b11, match 0b11} above the last level. The engine reads these once.</li>
 *   <li><b>Encode.</b> {@code tableEntry(level, pa)} is the item at {@code level} pointing to a
 *       table at {@code level - 1}; {@code leafTemplate(level, sizeLg2, prot)} is every leaf bit
 *       except the address (permissions from {@link org.iommufd4j.pt.Prot}, the page-size bit,
 *       a contiguous marker) and is computed once per map call; {@code encodeOa} places the
 *       output address (default: in place). If a contiguous entry repeats the first address in
 *       every item (AMD NextLevel=7) say so with {@code contiguousItemsReplicateOa()}.</li>
 *   <li><b>Decode.</b> {@code tablePa}, {@code leafOa} (size markers removed),
 *       {@code contiguousLg2} (how many items the leaf spans) and {@code leafProt}. If the
 *       address field sits in place, declare its mask with {@code oaMask(level)}: the engine then
 *       masks instead of calling {@code tablePa}/{@code encodeOa} (the kit checks the mask
 *       against both), which keeps walks cheap in a JVM that runs many formats.</li>
 *   <li><b>Dirty</b> (optional): {@code supportsDirty}, {@code isWriteDirty},
 *       {@code makeWriteClean}, {@code makeWriteDirty}. The engine ORs and cleans all items of a
 *       contiguous entry. New leaves may start dirty (ARM DBM leaves start writable-dirty):
 *       iommufd clears once when tracking is enabled, and the conformance kit does the same.</li>
 *   <li><b>Describe</b> (optional): {@code describe(level, entry)} names the entry's bit fields
 *       as the specification does ({@link org.iommufd4j.pt.BitField}), so that
 *       {@link org.iommufd4j.pt.PageTableDump} and {@code ./iommufd4j pt dump} show them.</li>
 *   <li><b>Test it</b> with the conformance kit: extend
 *       {@code org.iommufd4j.pt.kit.FormatConformanceKit} (framework test-jar) in your module's
 *       tests and return your format (each configuration you support); extend
 *       {@code org.iommufd4j.pt.kit.FormatDifferentialKit} with your format next to a known one
 *       (x86-64) to compare translations over one random sequence; add golden tests that compare
 *       raw entries with encodings written from the specification, citing its section. Both kits
 *       come in the {@code framework} test-jar (a test dependency of type {@code test-jar}).</li>
 * </ol>
 * Keep formats free of mutable state: one instance may serve many tables and threads. Driver
 * options (levels, features such as force-snoop) are constructor arguments.
 */
package org.iommufd4j.pt;
