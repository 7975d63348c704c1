package org.iommufd4j.device;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

import it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectSortedMap;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.hw.DmaRemapper;
import org.iommufd4j.hw.DriverBugLog;
import org.iommufd4j.spi.DeviceCapabilities;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDriver;

/**
 * A device bound to a context (IOMMUFD_OBJ_DEVICE, Linux {@code iommufd_device}): the driver's
 * device, what its RID and PASIDs are attached to, and its DMA path in the hardware model. The
 * binder holds a users reference until it unbinds, so the user cannot DESTROY it (EBUSY); every
 * attachment holds one more. Attach, replace and detach go through {@link Devices}.
 */
public final class Idev extends IommufdObject {
    final IommufdContext ctx;
    private final IommuDriver driver;
    private final IommuDevice device;
    private final DeviceDma dma;
    /** What the RID is attached to; guarded by the context's attach lock. */
    Hwpt rid;
    /** PASID → HWPT; guarded by the context's attach lock. */
    final Int2ObjectSortedMap<Hwpt> pasids = new Int2ObjectAVLTreeMap<>();
    boolean unbound;
    /** The device's vDEVICE (at most one, Linux {@code idev->vdev}); guarded by this. */
    private IommufdObject vdevice;

    Idev(IommufdContext ctx, IommuDriver driver, IommuDevice device, DeviceDma dma) {
        super(ObjectType.DEVICE);
        this.ctx = ctx;
        this.driver = driver;
        this.device = device;
        this.dma = dma;
    }

    public IommufdContext context() {
        return ctx;
    }

    /** The driver the device belongs to. */
    public IommuDriver driver() {
        return driver;
    }

    /** The driver's device. */
    public IommuDevice device() {
        return device;
    }

    public DeviceCapabilities capabilities() {
        return device.capabilities();
    }

    /** The device's DMA engine: reads and writes go through the domain attached to the RID. */
    public DmaRemapper dma() {
        return dma.remapper();
    }

    /** Stale IOTLB translations the device's DMA was served (driver bugs the model caught). */
    public DriverBugLog dmaBugs() {
        return dma.bugs();
    }

    DeviceDma dmaPath() {
        return dma;
    }

    /** The HWPT the RID is attached to, or null. */
    public synchronized Hwpt attached() {
        return rid;
    }

    /** The HWPT {@code pasid} is attached to, or null. */
    public synchronized Hwpt attachedPasid(int pasid) {
        return pasids.get(pasid);
    }

    /**
     * Records {@code vdev} as this device's vDEVICE (iommufd_vdevice_alloc's {@code idev->vdev}):
     * EEXIST when it already has one, ENOENT when the device is being unbound.
     */
    public synchronized void claimVdevice(IommufdObject vdev) {
        if (unbound) {
            throw new IommufdException(Errno.ENOENT, this + " is being unbound");
        }
        if (vdevice != null) {
            throw new IommufdException(Errno.EEXIST, this + " already has " + vdevice);
        }
        vdevice = vdev;
    }

    /** Forgets {@code vdev} (it is being destroyed). */
    public synchronized void releaseVdevice(IommufdObject vdev) {
        if (vdevice == vdev) {
            vdevice = null;
        }
    }

    /** The vDEVICE of this device, or null. */
    public synchronized IommufdObject vdevice() {
        return vdevice;
    }

    @Override
    protected void destroy() {
        // Only reached from Devices.unbind (the binder's reference keeps DESTROY away), after every
        // attachment was undone.
        device.release();
    }
}
