package org.iommufd4j.vfio;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuVfioIoas;
import org.iommufd4j.uapi.IommuVfioIoasOp;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_VFIO_IOAS (vfio_compat.c iommufd_vfio_ioas): GET the compat IOAS ID (ENODEV when none),
 * SET it to an IOAS (ENOENT when the ID is not one), CLEAR it. A non-zero {@code __reserved} or
 * an unknown op is EOPNOTSUPP.
 */
public final class VfioIoasHandler implements IoctlHandler<IommuVfioIoas> {
    private static final StructCodec<IommuVfioIoas> CODEC = StructCodec.of(IommuVfioIoas.class);

    @Inject
    public VfioIoasHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_VFIO_IOAS;
    }

    @Override
    public StructCodec<IommuVfioIoas> codec() {
        return CODEC;
    }

    @Override
    public IommuVfioIoas handle(Ucmd ucmd, IommuVfioIoas cmd) {
        if (cmd.reserved() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_vfio_ioas.__reserved must be 0, got " + cmd.reserved());
        }
        VfioCompat compat = VfioCompat.of(ucmd.ctx());
        switch (cmd.op()) {
            case IommuVfioIoasOp.GET:
                return cmd.withOutIoasId(compat.ioasId());
            case IommuVfioIoasOp.SET: {
                Ioas ioas = ucmd.ctx().get(cmd.ioasId(), Ioas.class);
                try {
                    compat.set(ioas);
                } finally {
                    ucmd.ctx().put(ioas);
                }
                return null;
            }
            case IommuVfioIoasOp.CLEAR:
                compat.clear();
                return null;
            default:
                throw new IommufdException(Errno.EOPNOTSUPP, "iommu_vfio_ioas.op " + cmd.op() + " is not GET, SET or CLEAR");
        }
    }
}
