package org.iommufd4j.device;

import java.util.Objects;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.spi.IommuDomain;
import org.iommufd4j.spi.IommuDriver;

/**
 * What a device attaches to: a HW page table object (Linux {@code iommufd_hw_pagetable}) holding
 * one driver's domain. The concrete objects (HWPT_PAGING, HWPT_NESTED) live in the {@code hwpt}
 * package; the device package only needs what an attachment checks: which driver made the domain,
 * whether it may serve PASIDs, and which IOAS feeds it.
 *
 * <p>Every attached device holds a users reference, so an attached HWPT is EBUSY to DESTROY.
 */
public abstract class Hwpt extends IommufdObject {
    private final IommuDriver owner;
    private final IommuDomain domain;
    private final boolean pasidCompat;

    protected Hwpt(ObjectType type, IommuDriver owner, IommuDomain domain, boolean pasidCompat) {
        super(type);
        this.owner = Objects.requireNonNull(owner);
        this.domain = Objects.requireNonNull(domain);
        this.pasidCompat = pasidCompat;
    }

    /** The driver that allocated the domain: only its devices can attach ({@code domain->owner}). */
    public final IommuDriver owner() {
        return owner;
    }

    /** The driver's domain. */
    public final IommuDomain domain() {
        return domain;
    }

    /** Allocated with IOMMU_HWPT_ALLOC_PASID: it may be attached to PASIDs (and live beside them on the RID). */
    public final boolean pasidCompat() {
        return pasidCompat;
    }

    /** The IOAS whose mappings the domain (or its paging parent) mirrors. */
    public abstract Ioas ioas();

    /**
     * An automatic HWPT, made when a device attached to an IOAS: it is shared by compatible devices
     * of the IOAS and destroyed when the last one leaves.
     */
    public boolean isAutoDomain() {
        return false;
    }

    /**
     * Allocated with IOMMU_HWPT_ALLOC_DIRTY_TRACKING (or nested on such a parent): a device that
     * cannot track dirty pages must not attach (EINVAL), or writes would go unlogged.
     */
    public boolean enforcesDirtyTracking() {
        return false;
    }

    /**
     * {@code idev} no longer uses this HWPT at {@code pasid} (0: the RID), after a detach or a
     * replace: a HWPT with a fault queue answers the page requests it still holds from there
     * (iommufd_auto_response_faults). Cannot fail.
     */
    public void deviceLeft(Idev idev, int pasid) {
    }
}
