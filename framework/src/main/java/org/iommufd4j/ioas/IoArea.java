package org.iommufd4j.ioas;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SHIFT;
import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;

/**
 * Linux's {@code iopt_area}: IOVA [iova, iova+length) mapped to bytes [startByte, startByte+length)
 * of an {@link IoPages}. While its io_pagetable has paging domains the area holds its pages pinned
 * ({@link #domainsLoaded}); accesses (emulated devices, later) count their pins in
 * {@link #accessPins} so that an unmap can ask them to let go first.
 */
final class IoArea {
    final long iova;
    final long length;
    final IoPages pages;
    final long startByte;
    final int prot;
    /** True while the area's pages are pinned on behalf of the io_pagetable's domains. */
    boolean domainsLoaded;
    /** Pins taken through accesses on this area (iopt_area num_accesses). */
    int accessPins;
    /** A dma-buf area whose exporter revoked it: unmapped from every domain and never loaded again. */
    boolean revoked;

    IoArea(long iova, long length, IoPages pages, long startByte, int prot) {
        this.iova = iova;
        this.length = length;
        this.pages = pages;
        this.startByte = startByte;
        this.prot = prot;
    }

    /** The last IOVA (inclusive). */
    long last() {
        return iova + length - 1;
    }

    int firstPage() {
        return (int) (startByte >>> PAGE_SHIFT);
    }

    int lastPage() {
        return (int) ((startByte + length - 1) >>> PAGE_SHIFT);
    }

    /** Offset of the first byte inside its page (iopt_area page_offset). */
    long pageOffset() {
        return startByte & (PAGE_SIZE - 1);
    }

    /** The byte of the pages that IOVA {@code at} (inside the area) maps. */
    long startByteOf(long at) {
        return startByte + (at - iova);
    }

    @Override
    public String toString() {
        return "area [0x" + Long.toHexString(iova) + ", 0x" + Long.toHexString(last()) + "]";
    }
}
