package org.iommufd4j.hwpt;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.ioas.IoPagetable;
import org.iommufd4j.ioas.IovaRange;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptSetDirtyTracking;
import org.iommufd4j.uapi.IommuHwptSetDirtyTrackingFlags;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_HWPT_SET_DIRTY_TRACKING (iommufd_hwpt_set_dirty_tracking, iopt_set_dirty_tracking): unknown
 * flags or __reserved are EOPNOTSUPP, anything but a HWPT_PAGING is ENOENT, a domain without dirty
 * ops is EOPNOTSUPP. Enabling first cleans every mapped range, so tracking starts from a clean
 * snapshot.
 */
public final class SetDirtyTrackingHandler implements IoctlHandler<IommuHwptSetDirtyTracking> {
    private static final StructCodec<IommuHwptSetDirtyTracking> CODEC = StructCodec.of(IommuHwptSetDirtyTracking.class);

    @Inject
    public SetDirtyTrackingHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_HWPT_SET_DIRTY_TRACKING;
    }

    @Override
    public StructCodec<IommuHwptSetDirtyTracking> codec() {
        return CODEC;
    }

    @Override
    public IommuHwptSetDirtyTracking handle(Ucmd ucmd, IommuHwptSetDirtyTracking cmd) {
        if ((cmd.flags() & ~IommuHwptSetDirtyTrackingFlags.ALL) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hwpt_set_dirty_tracking.flags 0x" + Integer.toHexString(cmd.flags())
                    + " has unknown bits");
        }
        if (cmd.reserved() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hwpt_set_dirty_tracking.__reserved must be 0");
        }
        HwptPaging hwpt = ucmd.ctx().get(cmd.hwptId(), HwptPaging.class);
        try {
            PagingDomain domain = hwpt.pagingDomain();
            if (!domain.dirtyTrackingCapable()) {
                throw new IommufdException(Errno.EOPNOTSUPP, hwpt + " has no dirty tracking (allocate it with"
                        + " IOMMU_HWPT_ALLOC_DIRTY_TRACKING)");
            }
            boolean enable = (cmd.flags() & IommuHwptSetDirtyTrackingFlags.ENABLE) != 0;
            if (enable) {
                IoPagetable iopt = hwpt.ioas().iopt();
                for (IovaRange r : iopt.mappings()) {
                    domain.readAndClearDirty(r.start(), r.last() - r.start() + 1, false, (iova, length) -> { });
                }
            }
            domain.setDirtyTracking(enable);
            return null;
        } finally {
            ucmd.ctx().put(hwpt);
        }
    }
}
