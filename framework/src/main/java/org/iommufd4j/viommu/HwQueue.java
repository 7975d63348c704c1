package org.iommufd4j.viommu;

import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.ObjectType;
import org.iommufd4j.ioas.IommufdAccess;
import org.iommufd4j.spi.IommuHwQueue;

/**
 * IOMMUFD_OBJ_HW_QUEUE (viommu.c {@code iommufd_hw_queue}): a queue the guest fills in memory of
 * the nesting parent's IOAS, which the core keeps pinned through an internal access for the
 * queue's life (so unmapping that IOVA is EBUSY). It holds its vIOMMU, and the queue its driver
 * said it depends on.
 */
public final class HwQueue extends IommufdObject {
    private final Viommu viommu;
    private IommufdAccess access;
    private long pinnedIova;
    private long pinnedLength;
    private IommuHwQueue driverQueue;
    private HwQueue dependsOn;
    private boolean holdsViommu;

    HwQueue(Viommu viommu) {
        super(ObjectType.HW_QUEUE);
        this.viommu = viommu;
    }

    void holdViommu() {
        viommu.ref();
        holdsViommu = true;
    }

    void pinned(IommufdAccess access, long iova, long length) {
        this.access = access;
        this.pinnedIova = iova;
        this.pinnedLength = length;
    }

    void install(IommuHwQueue queue, HwQueue dependency) {
        this.driverQueue = queue;
        if (dependency != null) {
            dependency.ref();
            this.dependsOn = dependency;
        }
    }

    IommuHwQueue driverQueue() {
        return driverQueue;
    }

    public Viommu viommu() {
        return viommu;
    }

    @Override
    protected void destroy() {
        if (driverQueue != null) {
            driverQueue.destroy();
            driverQueue = null;
        }
        if (dependsOn != null) {
            dependsOn.unref();
            dependsOn = null;
        }
        if (access != null) {
            access.unpinPages(pinnedIova, pinnedLength);
            access.destroyInternal();
            access = null;
        }
        if (holdsViommu) {
            viommu.unref();
        }
    }
}
