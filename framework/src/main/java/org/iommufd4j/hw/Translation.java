package org.iommufd4j.hw;

/**
 * What the hardware found for one IOVA: the output page and how it may be used.
 *
 * @param iovaPage the 4 KiB-aligned IOVA this translation is for
 * @param paPage the 4 KiB-aligned physical address it maps to
 * @param level the page-table level of the leaf (generic_pt numbering)
 * @param pageSizeLg2 lg2 of the size of the entry that mapped it (for reports; IOTLB entries are per 4 KiB)
 * @param prot {@link org.iommufd4j.pt.Prot} bits the leaf grants
 * @param itemPa host physical address of the leaf item (where dirty state is set)
 */
public record Translation(long iovaPage, long paPage, int level, int pageSizeLg2, int prot, long itemPa) {
    /** The physical address of {@code iova}, which must lie in {@link #iovaPage()}'s 4 KiB page. */
    public long pa(long iova) {
        return paPage | (iova & 0xfffL);
    }

    /** Same page, same rights: what a stale-IOTLB check compares. */
    boolean sameMapping(Translation other) {
        return other != null && paPage == other.paPage && prot == other.prot;
    }
}
