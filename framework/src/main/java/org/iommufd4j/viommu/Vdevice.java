package org.iommufd4j.viommu;

import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.device.Idev;

/**
 * IOMMUFD_OBJ_VDEVICE (viommu.c {@code iommufd_vdevice}): a device's guest-visible ID
 * ({@code virt_id}: a vSID, vDeviceID or vRID) in one vIOMMU, which it holds. A device has at
 * most one; when the device is unbound first, the vDEVICE is destroyed with it and its ID
 * tombstoned (DESTROY of it is then ENOENT).
 */
public final class Vdevice extends IommufdObject {
    private final Viommu viommu;
    private final Idev idev;
    private final long virtId;
    private boolean inViommu;
    private boolean claimed;
    private boolean driverInit;
    private boolean holdsViommu;

    Vdevice(Viommu viommu, Idev idev, long virtId) {
        super(ObjectType.VDEVICE);
        this.viommu = viommu;
        this.idev = idev;
        this.virtId = virtId;
    }

    /** iommufd_vdevice_alloc after the object was reserved: claim the device, the virt_id, then the driver's init. */
    void install() {
        viommu.ref();
        holdsViommu = true;
        idev.claimVdevice(this);
        claimed = true;
        viommu.addVdevice(this);
        inViommu = true;
        viommu.ops().vdeviceInit(idev.device(), virtId);
        driverInit = true;
    }

    public Viommu viommu() {
        return viommu;
    }

    Idev idev() {
        return idev;
    }

    /** The guest ID. */
    public long virtId() {
        return virtId;
    }

    @Override
    protected void destroy() {
        if (driverInit) {
            viommu.ops().vdeviceDestroy(idev.device(), virtId);
        }
        if (inViommu) {
            viommu.removeVdevice(this);
        }
        if (claimed) {
            idev.releaseVdevice(this);
        }
        if (holdsViommu) {
            viommu.unref();
        }
    }
}
