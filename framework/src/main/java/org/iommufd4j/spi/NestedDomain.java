package org.iommufd4j.spi;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A nested (two-stage) domain: a stage-1 table owned by the user (a guest), whose output is
 * translated by a paging parent allocated with IOMMU_HWPT_ALLOC_NEST_PARENT (Linux
 * {@code IOMMU_DOMAIN_NESTED}). What the stage-1 is, is the driver's business: it decoded the user
 * data at allocation into its own record.
 */
public interface NestedDomain extends IommuDomain {
    /** The paging parent (stage 2) this domain was allocated on. */
    PagingDomain parent();

    /**
     * What the hardware model walks for a device attached to this domain: the user's stage-1 table
     * nested over the parent's stage 2 ({@link org.iommufd4j.hw.TranslationRoot#nested}), tagged in
     * the driver's unit IOTLB. Null (the default) when the driver does not model the walk: DMA
     * through the domain is then blocked. Only followed for devices with a
     * {@link IommuDevice#unitIotlb()}, since only the driver's own invalidations can keep a cache of
     * a user-owned table coherent.
     */
    default org.iommufd4j.hw.TranslationRoot translationRoot() {
        return null;
    }

    /**
     * Invalidates the caches the user's stage-1 feeds (IOMMU_HWPT_INVALIDATE on this domain's HWPT,
     * Linux {@code cache_invalidate_user}). The driver checks {@code entries.dataType()} (wrong type:
     * EINVAL), decodes each entry with its own codec through {@link UserArray#read}, and handles them
     * in order.
     *
     * @return the number of entries handled, {@code entries.count()} on success
     * @throws InvalidationError on a bad entry, carrying how many entries before it were handled;
     *         any other {@link IommufdException} means none was
     */
    default int cacheInvalidateUser(UserArray entries) {
        throw new IommufdException(Errno.EOPNOTSUPP, "the nested domain has no user cache invalidation");
    }
}
