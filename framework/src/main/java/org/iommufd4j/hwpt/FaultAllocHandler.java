package org.iommufd4j.hwpt;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuFaultAlloc;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_FAULT_QUEUE_ALLOC (eventq.c iommufd_fault_alloc): a FAULT object and its fd in the calling
 * process's descriptor table. flags≠0 is EOPNOTSUPP. The fd is installed last, when nothing can
 * fail any more, so a failed call leaves neither object nor descriptor.
 */
public final class FaultAllocHandler implements IoctlHandler<IommuFaultAlloc> {
    private static final StructCodec<IommuFaultAlloc> CODEC = StructCodec.of(IommuFaultAlloc.class);

    @Inject
    public FaultAllocHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_FAULT_QUEUE_ALLOC;
    }

    @Override
    public StructCodec<IommuFaultAlloc> codec() {
        return CODEC;
    }

    @Override
    public IommuFaultAlloc handle(Ucmd ucmd, IommuFaultAlloc cmd) {
        if (cmd.flags() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_fault_alloc.flags must be 0, got 0x" + Integer.toHexString(cmd.flags()));
        }
        if (!(ucmd.user() instanceof UserProcess process)) {
            throw new IommufdException(Errno.EOPNOTSUPP, "IOMMU_FAULT_QUEUE_ALLOC needs a calling process with a file table to hold the fault fd");
        }
        FaultQueue fault = ucmd.newObject(new FaultQueue());
        int fd = process.installFile("iommufd-pgfault", fault.fileOps());
        return cmd.withOut(fault.id(), fd);
    }
}
