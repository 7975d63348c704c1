package org.iommufd4j.vfio;

import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import org.iommufd4j.core.CompatIoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.ioas.IoasSettings;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.spi.IommuProt;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.vfio.VfioIoctl;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaMap;

/**
 * VFIO_IOMMU_MAP_DMA (vfio_compat.c iommufd_vfio_map_dma): argsz below 32 or a flag other than
 * READ/WRITE is EINVAL; ENODEV without a compat IOAS. Maps the caller's memory at {@code vaddr}
 * to exactly {@code iova} (IOAS_MAP with FIXED_IOVA semantics: EEXIST over a mapping, EINVAL in a
 * reserved range), charged by the context's RLIMIT mode. Nothing is written back.
 */
public final class MapDmaHandler implements CompatIoctlHandler {
    private static final StructCodec<VfioIommuType1DmaMap> CODEC = StructCodec.of(VfioIommuType1DmaMap.class);
    /** offsetofend(struct vfio_iommu_type1_dma_map, size). */
    private static final int MINSZ = 32;
    private static final int SUPPORTED = VfioIommuType1DmaMap.FLAG_READ | VfioIommuType1DmaMap.FLAG_WRITE;

    @Inject
    public MapDmaHandler() {
    }

    @Override
    public int command() {
        return VfioIoctl.VFIO_IOMMU_MAP_DMA;
    }

    @Override
    public int handle(Ucmd ucmd, ByteBuffer arg) {
        VfioIommuType1DmaMap map = CompatArgs.copyIn(arg, CODEC, MINSZ);
        if (Integer.toUnsignedLong(map.argsz()) < MINSZ) {
            throw IommufdException.einval("vfio_iommu_type1_dma_map.argsz " + Integer.toUnsignedString(map.argsz())
                    + " is below the minimum " + MINSZ);
        }
        if ((map.flags() & ~SUPPORTED) != 0) {
            throw IommufdException.einval("vfio_iommu_type1_dma_map.flags 0x" + Integer.toHexString(map.flags())
                    + " has bits other than READ and WRITE (VADDR is not supported)");
        }
        int prot = IommuProt.CACHE;
        if ((map.flags() & VfioIommuType1DmaMap.FLAG_READ) != 0) {
            prot |= IommuProt.READ;
        }
        if ((map.flags() & VfioIommuType1DmaMap.FLAG_WRITE) != 0) {
            prot |= IommuProt.WRITE;
        }
        Ioas ioas = VfioCompat.of(ucmd.ctx()).acquire();
        try {
            if (!(ucmd.user() instanceof UserProcess caller)) {
                throw new IommufdException(Errno.EFAULT, "vfio_iommu_type1_dma_map.vaddr: the caller has no address space");
            }
            ioas.iopt().mapUser(caller, map.vaddr(), map.size(), map.iova(), true, prot, IoasSettings.of(ucmd.ctx()).accountMode());
            return 0;
        } finally {
            ucmd.ctx().put(ioas);
        }
    }
}
