package org.iommufd4j.ioas;

import org.iommufd4j.spi.PagingDomain;

/**
 * Tells whether a paging domain attached to an IOAS enforces DMA cache coherency (Linux's
 * {@code hwpt_paging->enforce_cache_coherency}, set when the driver's
 * {@code enforce_cache_coherency} op succeeded). The subsystem that attaches domains knows it and
 * contributes an implementation (a Dagger {@code @IntoSet} binding); VFIO_CHECK_EXTENSION
 * (VFIO_DMA_CC_IOMMU) asks every one. A domain no implementation vouches for does not enforce it.
 */
public interface CacheCoherency {
    /** True when {@code domain} is known to enforce cache coherency. */
    boolean enforces(PagingDomain domain);
}
