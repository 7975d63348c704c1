package org.iommufd4j.hw;

import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.Prot;

/**
 * The hardware page walker: it reads the table frames in host memory from a root pointer, as the
 * IOMMU does, using only the format's bit definitions — never the engine's bookkeeping. A wrong
 * bit written by a format therefore shows up here as a wrong translation or a fault.
 *
 * <p>On a permitted write it sets the leaf's dirty state the way hardware with access/dirty
 * tracking does (VT-d SS D bit, SMMU HTTU DBM, AMD-Vi HD).
 */
public final class PageWalker {
    private final PhysicalMemory memory;

    public PageWalker(PhysicalMemory memory) {
        this.memory = memory;
    }

    /**
     * Translates {@code iova} for {@code access} through the table rooted at {@code rootPa} (a
     * table of {@code topLevel}). Throws {@link DmaFault} when nothing maps it or the leaf forbids it.
     */
    public Translation walk(PageTableFormat format, long rootPa, int topLevel, long iova, Access access) {
        return walk(format, rootPa, topLevel, null, iova, access);
    }

    /** The translation without side effects (no dirty bit), or a {@link DmaFault}. */
    public Translation translate(PageTableFormat format, long rootPa, int topLevel, long iova, Access access) {
        return translate(format, rootPa, topLevel, null, iova, access, false);
    }

    /**
     * {@link #walk(PageTableFormat, long, int, long, Access)} through {@code root}, nested through its
     * {@link TranslationRoot#secondStage()} when it has one: the second stage's leaf is dirtied on a
     * write as well as the first stage's.
     */
    public Translation walk(TranslationRoot root, long iova, Access access) {
        return walk(root.format(), root.rootPa(), root.topLevel(), root.secondStage(), iova, access);
    }

    /** {@link #walk(TranslationRoot, long, Access)} without side effects. */
    public Translation translate(TranslationRoot root, long iova, Access access) {
        return translate(root.format(), root.rootPa(), root.topLevel(), root.secondStage(), iova, access, false);
    }

    private Translation walk(PageTableFormat format, long rootPa, int topLevel, TranslationRoot secondStage, long iova,
            Access access) {
        Translation t = translate(format, rootPa, topLevel, secondStage, iova, access, true);
        if (access == Access.WRITE && format.supportsDirty()) {
            long item = memory.readLong(t.itemPa());
            if (!format.isWriteDirty(t.level(), item)) {
                memory.writeLong(t.itemPa(), format.makeWriteDirty(t.level(), item));
            }
        }
        return t;
    }

    /**
     * The walk proper. With a {@code secondStage} (nested translation, VT-d spec 3.8 "Nested
     * Translation"), {@code rootPa}, every table pointer and the leaf's output address are inputs of
     * the second stage: each table read goes through a second-stage read translation, and the output
     * through a second-stage translation for {@code access}. The result grants what both leaves grant
     * and covers the smaller of the two pages; its {@code itemPa} is the first-stage leaf's host
     * address. A second-stage fault is reported for the device's {@code iova}.
     *
     * @param dirtySecondStage whether the final second-stage walk may set its dirty state
     */
    private Translation translate(PageTableFormat format, long rootPa, int topLevel, TranslationRoot secondStage,
            long iova, Access access, boolean dirtySecondStage) {
        if (!inRange(format, topLevel, iova)) {
            throw new DmaFault(iova, access, DmaFault.Reason.OUT_OF_RANGE);
        }
        long table = rootPa;
        for (int level = topLevel; level >= 0; level--) {
            int shift = format.itemShift(level);
            long index = (iova >>> shift) & ((1L << format.indexBits(level)) - 1);
            long itemPa = table + index * Long.BYTES;
            if (secondStage != null) {
                // A table read is a read of the second stage (the model keeps first-stage A bits preset).
                itemPa = secondStageTranslation(secondStage, itemPa, Access.READ, false, iova, access).pa(itemPa);
            }
            long item = memory.readLong(itemPa);
            if ((item & format.presentMask(level)) == 0) {
                throw new DmaFault(iova, access, DmaFault.Reason.NOT_PRESENT);
            }
            if (level > 0 && format.canHaveTable(level) && (item & format.tableMask(level)) == format.tableMatch(level)) {
                table = format.tablePa(level, item);
                continue;
            }
            int sizeLg2 = shift + format.contiguousLg2(level, item);
            long sizeMask = (1L << sizeLg2) - 1;
            long pa = (format.leafOa(level, item) & ~sizeMask) | (iova & sizeMask);
            int prot = format.leafProt(level, item);
            int needed = access == Access.WRITE ? Prot.WRITE : Prot.READ;
            if ((prot & needed) == 0) {
                throw new DmaFault(iova, access, DmaFault.Reason.PERMISSION);
            }
            if (secondStage != null) {
                Translation out = secondStageTranslation(secondStage, pa, access, dirtySecondStage, iova, access);
                sizeLg2 = Math.min(sizeLg2, out.pageSizeLg2());
                prot &= out.prot();
                pa = out.pa(pa);
            }
            long granule = Translation.granuleOf(sizeLg2);
            return new Translation(iova & -granule, pa & -granule, level, sizeLg2, prot, itemPa);
        }
        throw new DmaFault(iova, access, DmaFault.Reason.NOT_PRESENT);
    }

    private Translation secondStageTranslation(TranslationRoot secondStage, long ipa, Access stageAccess, boolean dirty,
            long iova, Access access) {
        try {
            return dirty ? walk(secondStage, ipa, stageAccess) : translate(secondStage, ipa, stageAccess);
        } catch (DmaFault f) {
            throw new DmaFault(iova, access, f.reason());
        }
    }

    private static boolean inRange(PageTableFormat format, int topLevel, long iova) {
        int topBits = format.itemShift(topLevel) + format.indexBits(topLevel);
        if (format.signExtended()) {
            long shifted = iova >> (format.vaBits() - 1);
            return shifted == 0 || shifted == -1;
        }
        return topBits >= 64 || (iova >>> topBits) == 0;
    }
}
