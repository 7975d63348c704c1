package org.iommufd4j.hw;

/**
 * What the hardware found for one IOVA: the output page and how it may be used.
 *
 * <p>A translation covers one {@link #granule()}: 4 KiB, or the whole entry when the format's
 * pages are smaller (the iommufd selftest mock's 2 KiB items, whose two halves of a 4 KiB page may
 * map to unrelated addresses).
 *
 * @param iovaPage the granule-aligned IOVA this translation is for
 * @param paPage the granule-aligned physical address it maps to
 * @param level the page-table level of the leaf (generic_pt numbering)
 * @param pageSizeLg2 lg2 of the size of the entry that mapped it (IOTLB entries are per granule)
 * @param prot {@link org.iommufd4j.pt.Prot} bits the leaf grants
 * @param itemPa host physical address of the leaf item (where dirty state is set)
 */
public record Translation(long iovaPage, long paPage, int level, int pageSizeLg2, int prot, long itemPa) {
    /** The physical address of {@code iova}, which must lie in {@link #iovaPage()}'s granule. */
    public long pa(long iova) {
        return paPage | (iova & (granule() - 1));
    }

    /** Bytes this translation covers: 4 KiB, or the entry's size when that is smaller. */
    public long granule() {
        return granuleOf(pageSizeLg2);
    }

    /** True when {@code iova} lies in the granule this translation covers. */
    public boolean covers(long iova) {
        return (iova & -granule()) == iovaPage;
    }

    static long granuleOf(int pageSizeLg2) {
        return 1L << Math.min(pageSizeLg2, 12);
    }

    /** Same page, same rights: what a stale-IOTLB check compares. */
    boolean sameMapping(Translation other) {
        return other != null && paPage == other.paPage && prot == other.prot;
    }
}
