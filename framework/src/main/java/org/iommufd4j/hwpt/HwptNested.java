package org.iommufd4j.hwpt;

import java.util.function.Consumer;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.device.Hwpt;
import org.iommufd4j.device.Idev;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.spi.NestedDomain;
import org.iommufd4j.spi.UserData;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommufdException;

/**
 * IOMMUFD_OBJ_HWPT_NESTED (Linux {@code iommufd_hwpt_nested}): a user-owned stage-1 domain on a
 * nest-parent paging HWPT, which it holds (the parent is EBUSY while a nested HWPT exists). The
 * user data that describes the stage 1 was decoded by the driver.
 */
public final class HwptNested extends Hwpt {
    /** Flags a nested HWPT may be allocated with (iommufd_hwpt_nested_alloc). */
    static final int VALID_FLAGS = IommuHwptAllocFlags.FAULT_ID_VALID | IommuHwptAllocFlags.PASID;

    private final HwptPaging parent;
    private final NestedDomain domain;
    /** What this HWPT holds: the paging parent, or the vIOMMU it was allocated through. */
    private final IommufdObject holder;
    private final NestingHost viommu;
    /** The FAULT object its page requests go to (FAULT_ID_VALID), or null. */
    FaultQueue fault;

    private HwptNested(Idev idev, HwptPaging parent, NestingHost viommu, NestedDomain domain, int flags) {
        super(ObjectType.HWPT_NESTED, idev.driver(), domain, (flags & IommuHwptAllocFlags.PASID) != 0);
        this.parent = parent;
        this.domain = domain;
        this.viommu = viommu;
        this.holder = viommu != null ? viommu.object() : parent;
        holder.ref();
    }

    /**
     * iommufd_hwpt_nested_alloc: other flags or no user data are EOPNOTSUPP; a parent that is
     * automatic, not a nest parent or of another driver is EINVAL; the driver decodes the data.
     */
    static HwptNested allocate(HwptPaging parent, Idev idev, int flags, UserData data, Consumer<HwptNested> reserve) {
        if ((flags & ~VALID_FLAGS) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hwpt_alloc.flags 0x" + Integer.toHexString(flags)
                    + ": bits 0x" + Integer.toHexString(flags & ~VALID_FLAGS) + " are not valid for a nested HWPT");
        }
        if (data == null) {
            throw new IommufdException(Errno.EOPNOTSUPP, "a nested HWPT needs driver data (iommu_hwpt_alloc.data_type)");
        }
        if (parent.isAutoDomain() || !parent.nestParent() || parent.owner() != idev.driver()) {
            throw IommufdException.einval(parent + " cannot be a nesting parent: "
                    + (parent.isAutoDomain() ? "it is an automatic domain"
                    : !parent.nestParent() ? "it was not allocated with IOMMU_HWPT_ALLOC_NEST_PARENT"
                    : "it belongs to driver " + parent.owner().name()));
        }
        NestedDomain domain = idev.device().allocNestedDomain(parent.pagingDomain(),
                flags & ~IommuHwptAllocFlags.FAULT_ID_VALID, data);
        return reserve(new HwptNested(idev, parent, null, domain, flags), reserve);
    }

    /**
     * iommufd_viommu_alloc_hwpt_nested: the same flag and data rules; the vIOMMU's driver allocates
     * the domain, and the new HWPT holds the vIOMMU (so the vIOMMU is EBUSY while it exists).
     */
    static HwptNested allocateOn(NestingHost viommu, Idev idev, int flags, UserData data, Consumer<HwptNested> reserve) {
        if ((flags & ~VALID_FLAGS) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hwpt_alloc.flags 0x" + Integer.toHexString(flags)
                    + ": bits 0x" + Integer.toHexString(flags & ~VALID_FLAGS) + " are not valid for a nested HWPT");
        }
        if (data == null) {
            throw new IommufdException(Errno.EOPNOTSUPP, "a nested HWPT needs driver data (iommu_hwpt_alloc.data_type)");
        }
        NestedDomain domain = viommu.allocNestedDomain(idev, flags & ~IommuHwptAllocFlags.FAULT_ID_VALID, data);
        return reserve(new HwptNested(idev, viommu.nestingParent(), viommu, domain, flags), reserve);
    }

    private static HwptNested reserve(HwptNested hwpt, Consumer<HwptNested> reserve) {
        try {
            reserve.accept(hwpt);
        } catch (RuntimeException e) {
            hwpt.destroy();
            throw e;
        }
        return hwpt;
    }

    /** The vIOMMU this HWPT was allocated through, or null. */
    public NestingHost viommu() {
        return viommu;
    }

    /** The paging parent. */
    public HwptPaging parent() {
        return parent;
    }

    public NestedDomain nestedDomain() {
        return domain;
    }

    @Override
    public Ioas ioas() {
        return parent.ioas();
    }

    @Override
    public boolean enforcesDirtyTracking() {
        return parent.enforcesDirtyTracking();
    }

    @Override
    public void deviceLeft(Idev idev, int pasid) {
        if (fault != null) {
            fault.autoRespond(idev.id(), pasid);
        }
    }

    @Override
    protected void destroy() {
        domain.free();
        holder.unref();
        if (fault != null) {
            fault.unref();
            fault = null;
        }
    }
}
