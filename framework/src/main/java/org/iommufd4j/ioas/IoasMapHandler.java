package org.iommufd4j.ioas;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/** IOMMU_IOAS_MAP (ioas.c iommufd_ioas_map): maps the caller's memory; writes the IOVA back. */
public final class IoasMapHandler implements IoctlHandler<IommuIoasMap> {
    private static final StructCodec<IommuIoasMap> CODEC = StructCodec.of(IommuIoasMap.class);

    @Inject
    public IoasMapHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_IOAS_MAP;
    }

    @Override
    public StructCodec<IommuIoasMap> codec() {
        return CODEC;
    }

    @Override
    public IommuIoasMap handle(Ucmd ucmd, IommuIoasMap cmd) {
        IoasCommon.checkMapFlags("iommu_ioas_map", cmd.flags(), cmd.reserved());
        IoasCommon.checkNotMax("iommu_ioas_map", "iova", cmd.iova());
        IoasCommon.checkNotMax("iommu_ioas_map", "length", cmd.length());
        int prot = IoasCommon.prot("iommu_ioas_map", cmd.flags());
        Ioas ioas = IoasCommon.getIoas(ucmd, cmd.ioasId());
        try {
            UserProcess caller = IoasCommon.caller(ucmd, "iommu_ioas_map.user_va");
            long iova = ioas.iopt().mapUser(caller, cmd.userVa(), cmd.length(), cmd.iova(), IoasCommon.fixed(cmd.flags()), prot,
                    IoasSettings.of(ucmd.ctx()).accountMode());
            return cmd.withOutIova(iova);
        } finally {
            ucmd.ctx().put(ioas);
        }
    }
}
