package org.iommufd4j.viommu;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.ioas.AccessFlags;
import org.iommufd4j.ioas.IommufdAccess;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.spi.IommuHwQueue;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwQueueAlloc;
import org.iommufd4j.uapi.IommuHwQueueType;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_HW_QUEUE_ALLOC (viommu.c iommufd_hw_queue_alloc_ioctl), in the kernel's order: flags or
 * type DEFAULT (EOPNOTSUPP), length 0 (EINVAL), iova + length - 1 wrapping (EOVERFLOW), the vIOMMU
 * (ENOENT), the driver's support for the type (EOPNOTSUPP), then the pin of the whole pages under
 * the range through an internal access on the parent's IOAS (ENOENT where nothing is mapped,
 * EFAULT when not physically contiguous), then the driver's init with the physical address.
 */
public final class HwQueueAllocHandler implements IoctlHandler<IommuHwQueueAlloc> {
    private static final StructCodec<IommuHwQueueAlloc> CODEC = StructCodec.of(IommuHwQueueAlloc.class);
    private static final long PAGE = PhysicalMemory.PAGE_SIZE;

    /** The internal access's unmap: it never lets go, so an unmap of pinned queue memory is EBUSY. */
    private static final IommufdAccess.Ops PIN_ONLY = new IommufdAccess.Ops() {
        @Override
        public boolean needsPinPages() {
            return true;
        }

        @Override
        public void unmap(long iova, long length) {
            // User space must not unmap a live HW queue's memory (iommufd_hw_queue_access_ops has no unmap).
        }
    };

    @Inject
    public HwQueueAllocHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_HW_QUEUE_ALLOC;
    }

    @Override
    public StructCodec<IommuHwQueueAlloc> codec() {
        return CODEC;
    }

    @Override
    public IommuHwQueueAlloc handle(Ucmd ucmd, IommuHwQueueAlloc cmd) {
        if (cmd.flags() != 0 || cmd.type() == IommuHwQueueType.DEFAULT) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hw_queue_alloc: flags 0x" + Integer.toHexString(cmd.flags())
                    + " must be 0 and type must not be IOMMU_HW_QUEUE_TYPE_DEFAULT");
        }
        if (cmd.length() == 0) {
            throw IommufdException.einval("iommu_hw_queue_alloc.length must not be 0");
        }
        long iova = cmd.nestingParentIova();
        if (Long.compareUnsigned(iova + cmd.length() - 1, iova) < 0) {
            throw new IommufdException(Errno.EOVERFLOW, "iommu_hw_queue_alloc: nesting_parent_iova 0x" + Long.toHexString(iova)
                    + " + length 0x" + Long.toHexString(cmd.length()) + " overflows");
        }
        long pinStart = iova & -PAGE;
        long offset = iova - pinStart;
        long pinLength = (offset + cmd.length() + PAGE - 1) & -PAGE;
        if (pinLength == 0 || Long.compareUnsigned(pinStart + pinLength - 1, pinStart) < 0) {
            throw new IommufdException(Errno.ERANGE, "iommu_hw_queue_alloc: the pages under 0x" + Long.toHexString(iova)
                    + " + 0x" + Long.toHexString(cmd.length()) + " cannot be counted");
        }
        Viommu viommu = ucmd.ctx().get(cmd.viommuId(), Viommu.class);
        try {
            if (!viommu.ops().supportsHwQueue(cmd.type())) {
                throw new IommufdException(Errno.EOPNOTSUPP, viommu + " takes no HW queue of type 0x" + Integer.toHexString(cmd.type()));
            }
            HwQueue queue = ucmd.newObject(new HwQueue(viommu));
            queue.holdViommu();
            IommufdAccess access = IommufdAccess.createInternal(ucmd.ctx(), PIN_ONLY);
            long[] pfns;
            try {
                access.attach(viommu.nestingParent().ioas().id());
                pfns = access.pinPages(pinStart, pinLength, AccessFlags.WRITE);
            } catch (RuntimeException e) {
                access.destroyInternal();
                throw e;
            }
            queue.pinned(access, pinStart, pinLength);
            for (int i = 1; i < pfns.length; i++) {
                if (pfns[i] != pfns[0] + i) {
                    throw new IommufdException(Errno.EFAULT, "iommu_hw_queue_alloc: the queue memory at IOVA 0x"
                            + Long.toHexString(iova) + " is not physically contiguous (page " + i + ")");
                }
            }
            long basePa = (pfns[0] << PhysicalMemory.PAGE_SHIFT) + offset;
            IommuHwQueue driverQueue = viommu.ops().hwQueueInit(cmd.type(), cmd.index(), iova, basePa, cmd.length());
            queue.install(driverQueue, dependencyOf(ucmd, viommu, driverQueue));
            return cmd.withOutHwQueueId(queue.id());
        } finally {
            ucmd.ctx().put(viommu);
        }
    }

    /** iommufd_hw_queue_depend: the HW_QUEUE object of the driver queue this one depends on. */
    private static HwQueue dependencyOf(Ucmd ucmd, Viommu viommu, IommuHwQueue driverQueue) {
        IommuHwQueue dep = driverQueue.dependsOn();
        if (dep == null) {
            return null;
        }
        for (IommufdObject o : ucmd.ctx().objects().snapshot()) {
            if (o instanceof HwQueue q && q.viommu() == viommu && q.driverQueue() == dep) {
                return q;
            }
        }
        driverQueue.destroy();
        throw new IllegalStateException(viommu.owner().name() + ": a HW queue depends on a queue of no HW_QUEUE object");
    }
}
