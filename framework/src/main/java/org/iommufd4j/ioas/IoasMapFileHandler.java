package org.iommufd4j.ioas;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.memory.DmaBuf;
import org.iommufd4j.memory.ShmemFile;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasMapFile;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_IOAS_MAP_FILE (ioas.c iommufd_ioas_map_file): maps a memfd or a dma-buf of the caller; a
 * bad fd is EBADF, another kind of file EOPNOTSUPP, a revoked dma-buf ENODEV.
 */
public final class IoasMapFileHandler implements IoctlHandler<IommuIoasMapFile> {
    private static final StructCodec<IommuIoasMapFile> CODEC = StructCodec.of(IommuIoasMapFile.class);

    @Inject
    public IoasMapFileHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_IOAS_MAP_FILE;
    }

    @Override
    public StructCodec<IommuIoasMapFile> codec() {
        return CODEC;
    }

    @Override
    public IommuIoasMapFile handle(Ucmd ucmd, IommuIoasMapFile cmd) {
        IoasCommon.checkMapFlags("iommu_ioas_map_file", cmd.flags(), 0);
        IoasCommon.checkNotMax("iommu_ioas_map_file", "iova", cmd.iova());
        IoasCommon.checkNotMax("iommu_ioas_map_file", "length", cmd.length());
        int prot = IoasCommon.prot("iommu_ioas_map_file", cmd.flags());
        Ioas ioas = IoasCommon.getIoas(ucmd, cmd.ioasId());
        try {
            if (!(ucmd.user() instanceof UserProcess caller)) {
                throw new IommufdException(Errno.EBADF, "iommu_ioas_map_file.fd " + cmd.fd() + ": the caller has no open files");
            }
            if (caller.specialFile(cmd.fd()) instanceof DmaBuf dmabuf) {
                long iova = ioas.iopt().mapDmaBuf(caller, dmabuf, cmd.start(), cmd.length(), cmd.iova(), IoasCommon.fixed(cmd.flags()),
                        prot);
                return cmd.withOutIova(iova);
            }
            ShmemFile file = caller.file(cmd.fd());
            if (!file.isMemfd()) {
                throw new IommufdException(Errno.EOPNOTSUPP, "iommu_ioas_map_file.fd " + cmd.fd() + " is not a memfd");
            }
            long iova = ioas.iopt().mapFile(caller, file, cmd.start(), cmd.length(), cmd.iova(), IoasCommon.fixed(cmd.flags()), prot,
                    IoasSettings.of(ucmd.ctx()).accountMode());
            return cmd.withOutIova(iova);
        } finally {
            ucmd.ctx().put(ioas);
        }
    }
}
