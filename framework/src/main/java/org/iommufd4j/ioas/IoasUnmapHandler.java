package org.iommufd4j.ioas;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.uapi.IommuIoasUnmap;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/** IOMMU_IOAS_UNMAP (ioas.c iommufd_ioas_unmap): iova 0 with length U64_MAX unmaps everything; writes the bytes unmapped back. */
public final class IoasUnmapHandler implements IoctlHandler<IommuIoasUnmap> {
    private static final StructCodec<IommuIoasUnmap> CODEC = StructCodec.of(IommuIoasUnmap.class);

    @Inject
    public IoasUnmapHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_IOAS_UNMAP;
    }

    @Override
    public StructCodec<IommuIoasUnmap> codec() {
        return CODEC;
    }

    @Override
    public IommuIoasUnmap handle(Ucmd ucmd, IommuIoasUnmap cmd) {
        Ioas ioas = IoasCommon.getIoas(ucmd, cmd.ioasId());
        try {
            long unmapped;
            if (cmd.iova() == 0 && cmd.length() == -1L) {
                unmapped = ioas.iopt().unmapAll();
            } else {
                IoasCommon.checkNotMax("iommu_ioas_unmap", "iova", cmd.iova());
                IoasCommon.checkNotMax("iommu_ioas_unmap", "length", cmd.length());
                unmapped = ioas.iopt().unmap(cmd.iova(), cmd.length());
            }
            return cmd.withOutLength(unmapped);
        } finally {
            ucmd.ctx().put(ioas);
        }
    }
}
