package org.iommufd4j.viommu;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuVeventqAlloc;
import org.iommufd4j.uapi.IommuVeventqType;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_VEVENTQ_ALLOC (eventq.c iommufd_veventq_alloc): flags, __reserved or type DEFAULT
 * (EOPNOTSUPP), depth 0 or above {@link Veventq#MAX_DEPTH} (EINVAL), the vIOMMU (ENOENT), a queue of
 * that type already there (EEXIST). The fd goes into the caller's descriptor table last.
 */
public final class VeventqAllocHandler implements IoctlHandler<IommuVeventqAlloc> {
    private static final StructCodec<IommuVeventqAlloc> CODEC = StructCodec.of(IommuVeventqAlloc.class);

    @Inject
    public VeventqAllocHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_VEVENTQ_ALLOC;
    }

    @Override
    public StructCodec<IommuVeventqAlloc> codec() {
        return CODEC;
    }

    @Override
    public IommuVeventqAlloc handle(Ucmd ucmd, IommuVeventqAlloc cmd) {
        if (cmd.flags() != 0 || cmd.reserved() != 0 || cmd.type() == IommuVeventqType.DEFAULT) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_veventq_alloc: flags 0x" + Integer.toHexString(cmd.flags())
                    + " and __reserved " + cmd.reserved() + " must be 0 and type must not be IOMMU_VEVENTQ_TYPE_DEFAULT");
        }
        if (cmd.veventqDepth() == 0 || Integer.compareUnsigned(cmd.veventqDepth(), Veventq.MAX_DEPTH) > 0) {
            throw IommufdException.einval("iommu_veventq_alloc.veventq_depth " + Integer.toUnsignedString(cmd.veventqDepth())
                    + " is not in [1, " + Veventq.MAX_DEPTH + "]");
        }
        if (!(ucmd.user() instanceof UserProcess process)) {
            throw new IommufdException(Errno.EOPNOTSUPP, "IOMMU_VEVENTQ_ALLOC needs a calling process with a file table to hold the fd");
        }
        Viommu viommu = ucmd.ctx().get(cmd.viommuId(), Viommu.class);
        try {
            Veventq q = ucmd.newObject(new Veventq(viommu, cmd.type(), cmd.veventqDepth()));
            q.install();
            int fd = process.installFile("iommufd-veventq", q.fileOps());
            return cmd.withOut(q.id(), fd);
        } finally {
            ucmd.ctx().put(viommu);
        }
    }
}
