package org.iommufd4j.pt;

/**
 * A leaf the engine found for an IOVA: where its item lives in host memory and what it says.
 * Used by the hardware model (to check permissions and set A/D bits at {@code itemPa}) and by tests.
 *
 * @param level gpt level of the table holding the leaf (0 = the leaf-most table)
 * @param itemPa host physical address of the 8-byte item that translated the IOVA
 * @param entry the raw item value
 * @param iova first IOVA of the whole entry (contiguous group included)
 * @param pageSizeLg2 lg2 of the entry's size (item size plus contiguous items)
 * @param pa the output address of the first byte of the entry
 */
public record Leaf(int level, long itemPa, long entry, long iova, int pageSizeLg2, long pa) {
    /** The output address {@code iova} (inside this entry) translates to. */
    public long translate(long anyIova) {
        return pa + (anyIova - iova);
    }

    public long pageSize() {
        return 1L << pageSizeLg2;
    }
}
