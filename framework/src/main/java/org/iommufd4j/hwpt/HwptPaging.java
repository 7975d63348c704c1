package org.iommufd4j.hwpt;

import java.util.function.Consumer;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.device.Hwpt;
import org.iommufd4j.device.Idev;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.spi.UserData;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommufdException;

/**
 * IOMMUFD_OBJ_HWPT_PAGING (Linux {@code iommufd_hwpt_paging}): a driver's paging domain that mirrors
 * an IOAS. It holds a users reference on the IOAS and its domain is one of the IOAS io_pagetable's
 * domains from allocation to destruction, so every map and unmap reaches it and the IOAS alignment
 * is raised to its smallest page.
 */
public final class HwptPaging extends Hwpt {
    /** Flags a paging HWPT may be allocated with (hw_pagetable.c iommufd_hwpt_paging_alloc). */
    static final int VALID_FLAGS = IommuHwptAllocFlags.NEST_PARENT | IommuHwptAllocFlags.DIRTY_TRACKING
            | IommuHwptAllocFlags.PASID;

    private final Ioas ioas;
    private final PagingDomain domain;
    private final int flags;
    private final boolean auto;
    private boolean inIopt;
    /** The FAULT object its page requests go to (FAULT_ID_VALID), or null. */
    FaultQueue fault;

    private HwptPaging(Idev idev, PagingDomain domain, Ioas ioas, int flags, boolean auto) {
        super(ObjectType.HWPT_PAGING, idev.driver(), domain, (flags & IommuHwptAllocFlags.PASID) != 0);
        this.ioas = ioas;
        this.domain = domain;
        this.flags = flags;
        this.auto = auto;
        ioas.ref();
    }

    /**
     * iommufd_hwpt_paging_alloc: checks the flags (unknown ones and DIRTY_TRACKING on a device
     * that cannot track are EOPNOTSUPP), has the device's driver allocate the domain, lets
     * {@code reserve} put the object in the table, then adds the domain to the IOAS io_pagetable.
     * When {@code reserve} fails the object is released here; when adding fails the caller aborts
     * the reserved object, which undoes everything.
     */
    static HwptPaging allocate(Ioas ioas, Idev idev, int flags, UserData data, boolean auto, Consumer<HwptPaging> reserve) {
        if ((flags & ~VALID_FLAGS) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hwpt_alloc.flags 0x" + Integer.toHexString(flags)
                    + ": bits 0x" + Integer.toHexString(flags & ~VALID_FLAGS) + " are not valid for a paging HWPT");
        }
        if ((flags & IommuHwptAllocFlags.DIRTY_TRACKING) != 0 && !idev.capabilities().dirtyTracking()) {
            throw new IommufdException(Errno.EOPNOTSUPP, idev.device().name() + " cannot track dirty pages (IOMMU_HWPT_ALLOC_DIRTY_TRACKING)");
        }
        PagingDomain domain = idev.device().allocPagingDomain(flags, data);
        if ((flags & IommuHwptAllocFlags.DIRTY_TRACKING) != 0 && !domain.dirtyTrackingCapable()) {
            domain.free();
            throw new IommufdException(Errno.EOPNOTSUPP, idev.driver().name() + " returned a domain without dirty tracking"
                    + " for IOMMU_HWPT_ALLOC_DIRTY_TRACKING");
        }
        HwptPaging hwpt = new HwptPaging(idev, domain, ioas, flags, auto);
        try {
            reserve.accept(hwpt);
        } catch (RuntimeException e) {
            hwpt.destroy();
            throw e;
        }
        ioas.iopt().addDomain(domain);
        hwpt.inIopt = true;
        return hwpt;
    }

    @Override
    public Ioas ioas() {
        return ioas;
    }

    /** The paging domain. */
    public PagingDomain pagingDomain() {
        return domain;
    }

    /** Allocated with IOMMU_HWPT_ALLOC_NEST_PARENT: nested HWPTs and vIOMMUs may be built on it. */
    public boolean nestParent() {
        return (flags & IommuHwptAllocFlags.NEST_PARENT) != 0;
    }

    /** Allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING: every device attached must track dirty pages. */
    @Override
    public boolean enforcesDirtyTracking() {
        return (flags & IommuHwptAllocFlags.DIRTY_TRACKING) != 0;
    }

    @Override
    public boolean isAutoDomain() {
        return auto;
    }

    @Override
    public void deviceLeft(Idev idev, int pasid) {
        if (fault != null) {
            fault.autoRespond(idev.id(), pasid);
        }
    }

    @Override
    protected void destroy() {
        if (inIopt) {
            ioas.iopt().removeDomain(domain);
            inIopt = false;
        }
        domain.free();
        ioas.unref();
        if (fault != null) {
            fault.unref();
            fault = null;
        }
    }
}
