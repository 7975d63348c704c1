package org.iommufd4j.ioas;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.uapi.IommuIoasCopy;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/** IOMMU_IOAS_COPY (ioas.c iommufd_ioas_copy): maps pages another IOAS already has, without pinning them again. */
public final class IoasCopyHandler implements IoctlHandler<IommuIoasCopy> {
    private static final StructCodec<IommuIoasCopy> CODEC = StructCodec.of(IommuIoasCopy.class);

    @Inject
    public IoasCopyHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_IOAS_COPY;
    }

    @Override
    public StructCodec<IommuIoasCopy> codec() {
        return CODEC;
    }

    @Override
    public IommuIoasCopy handle(Ucmd ucmd, IommuIoasCopy cmd) {
        IoasCommon.checkMapFlags("iommu_ioas_copy", cmd.flags(), 0);
        IoasCommon.checkNotMax("iommu_ioas_copy", "length", cmd.length());
        IoasCommon.checkNotMax("iommu_ioas_copy", "src_iova", cmd.srcIova());
        IoasCommon.checkNotMax("iommu_ioas_copy", "dst_iova", cmd.dstIova());
        int prot = IoasCommon.prot("iommu_ioas_copy", cmd.flags());
        Ioas src = IoasCommon.getIoas(ucmd, cmd.srcIoasId());
        try {
            Ioas dst = IoasCommon.getIoas(ucmd, cmd.dstIoasId());
            try {
                long iova = dst.iopt().copyFrom(src.iopt(), cmd.srcIova(), cmd.length(), cmd.dstIova(), IoasCommon.fixed(cmd.flags()), prot);
                return cmd.withOutDstIova(iova);
            } finally {
                ucmd.ctx().put(dst);
            }
        } finally {
            ucmd.ctx().put(src);
        }
    }
}
