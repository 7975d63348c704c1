package org.iommufd4j.pt;

/**
 * A format whose leaves record a write in one dirty bit that hardware sets and software clears
 * (VT-d second-stage D, AMD-Vi D, the mock's D): it names the bit once and gets the dirty methods
 * of {@link PageTableFormat}, including the mask the engine's dirty scan reads as data.
 */
public interface DirtyBitFormat extends PageTableFormat {
    /** The leaf's dirty bit. */
    long dirtyBit();

    @Override
    default boolean supportsDirty() {
        return true;
    }

    @Override
    default long dirtyMask(int level) {
        return dirtyBit();
    }

    @Override
    default long dirtyMatch(int level) {
        return dirtyBit();
    }

    @Override
    default boolean isWriteDirty(int level, long entry) {
        return (entry & dirtyBit()) != 0;
    }

    @Override
    default long makeWriteClean(int level, long entry) {
        return entry & ~dirtyBit();
    }

    @Override
    default long makeWriteDirty(int level, long entry) {
        return entry | dirtyBit();
    }
}
