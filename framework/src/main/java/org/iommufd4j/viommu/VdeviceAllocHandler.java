package org.iommufd4j.viommu;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.device.Idev;
import org.iommufd4j.uapi.IommuVdeviceAlloc;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_VDEVICE_ALLOC (viommu.c iommufd_vdevice_alloc_ioctl), in the kernel's order: the vIOMMU
 * and the device (ENOENT), the same IOMMU (EINVAL), the device being unbound (ENOENT) or already
 * having a vDEVICE (EEXIST), the virt_id taken in this vIOMMU (EEXIST), the driver's init.
 * {@code virt_id > ULONG_MAX} cannot happen with a 64-bit {@code unsigned long}.
 */
public final class VdeviceAllocHandler implements IoctlHandler<IommuVdeviceAlloc> {
    private static final StructCodec<IommuVdeviceAlloc> CODEC = StructCodec.of(IommuVdeviceAlloc.class);

    @Inject
    public VdeviceAllocHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_VDEVICE_ALLOC;
    }

    @Override
    public StructCodec<IommuVdeviceAlloc> codec() {
        return CODEC;
    }

    @Override
    public IommuVdeviceAlloc handle(Ucmd ucmd, IommuVdeviceAlloc cmd) {
        Viommu viommu = ucmd.ctx().get(cmd.viommuId(), Viommu.class);
        try {
            Idev idev = ucmd.ctx().get(cmd.devId(), Idev.class);
            try {
                viommu.checkSameIommu(idev, "iommu_vdevice_alloc.dev_id");
                Vdevice vdev = ucmd.newObject(new Vdevice(viommu, idev, cmd.virtId()));
                vdev.install();
                return cmd.withOutVdeviceId(vdev.id());
            } finally {
                ucmd.ctx().put(idev);
            }
        } finally {
            ucmd.ctx().put(viommu);
        }
    }
}
