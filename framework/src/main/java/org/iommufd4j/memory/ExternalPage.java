package org.iommufd4j.memory;

/**
 * The bytes of a frame that live outside {@link PhysicalMemory}: a page of a real process that
 * iommufd pinned, so device DMA and access reads/writes through the frame reach the process's
 * own page. Offsets are within the 4 KiB page. A failed access throws
 * {@link org.iommufd4j.uapi.IommufdException} (EFAULT): the process is gone or unmapped the page.
 */
public interface ExternalPage {
    void read(int offset, byte[] dst, int off, int len);

    void write(int offset, byte[] src, int off, int len);

    /** The frame was freed (its last reference and pin went): forget it, it may be reused. */
    void released(long pfn);
}
