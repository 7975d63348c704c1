package org.iommufd4j.device;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.iommufd4j.core.ContextLocal;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.failnth.FailNth;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDomain;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * Binding devices to contexts and attaching them (Linux device.c), the Java API drivers' users call
 * (the mock's MOCK_DOMAIN, later VFIO cdev). A {@code ptId} names an IOAS, a HWPT_PAGING or a
 * HWPT_NESTED of the device's context:
 * <ul>
 *   <li>an IOAS gets an automatic HWPT: an existing automatic one of that IOAS that the device's
 *       driver accepts, else a new one; it is destroyed when its last device leaves;
 *   <li>a HWPT is used as it is, if its domain belongs to the device's driver (else EINVAL).
 * </ul>
 * Attaching what is already attached is EBUSY; replacing what is not attached is EINVAL; a replace
 * that the driver refuses leaves the old attachment. PASIDs follow the same rules, plus: the device
 * must support PASIDs, only HWPTs allocated with IOMMU_HWPT_ALLOC_PASID may be used, an IOAS is
 * EINVAL, and while PASIDs are attached the RID may only use PASID-compatible HWPTs (and the
 * reverse).
 *
 * <p>Attachments of one context are serialized by a per-context lock.
 */
@Singleton
public final class Devices {
    /** IOMMU_NO_PASID: the RID. */
    public static final int NO_PASID = 0;

    private static final ContextLocal<ReentrantLock> LOCK = ContextLocal.of(ctx -> new ReentrantLock());

    private final AutoDomainFactory autoDomains;
    private final PhysicalMemory memory;
    private final FailNth failNth;

    @Inject
    public Devices(AutoDomainFactory autoDomains, PhysicalMemory memory, FailNth failNth) {
        this.autoDomains = autoDomains;
        this.memory = memory;
        this.failNth = failNth;
    }

    // ================================================================ bind

    /**
     * Binds {@code device} of {@code driver} to {@code ctx} (iommufd_device_bind): a new, visible
     * DEVICE object whose ID the caller reports to the user. The caller holds it until {@link #unbind}
     * (as VFIO holds its iommufd_device): the user's DESTROY of it is EBUSY, and a context closed
     * while it is still bound reports it as a leaked reference. Drivers' extension ioctls hand the
     * device to a SELFTEST object instead, which unbinds it when destroyed.
     */
    public Idev bind(IommufdContext ctx, IommuDriver driver, IommuDevice device) {
        Idev idev = new Idev(ctx, driver, device, new DeviceDma(memory, device.unitIotlb()));
        ctx.objects().reserve(idev);
        // The binder is a user until unbind: DESTROY from the user is EBUSY.
        idev.ref();
        ctx.objects().finalizeObject(idev);
        return idev;
    }

    /**
     * Undoes {@link #bind} (iommufd_device_unbind): detaches every PASID and the RID, then removes
     * and destroys the DEVICE object. Idempotent.
     */
    public void unbind(Idev idev) {
        ReentrantLock lock = LOCK.get(idev.ctx);
        lock.lock();
        try {
            if (idev.unbound) {
                return;
            }
            for (int pasid : new ArrayList<>(idev.pasids.keySet())) {
                detach(idev, pasid);
            }
            detach(idev, NO_PASID);
            synchronized (idev) {
                idev.unbound = true;
            }
        } finally {
            lock.unlock();
        }
        // iommufd_device_remove_vdev: the vDEVICE goes with its device and its ID is tombstoned,
        // so the user's later DESTROY of it is ENOENT.
        IommufdObject vdev = idev.vdevice();
        if (vdev != null && !idev.ctx.objects().tombstoneIfUnused(vdev)) {
            throw new IllegalStateException(vdev + " of " + idev + " is still used at unbind");
        }
        idev.unref();
        if (!idev.ctx.objects().removeIfUnused(idev)) {
            throw new IllegalStateException(idev + " is still used by " + (idev.users() - 1) + " holder(s) at unbind");
        }
    }

    // ================================================================ attach / replace / detach

    /** Attaches the RID (iommufd_device_attach); returns the HWPT ID attached. */
    public int attach(Idev idev, int ptId) {
        return changePt(idev, NO_PASID, ptId, false);
    }

    /** Replaces the RID's attachment (iommufd_device_replace); returns the HWPT ID now attached. */
    public int replace(Idev idev, int ptId) {
        return changePt(idev, NO_PASID, ptId, true);
    }

    /** Detaches the RID (iommufd_device_detach); no-op when not attached. */
    public void detach(Idev idev) {
        detach(idev, NO_PASID);
    }

    /** Attaches {@code pasid} (iommufd_device_attach with a PASID). */
    public void attachPasid(Idev idev, int pasid, int ptId) {
        checkPasid(idev, pasid);
        changePt(idev, pasid, ptId, false);
    }

    /** Replaces the HWPT of {@code pasid}; the old one stays when this fails. */
    public void replacePasid(Idev idev, int pasid, int ptId) {
        checkPasid(idev, pasid);
        changePt(idev, pasid, ptId, true);
    }

    /** Detaches {@code pasid}; no-op when not attached. */
    public void detachPasid(Idev idev, int pasid) {
        if (pasid == NO_PASID) {
            throw new IllegalArgumentException("PASID 0 is the RID: use detach");
        }
        detach(idev, pasid);
    }

    private static void checkPasid(Idev idev, int pasid) {
        if (pasid == NO_PASID) {
            throw new IllegalArgumentException("PASID 0 is the RID: use attach/replace");
        }
        if (!idev.capabilities().validPasid(pasid)) {
            throw IommufdException.einval(idev.device().name() + ": PASID " + Integer.toUnsignedString(pasid)
                    + " is not usable (device PASID width " + idev.capabilities().maxPasidLog2() + " bits)");
        }
    }

    /** iommufd_device_change_pt: looks up {@code ptId} and attaches or replaces. */
    private int changePt(Idev idev, int pasid, int ptId, boolean replace) {
        IommufdContext ctx = idev.ctx;
        ReentrantLock lock = LOCK.get(ctx);
        Hwpt destroy;
        int attachedId;
        lock.lock();
        try {
            if (idev.unbound) {
                throw new IommufdException(Errno.ENOENT, idev + " is unbound");
            }
            IommufdObject pt = ctx.get(ptId, IommufdObject.class);
            try {
                if (pt instanceof Hwpt hwpt) {
                    destroy = replace ? doReplace(idev, pasid, hwpt) : doAttach(idev, pasid, hwpt);
                    attachedId = hwpt.id();
                } else if (pt instanceof Ioas ioas) {
                    if (pasid != NO_PASID) {
                        throw IommufdException.einval("IOAS " + ptId + " cannot be attached to PASID "
                                + Integer.toUnsignedString(pasid) + ": PASIDs take a PASID-capable HWPT");
                    }
                    Hwpt[] out = new Hwpt[1];
                    destroy = autoGetDomain(idev, ioas, replace, out);
                    attachedId = out[0].id();
                } else {
                    throw IommufdException.einval("pt_id " + ptId + " is a " + pt.type() + ", not an IOAS or a HWPT");
                }
            } finally {
                ctx.put(pt);
            }
            if (destroy != null) {
                hwptPut(ctx, destroy);
            }
        } finally {
            lock.unlock();
        }
        return attachedId;
    }

    /**
     * iommufd_device_auto_get_domain: reuse an automatic HWPT of the IOAS the device accepts (a
     * refusal with EINVAL means incompatible: try the next), else allocate one.
     */
    private Hwpt autoGetDomain(Idev idev, Ioas ioas, boolean replace, Hwpt[] attached) {
        for (Hwpt h : autoDomainsOf(idev.ctx, ioas)) {
            if (h.owner() != idev.driver()) {
                continue;
            }
            try {
                Hwpt old = replace ? doReplace(idev, NO_PASID, h) : doAttach(idev, NO_PASID, h);
                attached[0] = h;
                return old;
            } catch (IommufdException e) {
                if (e.errno() != Errno.EINVAL) {
                    throw e;
                }
            }
        }
        Hwpt h = autoDomains.allocate(idev.ctx, ioas, idev);
        Hwpt old;
        try {
            old = replace ? doReplace(idev, NO_PASID, h) : doAttach(idev, NO_PASID, h);
        } catch (RuntimeException e) {
            idev.ctx.objects().abortObject(h);
            throw e;
        }
        idev.ctx.objects().finalizeObject(h);
        attached[0] = h;
        return old;
    }

    private static List<Hwpt> autoDomainsOf(IommufdContext ctx, Ioas ioas) {
        List<Hwpt> out = new ArrayList<>();
        for (IommufdObject o : ctx.objects().snapshot()) {
            if (o instanceof Hwpt h && h.isAutoDomain() && h.ioas() == ioas) {
                out.add(h);
            }
        }
        return out;
    }

    /** The compatibility checks of iommufd_hw_pagetable_attach/iommufd_hwpt_pasid_compat. */
    private static void checkCompatible(Idev idev, int pasid, Hwpt hwpt) {
        if (hwpt.owner() != idev.driver()) {
            throw IommufdException.einval(hwpt + " belongs to driver " + hwpt.owner().name() + ", not to "
                    + idev.driver().name() + " of " + idev.device().name());
        }
        if (hwpt.enforcesDirtyTracking() && !idev.capabilities().dirtyTracking()) {
            throw IommufdException.einval(hwpt + " enforces dirty tracking but " + idev.device().name() + " cannot track dirty pages");
        }
        if (pasid == NO_PASID) {
            if (!hwpt.pasidCompat() && !idev.pasids.isEmpty()) {
                throw IommufdException.einval(hwpt + " is not PASID-compatible but " + idev + " has PASIDs "
                        + idev.pasids.keySet() + " attached");
            }
        } else {
            if (!hwpt.pasidCompat()) {
                throw IommufdException.einval(hwpt + " was not allocated with IOMMU_HWPT_ALLOC_PASID");
            }
            if (idev.rid != null && !idev.rid.pasidCompat()) {
                throw IommufdException.einval("the RID of " + idev + " is attached to " + idev.rid
                        + ", which is not PASID-compatible");
            }
        }
    }

    /** iommufd_hw_pagetable_attach; returns null (nothing to destroy). */
    private Hwpt doAttach(Idev idev, int pasid, Hwpt hwpt) {
        Hwpt current = pasid == NO_PASID ? idev.rid : idev.pasids.get(pasid);
        if (current != null) {
            throw new IommufdException(Errno.EBUSY, (pasid == NO_PASID ? "the RID" : "PASID " + Integer.toUnsignedString(pasid))
                    + " of " + idev + " is already attached to " + current + " (use replace)");
        }
        checkCompatible(idev, pasid, hwpt);
        // device.c allocates an iommufd_attach_handle before calling the IOMMU core.
        failNth.check("attach handle", Errno.ENOMEM);
        if (pasid == NO_PASID) {
            idev.device().attachDomain(hwpt.domain());
        } else {
            idev.device().setPasid(pasid, hwpt.domain(), null);
        }
        hwpt.ref();
        idev.ref();
        synchronized (idev) {
            if (pasid == NO_PASID) {
                idev.rid = hwpt;
            } else {
                idev.pasids.put(pasid, hwpt);
            }
        }
        if (pasid == NO_PASID) {
            idev.dmaPath().follow(hwpt.domain());
        }
        return null;
    }

    /** iommufd_device_do_replace; returns the HWPT replaced (the caller puts it), or null. */
    private Hwpt doReplace(Idev idev, int pasid, Hwpt hwpt) {
        Hwpt old = pasid == NO_PASID ? idev.rid : idev.pasids.get(pasid);
        if (old == null) {
            throw IommufdException.einval((pasid == NO_PASID ? "the RID" : "PASID " + Integer.toUnsignedString(pasid))
                    + " of " + idev + " is not attached: nothing to replace");
        }
        if (old == hwpt) {
            return null;
        }
        checkCompatible(idev, pasid, hwpt);
        failNth.check("attach handle", Errno.ENOMEM);
        IommuDomain oldDomain = old.domain();
        if (pasid == NO_PASID) {
            idev.device().replaceDomain(hwpt.domain(), oldDomain);
        } else {
            idev.device().setPasid(pasid, hwpt.domain(), oldDomain);
        }
        hwpt.ref();
        synchronized (idev) {
            if (pasid == NO_PASID) {
                idev.rid = hwpt;
            } else {
                idev.pasids.put(pasid, hwpt);
            }
        }
        if (pasid == NO_PASID) {
            idev.dmaPath().follow(hwpt.domain());
        }
        old.deviceLeft(idev, pasid);
        return old;
    }

    private void detach(Idev idev, int pasid) {
        ReentrantLock lock = LOCK.get(idev.ctx);
        lock.lock();
        try {
            Hwpt current;
            synchronized (idev) {
                current = pasid == NO_PASID ? idev.rid : idev.pasids.remove(pasid);
                if (pasid == NO_PASID) {
                    idev.rid = null;
                }
            }
            if (current == null) {
                return;
            }
            if (pasid == NO_PASID) {
                idev.device().attachDomain(null);
                idev.dmaPath().follow(null);
            } else {
                idev.device().removePasid(pasid, current.domain());
            }
            current.deviceLeft(idev, pasid);
            hwptPut(idev.ctx, current);
            idev.unref();
        } finally {
            lock.unlock();
        }
    }

    /**
     * iommufd_hw_pagetable_put: drops a device's reference; an automatic HWPT nobody else uses is
     * removed and destroyed.
     */
    private static void hwptPut(IommufdContext ctx, Hwpt hwpt) {
        hwpt.unref();
        if (hwpt.isAutoDomain()) {
            ctx.objects().removeIfUnused(hwpt);
        }
    }
}
