package org.iommufd4j.spi;

import java.util.OptionalLong;

/**
 * What the framework offers a driver's {@link IommuViommu} (the core helpers of Linux's
 * viommu.c/eventq.c/main.c a driver calls): vDEVICE lookups, vEVENT reporting and mmap regions.
 * Given to {@link IommuDevice#allocViommu}; valid until {@link IommuViommu#destroy()} returns.
 */
public interface ViommuHost {
    /** The vIOMMU object's ID. */
    int id();

    /** The device whose vDEVICE in this vIOMMU has guest ID {@code virtId}, or null ({@code iommufd_viommu_find_dev}). */
    IommuDevice deviceByVirtId(long virtId);

    /** The guest ID of {@code device}'s vDEVICE in this vIOMMU, if it has one ({@code iommufd_viommu_get_vdev_id}). */
    OptionalLong virtIdOf(IommuDevice device);

    /**
     * Queues a vEVENT of {@code veventqType} with {@code payload} on this vIOMMU's vEVENTQ of that
     * type ({@code iommufd_viommu_report_event}); EOPNOTSUPP when there is no such queue.
     */
    void reportEvent(int veventqType, byte[] payload);

    /**
     * Publishes {@code length} bytes of host physical memory from {@code pa} (page aligned) for
     * mmap of the iommufd ({@code iommufd_viommu_alloc_mmap}); returns the mmap offset. A live
     * mapping holds the vIOMMU.
     */
    long publishMmap(long pa, long length);

    /** Withdraws a region published by {@link #publishMmap} ({@code iommufd_viommu_destroy_mmap}). */
    void withdrawMmap(long offset);

    /** Translates {@code iova} through the nesting parent (stage-2) domain; -1 when unmapped. */
    long parentIovaToPhys(long iova);
}
