package org.iommufd4j.pt;

/** Receives the IOVA ranges {@link PageTable#readAndClearDirty} found write-dirty. */
@FunctionalInterface
public interface DirtyRecorder {
    /** The entry covering {@code [iova, iova + length)} was written since it was last cleaned. */
    void dirty(long iova, long length);
}
