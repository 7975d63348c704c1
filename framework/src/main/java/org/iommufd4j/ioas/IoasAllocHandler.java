package org.iommufd4j.ioas;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasAlloc;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/** IOMMU_IOAS_ALLOC (ioas.c iommufd_ioas_alloc_ioctl): flags must be 0. */
public final class IoasAllocHandler implements IoctlHandler<IommuIoasAlloc> {
    private static final StructCodec<IommuIoasAlloc> CODEC = StructCodec.of(IommuIoasAlloc.class);

    @Inject
    public IoasAllocHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_IOAS_ALLOC;
    }

    @Override
    public StructCodec<IommuIoasAlloc> codec() {
        return CODEC;
    }

    @Override
    public IommuIoasAlloc handle(Ucmd ucmd, IommuIoasAlloc cmd) {
        if (cmd.flags() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_ioas_alloc.flags must be 0, got 0x" + Integer.toHexString(cmd.flags()));
        }
        Ioas ioas = ucmd.newObject(new Ioas(ucmd.ctx().device().failNth()));
        return cmd.withOutIoasId(ioas.id());
    }
}
