package org.iommufd4j.vfio;

import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import org.iommufd4j.core.CompatIoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.ioas.IoPagetable;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.vfio.VfioIoctl;
import org.iommufd4j.uapi.vfio.VfioIommuType1DmaUnmap;

/**
 * VFIO_IOMMU_UNMAP_DMA (vfio_compat.c iommufd_vfio_unmap_dma): argsz below 24 or a flag other
 * than UNMAP_FLAG_ALL is EINVAL (the dirty bitmap and VADDR flags are not supported); ENODEV
 * without a compat IOAS. UNMAP_FLAG_ALL needs iova = size = 0 (else EINVAL) and unmaps
 * everything. Otherwise [iova, iova+size) is unmapped with IOAS_UNMAP's rules (ENOENT when it
 * cuts a mapping), except that a range with nothing mapped succeeds with size 0, as type1 does,
 * and that a type1 (v0) container, whose IOAS has huge pages disabled, first cuts the mappings at
 * both ends of the range, so it may unmap inside a mapping. {@code size} is written back with the bytes unmapped.
 */
public final class UnmapDmaHandler implements CompatIoctlHandler {
    private static final StructCodec<VfioIommuType1DmaUnmap> CODEC = StructCodec.of(VfioIommuType1DmaUnmap.class);
    /** offsetofend(struct vfio_iommu_type1_dma_unmap, size). */
    private static final int MINSZ = 24;

    @Inject
    public UnmapDmaHandler() {
    }

    @Override
    public int command() {
        return VfioIoctl.VFIO_IOMMU_UNMAP_DMA;
    }

    @Override
    public int handle(Ucmd ucmd, ByteBuffer arg) {
        VfioIommuType1DmaUnmap unmap = CompatArgs.copyIn(arg, CODEC, MINSZ);
        if (Integer.toUnsignedLong(unmap.argsz()) < MINSZ) {
            throw IommufdException.einval("vfio_iommu_type1_dma_unmap.argsz " + Integer.toUnsignedString(unmap.argsz())
                    + " is below the minimum " + MINSZ);
        }
        if ((unmap.flags() & ~VfioIommuType1DmaUnmap.FLAG_ALL) != 0) {
            throw IommufdException.einval("vfio_iommu_type1_dma_unmap.flags 0x" + Integer.toHexString(unmap.flags())
                    + " has bits other than UNMAP_FLAG_ALL (dirty bitmap and VADDR are not supported)");
        }
        Ioas ioas = VfioCompat.of(ucmd.ctx()).acquire();
        try {
            IoPagetable iopt = ioas.iopt();
            long unmapped;
            if ((unmap.flags() & VfioIommuType1DmaUnmap.FLAG_ALL) != 0) {
                if (unmap.iova() != 0 || unmap.size() != 0) {
                    throw IommufdException.einval("UNMAP_FLAG_ALL needs iova and size 0, got iova 0x" + Long.toHexString(unmap.iova())
                            + " size 0x" + Long.toHexString(unmap.size()));
                }
                unmapped = iopt.unmapAll();
            } else {
                if (!iopt.largePages()) {
                    // Cut at the last IOVA and before the first (no cut needed before IOVA 0).
                    long last = unmap.iova() + unmap.size() - 1;
                    if (unmap.iova() != 0) {
                        iopt.cutIova(last, unmap.iova() - 1);
                    } else {
                        iopt.cutIova(last);
                    }
                }
                unmapped = iopt.unmapInside(unmap.iova(), unmap.size());
            }
            CompatArgs.copyOut(arg, CODEC, unmap.withOutSize(unmapped), MINSZ);
            return 0;
        } finally {
            ucmd.ctx().put(ioas);
        }
    }
}
