package org.iommufd4j.spi;

/**
 * A paging domain: an IO page table the driver owns (Linux's {@code iommu_domain} with
 * {@code iommu_domain_ops}). The io_pagetable maps and unmaps through it; sizes are powers of two
 * from {@link #pgsizeBitmap()}. Failures throw {@link org.iommufd4j.uapi.IommufdException}.
 */
public interface PagingDomain {
    /** Page sizes the domain can map (bit n set: 2^n bytes). */
    long pgsizeBitmap();

    /** Lowest IOVA the domain translates. */
    long apertureStart();

    /** Highest IOVA the domain translates (inclusive). */
    long apertureLast();

    /** Maps {@code pgcount} pages of {@code pgsize} from {@code iova} to {@code pa}; {@link IommuProt} bits. */
    void map(long iova, long pa, long pgsize, long pgcount, int prot);

    /** Unmaps and returns the number of bytes unmapped (never splits a larger page). */
    long unmap(long iova, long pgsize, long pgcount);

    /** The physical address {@code iova} translates to, or 0 when unmapped. */
    long iovaToPhys(long iova);

    /** Frees the page table; the domain is unusable afterwards. */
    void free();
}
