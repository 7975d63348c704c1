package org.iommufd4j.spi;

import org.iommufd4j.pt.DirtyRecorder;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A paging domain: an IO page table the driver owns (Linux's {@code iommu_domain} with
 * {@code iommu_domain_ops}). The io_pagetable maps and unmaps through it; sizes are powers of two
 * from {@link #pgsizeBitmap()}. Failures throw {@link org.iommufd4j.uapi.IommufdException}.
 */
public interface PagingDomain extends IommuDomain {
    /** Page sizes the domain can map (bit n set: 2^n bytes). */
    long pgsizeBitmap();

    /** Lowest IOVA the domain translates. */
    long apertureStart();

    /** Highest IOVA the domain translates (inclusive). */
    long apertureLast();

    /** Maps {@code pgcount} pages of {@code pgsize} from {@code iova} to {@code pa}; {@link IommuProt} bits. */
    void map(long iova, long pa, long pgsize, long pgcount, int prot);

    /**
     * Maps {@code count} pages of {@code pgsize} at consecutive IOVAs from {@code iova}, page
     * {@code i} to {@code pas[from + i]} (Linux's {@code iommu_map_sg} for a scattered list: the
     * frames need not be contiguous). All or nothing: on failure whatever the call mapped is unmapped
     * again. This default maps page by page through {@link #map}; a domain may do it in one pass.
     */
    default void mapPages(long iova, long[] pas, int from, int count, long pgsize, int prot) {
        int done = 0;
        try {
            for (; done < count; done++) {
                map(iova + done * pgsize, pas[from + done], pgsize, 1, prot);
            }
        } catch (RuntimeException e) {
            if (done > 0) {
                unmap(iova, pgsize, done);
            }
            throw e;
        }
    }

    /** Unmaps and returns the number of bytes unmapped (never splits a larger page). */
    long unmap(long iova, long pgsize, long pgcount);

    /** The physical address {@code iova} translates to, or 0 when unmapped. */
    long iovaToPhys(long iova);

    /** Frees the page table; the domain is unusable afterwards. */
    @Override
    void free();

    // ------------------------------------------------------------------ dirty tracking (optional)

    /**
     * Whether the domain has dirty-tracking ops (Linux {@code domain->dirty_ops}): true only for a
     * domain allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING on hardware that records write-dirty
     * state. The framework refuses SET_DIRTY_TRACKING and GET_DIRTY_BITMAP (EOPNOTSUPP) otherwise.
     */
    default boolean dirtyTrackingCapable() {
        return false;
    }

    /**
     * Turns the hardware's dirty logging on or off (IOMMU_HWPT_SET_DIRTY_TRACKING). Before enabling,
     * the framework reads and clears every mapped range so tracking starts from a clean snapshot.
     * Idempotent.
     */
    default void setDirtyTracking(boolean enable) {
        throw new IommufdException(Errno.EOPNOTSUPP, "the domain has no dirty tracking");
    }

    /** Whether dirty logging is on. */
    default boolean dirtyTrackingEnabled() {
        return false;
    }

    /**
     * Reports every entry of {@code [iova, iova + length)} written since it was last cleaned to
     * {@code recorder}, and, unless {@code noClear}, cleans it and invalidates the IOTLB so the next
     * write dirties it again (IOMMU_HWPT_GET_DIRTY_BITMAP). The range is mapped and aligned: the
     * framework checked it against the IOAS.
     */
    default void readAndClearDirty(long iova, long length, boolean noClear, DirtyRecorder recorder) {
        throw new IommufdException(Errno.EOPNOTSUPP, "the domain has no dirty tracking");
    }
}
