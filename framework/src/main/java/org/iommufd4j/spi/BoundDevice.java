package org.iommufd4j.spi;

/**
 * A device bound to an iommufd context (its DEVICE object), as a driver's extension ioctl sees it.
 * {@code ptId}s name an IOAS (the framework picks or allocates an automatic paging HWPT), a
 * HWPT_PAGING or a HWPT_NESTED of the same context.
 */
public interface BoundDevice {
    /** The DEVICE object's ID. */
    int id();

    /** The driver's device. */
    IommuDevice device();

    /**
     * Attaches the RID (iommufd_device_attach). Returns the HWPT ID actually attached (the automatic
     * one for an IOAS). EBUSY when already attached; EINVAL when the domain does not fit.
     */
    int attach(int ptId);

    /** Replaces the RID's attachment (iommufd_device_replace); EINVAL when not attached. Returns the HWPT ID. */
    int replace(int ptId);

    /** Detaches the RID; the device blocks DMA again. No-op when not attached. */
    void detach();

    /** Attaches {@code pasid} to a PASID-capable HWPT (an IOAS is EINVAL); EBUSY when already attached. */
    void attachPasid(int pasid, int ptId);

    /** Replaces the HWPT of an attached {@code pasid} (EINVAL when not attached); on failure the old one stays. */
    void replacePasid(int pasid, int ptId);

    /** Detaches {@code pasid}; no-op when not attached. */
    void detachPasid(int pasid);

    /** The HWPT ID attached to {@code pasid}, 0 when none. */
    int pasidHwptId(int pasid);

    /** The HWPT ID attached to the RID, 0 when none. */
    int hwptId();

    /**
     * Reports an I/O page request the device made ({@code iommu_report_device_fault} with
     * IOMMU_FAULT_PAGE_REQ): it goes to the FAULT object of the HWPT attached to {@code pasid}
     * (0: the RID). {@code flags} are {@code IOMMU_PGFAULT_FLAGS_*}, {@code perm}
     * {@code IOMMU_PGFAULT_PERM_*}. EINVAL when that HWPT has no fault queue.
     */
    void reportPageRequest(int pasid, int grpid, int perm, long addr, int flags);

    /** Detaches everything and removes the DEVICE object (iommufd_device_unbind). */
    void unbind();
}
