package org.iommufd4j.spi;

/**
 * What a device can be attached to: a driver's {@code iommu_domain}. Either a {@link PagingDomain}
 * (the driver's own IO page table, filled from an IOAS) or a {@link NestedDomain} (a user-owned
 * stage-1 table translated through a paging parent). The framework never looks inside one; it
 * hands it back to the driver that made it.
 */
public interface IommuDomain {
    /** Frees the domain; it is unusable afterwards. The framework calls it once, after every device left. */
    void free();
}
