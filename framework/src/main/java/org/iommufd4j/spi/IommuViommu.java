package org.iommufd4j.spi;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A driver's virtual IOMMU instance (Linux {@code struct iommufd_viommu} and its
 * {@code iommufd_viommu_ops}), made by {@link IommuDevice#allocViommu}: it presents one physical
 * IOMMU to a guest, owns the nested domains allocated through it, and handles the guest's
 * invalidation commands and HW queues. Every method that can fail throws an
 * {@link IommufdException} with the kernel's errno and changes nothing.
 */
public interface IommuViommu {
    /**
     * Allocates a nested domain for {@code device} through this vIOMMU ({@code alloc_domain_nested}).
     * {@code data} is never null; {@code hwptFlags} may hold PASID. Default: EOPNOTSUPP.
     */
    default NestedDomain allocNestedDomain(IommuDevice device, int hwptFlags, UserData data) {
        throw new IommufdException(Errno.EOPNOTSUPP, "this vIOMMU allocates no nested domains");
    }

    /**
     * IOMMU_HWPT_INVALIDATE on this vIOMMU ({@code cache_invalidate}): the same contract as
     * {@link NestedDomain#cacheInvalidateUser}. Default: EOPNOTSUPP.
     */
    default int cacheInvalidate(UserArray entries) {
        throw new IommufdException(Errno.EOPNOTSUPP, "this vIOMMU has no cache invalidation");
    }

    /**
     * A vDEVICE of {@code device} with guest ID {@code virtId} is being created ({@code vdevice_init});
     * the driver may refuse it. Default: accepted.
     */
    default void vdeviceInit(IommuDevice device, long virtId) {
    }

    /** The vDEVICE of {@code device} is going away (destroyed, or its device was unbound). */
    default void vdeviceDestroy(IommuDevice device, long virtId) {
    }

    /**
     * Whether this vIOMMU takes HW queues of {@code type} ({@code get_hw_queue_size} != 0): the
     * framework then pins the queue memory before calling {@link #hwQueueInit}. Default: none.
     */
    default boolean supportsHwQueue(int type) {
        return false;
    }

    /**
     * Creates HW queue {@code index} of {@code type} over guest memory that the framework pinned
     * ({@code hw_queue_init_phys}): {@code nestingParentIova} in the nesting parent's IOVA space,
     * physically contiguous from {@code basePa}, {@code length} bytes.
     */
    default IommuHwQueue hwQueueInit(int type, int index, long nestingParentIova, long basePa, long length) {
        throw new IommufdException(Errno.EOPNOTSUPP, "this vIOMMU has no HW queues");
    }

    /** The vIOMMU object is destroyed: release what the driver holds. */
    void destroy();
}
