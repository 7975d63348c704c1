package org.iommufd4j.viommu;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.device.Idev;
import org.iommufd4j.hwpt.HwptPaging;
import org.iommufd4j.spi.UserData;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuViommuAlloc;
import org.iommufd4j.uapi.IommuViommuType;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_VIOMMU_ALLOC (viommu.c iommufd_viommu_alloc_ioctl), in the kernel's order: flags,
 * __reserved or type DEFAULT (EOPNOTSUPP), the device (ENOENT), the driver's support for the type
 * (EOPNOTSUPP), the HWPT (ENOENT unless HWPT_PAGING), a nest parent of the same driver (EINVAL),
 * then the driver's init with the optional data (which it may write results into).
 */
public final class ViommuAllocHandler implements IoctlHandler<IommuViommuAlloc> {
    private static final StructCodec<IommuViommuAlloc> CODEC = StructCodec.of(IommuViommuAlloc.class);

    @Inject
    public ViommuAllocHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_VIOMMU_ALLOC;
    }

    @Override
    public StructCodec<IommuViommuAlloc> codec() {
        return CODEC;
    }

    @Override
    public IommuViommuAlloc handle(Ucmd ucmd, IommuViommuAlloc cmd) {
        if (cmd.flags() != 0 || cmd.reserved() != 0 || cmd.type() == IommuViommuType.DEFAULT) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_viommu_alloc: flags 0x" + Integer.toHexString(cmd.flags())
                    + " and __reserved " + cmd.reserved() + " must be 0 and type must not be IOMMU_VIOMMU_TYPE_DEFAULT (got 0x"
                    + Integer.toHexString(cmd.type()) + ")");
        }
        if (cmd.dataLen() < 0) {
            throw IommufdException.einval("iommu_viommu_alloc.data_len " + Integer.toUnsignedString(cmd.dataLen()) + " is too large");
        }
        Idev idev = ucmd.ctx().get(cmd.devId(), Idev.class);
        try {
            if (!idev.device().supportsViommu(cmd.type())) {
                throw new IommufdException(Errno.EOPNOTSUPP, idev.device().name() + " (" + idev.driver().name()
                        + ") has no vIOMMU of type 0x" + Integer.toHexString(cmd.type()));
            }
            HwptPaging parent = ucmd.ctx().get(cmd.hwptId(), HwptPaging.class);
            try {
                if (!parent.nestParent() || parent.owner() != idev.driver()) {
                    throw IommufdException.einval("iommu_viommu_alloc.hwpt_id " + cmd.hwptId() + ": " + parent
                            + (parent.nestParent() ? " belongs to driver " + parent.owner().name()
                            : " was not allocated with IOMMU_HWPT_ALLOC_NEST_PARENT"));
                }
                UserData data = cmd.dataLen() == 0 ? null : new UserData(cmd.type(), ucmd.user(), cmd.dataUptr(), cmd.dataLen());
                Viommu viommu = ucmd.newObject(new Viommu(ucmd.ctx(), idev.driver(), parent));
                viommu.holdParent();
                viommu.install(idev.device().allocViommu(cmd.type(), parent.pagingDomain(), data, viommu));
                return cmd.withOutViommuId(viommu.id());
            } finally {
                ucmd.ctx().put(parent);
            }
        } finally {
            ucmd.ctx().put(idev);
        }
    }
}
