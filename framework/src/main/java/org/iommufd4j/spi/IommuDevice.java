package org.iommufd4j.spi;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A device behind an IOMMU, as its driver sees it. The framework binds it to an iommufd context
 * (the DEVICE object), allocates domains through it, and attaches them. Every method that can fail
 * throws an {@link IommufdException} with the kernel's errno and leaves the device as it was.
 *
 * <p>HWPT allocation flags are the uAPI's {@code IOMMU_HWPT_ALLOC_*} values
 * ({@link org.iommufd4j.uapi.IommuHwptAllocFlags}); the framework strips FAULT_ID_VALID, which
 * concerns it alone.
 */
public interface IommuDevice {
    String name();

    /** What the device can do; the framework checks dirty tracking and PASID against it. */
    default DeviceCapabilities capabilities() {
        return DeviceCapabilities.NONE;
    }

    /**
     * Allocates an empty paging domain this device can attach to (Linux
     * {@code domain_alloc_paging_flags}). Flags NEST_PARENT, DIRTY_TRACKING and PASID may be
     * asked for; one the driver cannot honour is EOPNOTSUPP. A domain made with DIRTY_TRACKING
     * must report {@link PagingDomain#dirtyTrackingCapable()}.
     */
    PagingDomain allocPagingDomain(int hwptFlags);

    /**
     * {@link #allocPagingDomain(int)} with the user's driver data (HWPT_ALLOC on an IOAS with a
     * {@code data_type}), or null when there is none. The default refuses any data with EOPNOTSUPP.
     */
    default PagingDomain allocPagingDomain(int hwptFlags, UserData data) {
        if (data != null) {
            throw new IommufdException(Errno.EOPNOTSUPP, name() + ": paging domains take no user data (type 0x"
                    + Integer.toHexString(data.type()) + ")");
        }
        return allocPagingDomain(hwptFlags);
    }

    /**
     * Allocates a nested domain on {@code parent}, a paging domain this driver allocated with
     * NEST_PARENT (Linux {@code domain_alloc_nested}). {@code data} is never null: the driver checks
     * its type (unknown: EOPNOTSUPP) and decodes it ({@link UserData#read}: EINVAL when too short,
     * EFAULT on a bad pointer). {@code hwptFlags} may hold PASID; other flags are EOPNOTSUPP.
     */
    default NestedDomain allocNestedDomain(PagingDomain parent, int hwptFlags, UserData data) {
        throw new IommufdException(Errno.EOPNOTSUPP, name() + ": the driver has no nested domains");
    }

    /**
     * The IOMMU keeps the guest's PASID table in user memory (Linux {@code iommu_ops.user_pasid_table}):
     * a page request for a PASID with nothing attached goes to the nested domain on the RID.
     */
    default boolean userPasidTable() {
        return false;
    }

    /**
     * Whether {@link #allocViommu} takes {@code type} (Linux {@code get_viommu_size} != 0). The
     * framework asks before it looks up the parent HWPT, so an unknown type is EOPNOTSUPP first.
     */
    default boolean supportsViommu(int type) {
        return false;
    }

    /**
     * Allocates a vIOMMU of {@code type} on {@code parent}, a NEST_PARENT paging domain of this
     * driver (IOMMU_VIOMMU_ALLOC; Linux {@code viommu_init}). {@code data} is the user's driver data
     * or null; the driver may write results back with {@link UserData#write}. An unsupported type
     * is EOPNOTSUPP (the default, for drivers without vIOMMUs).
     */
    default IommuViommu allocViommu(int type, PagingDomain parent, UserData data, ViommuHost host) {
        throw new IommufdException(Errno.EOPNOTSUPP, name() + ": no vIOMMU of type 0x" + Integer.toHexString(type));
    }

    /**
     * The IOMMU_GET_HW_INFO data. {@code requestedType} is the user's {@code in_data_type} with
     * IOMMU_HW_INFO_FLAG_INPUT_TYPE, else IOMMU_HW_INFO_TYPE_DEFAULT (0), which means "your default";
     * a type the driver does not report is EOPNOTSUPP. The default reports no vendor data.
     */
    default HwInfo hwInfo(int requestedType) {
        if (requestedType != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, name() + ": no hw info of type 0x" + Integer.toHexString(requestedType));
        }
        return HwInfo.NONE;
    }

    /** Makes {@code domain} translate this device's DMA (null: block all DMA). */
    void attach(PagingDomain domain);

    /**
     * Attaches the device's RID (requests without PASID) to {@code domain}, a domain this driver
     * allocated (null: blocked). An incompatible domain is EINVAL: the framework then tries another
     * automatic domain or allocates one. The default attaches paging domains through
     * {@link #attach(PagingDomain)} and refuses nested ones.
     */
    default void attachDomain(IommuDomain domain) {
        if (domain != null && !(domain instanceof PagingDomain)) {
            throw IommufdException.einval(name() + ": cannot attach a " + domain.getClass().getSimpleName());
        }
        attach((PagingDomain) domain);
    }

    /**
     * Moves the RID from {@code old} to {@code domain} without a blocked window. On failure the
     * device must still translate through {@code old}. Defaults to {@link #attachDomain}.
     */
    default void replaceDomain(IommuDomain domain, IommuDomain old) {
        attachDomain(domain);
    }

    /**
     * Installs {@code domain} for requests tagged with {@code pasid} (Linux {@code set_dev_pasid}):
     * {@code old} is null for a first attach, else the domain being replaced, which must stay
     * installed if this fails. The framework has checked that the device supports PASIDs and that
     * the domain was allocated PASID-capable.
     */
    default void setPasid(int pasid, IommuDomain domain, IommuDomain old) {
        throw new IommufdException(Errno.EOPNOTSUPP, name() + ": no PASID support");
    }

    /** Blocks requests tagged with {@code pasid} again; cannot fail. */
    default void removePasid(int pasid, IommuDomain domain) {
    }

    /**
     * The IOTLB of the IOMMU unit this device's DMA is translated through in the hardware model,
     * tagged by {@link PageTableDomain#iotlbTag()}; null (the default) gives the device a private
     * IOTLB that the framework keeps coherent itself on every domain flush and attachment change.
     * A driver that returns its unit's IOTLB takes that duty over: only its own invalidations
     * (e.g. a modelled invalidation queue) clear it, so a forgotten one is served stale and
     * reported as a {@link org.iommufd4j.hw.StaleTranslation}.
     */
    default org.iommufd4j.hw.Iotlb unitIotlb() {
        return null;
    }

    /** Called when the device is unbound. */
    void release();
}
