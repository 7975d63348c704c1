package org.iommufd4j.vfio;

import static org.iommufd4j.memory.PhysicalMemory.PAGE_SIZE;

import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.iommufd4j.core.CompatIoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.ioas.IoPagetable;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.ioas.IovaRange;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.vfio.VfioInfoCapHeader;
import org.iommufd4j.uapi.vfio.VfioIoctl;
import org.iommufd4j.uapi.vfio.VfioIommuType1Info;
import org.iommufd4j.uapi.vfio.VfioIommuType1InfoCapIovaRange;
import org.iommufd4j.uapi.vfio.VfioIommuType1InfoDmaAvail;
import org.iommufd4j.uapi.vfio.VfioIovaRange;

/**
 * VFIO_IOMMU_GET_INFO (vfio_compat.c iommufd_vfio_iommu_get_info).
 *
 * <ul>
 *   <li>argsz below offsetofend(iova_pgsizes) = 16 is EINVAL; ENODEV without a compat IOAS.
 *   <li>Only min(argsz, 24) bytes of the struct are written back, so a pre-capability caller
 *       (argsz 16..23) gets argsz, flags and iova_pgsizes and nothing past its struct.
 *   <li>The capability chain follows the 24-byte struct: DMA_AVAIL (12 bytes, avail U32_MAX),
 *       then IOVA_RANGE (16 bytes + 16 per usable range). A capability is written only when it
 *       fits entirely in argsz, and a {@code next} link only when the capability it is in fits, so
 *       nothing is ever written at or past argsz. {@code argsz} is written back with the size the
 *       whole chain needs, {@code cap_offset} is 24 only when all of it fitted, and flags are always
 *       PGSIZES | CAPS.
 * </ul>
 */
public final class GetInfoHandler implements CompatIoctlHandler {
    private static final StructCodec<VfioIommuType1Info> CODEC = StructCodec.of(VfioIommuType1Info.class);
    private static final StructCodec<VfioIommuType1InfoDmaAvail> DMA_AVAIL = StructCodec.of(VfioIommuType1InfoDmaAvail.class);
    private static final StructCodec<VfioIommuType1InfoCapIovaRange> IOVA_CAP = StructCodec.of(VfioIommuType1InfoCapIovaRange.class);
    private static final StructCodec<VfioIovaRange> RANGE = StructCodec.of(VfioIovaRange.class);
    /** offsetofend(struct vfio_iommu_type1_info, iova_pgsizes). */
    private static final int MINSZ = 16;
    /** The capability header's {@code next} field offset. */
    private static final int NEXT_OFFSET = 4;

    @Inject
    public GetInfoHandler() {
    }

    @Override
    public int command() {
        return VfioIoctl.VFIO_IOMMU_GET_INFO;
    }

    @Override
    public int handle(Ucmd ucmd, ByteBuffer arg) {
        VfioIommuType1Info info = CompatArgs.copyIn(arg, CODEC, MINSZ);
        long argsz = Integer.toUnsignedLong(info.argsz());
        if (argsz < MINSZ) {
            throw IommufdException.einval("vfio_iommu_type1_info.argsz " + argsz + " is below the minimum " + MINSZ);
        }
        int outLen = (int) Math.min(argsz, CODEC.size());
        Ioas ioas = VfioCompat.of(ucmd.ctx()).acquire();
        try {
            long pgsizes = pageSizes(ioas.iopt());
            List<IovaRange> ranges = ioas.iopt().iovaRanges();
            long total = CODEC.size();
            long lastCap = -1;
            for (int cap = 0; cap < 2; cap++) {
                long avail = argsz > total ? argsz - total : 0;
                long capSize = cap == 0 ? fillDmaAvail(arg, total, avail) : fillIovaRanges(arg, total, avail, ranges);
                if (lastCap >= 0 && argsz >= total) {
                    CompatArgs.put(arg, lastCap + NEXT_OFFSET, u32(total), Integer.BYTES);
                }
                lastCap = total;
                total += capSize;
            }
            int capOffset = argsz >= total ? CODEC.size() : 0;
            VfioIommuType1Info out = info.withOut((int) total, VfioIommuType1Info.FLAG_PGSIZES | VfioIommuType1Info.FLAG_CAPS,
                    pgsizes, capOffset);
            CompatArgs.copyOut(arg, CODEC, out, outLen);
            return 0;
        } finally {
            ucmd.ctx().put(ioas);
        }
    }

    /**
     * iommufd_get_pagesizes: the page sizes every domain supports; sub-page sizes fold into
     * PAGE_SIZE (vfio_update_pgsize_bitmap); never below the IOAS's IOVA alignment.
     */
    static long pageSizes(IoPagetable iopt) {
        long bitmap = -1L;
        for (PagingDomain d : iopt.domains()) {
            bitmap &= d.pgsizeBitmap();
        }
        if ((bitmap & (PAGE_SIZE - 1)) != 0) {
            bitmap &= -PAGE_SIZE;
            bitmap |= PAGE_SIZE;
        }
        long alignment = iopt.iovaAlignment();
        return Long.compareUnsigned(bitmap, alignment) >= 0 ? bitmap : alignment;
    }

    /** iommufd_fill_cap_dma_avail: written when all 12 bytes fit. */
    private static long fillDmaAvail(ByteBuffer arg, long at, long avail) {
        int size = DMA_AVAIL.size();
        if (avail >= size) {
            byte[] bytes = DMA_AVAIL.toBytes(new VfioIommuType1InfoDmaAvail(VfioInfoCapHeader.ID_DMA_AVAIL, 1, 0, -1));
            CompatArgs.put(arg, at, bytes, size);
        }
        return size;
    }

    /** iommufd_fill_cap_iova: each range written when it fits, the header when all ranges fit. */
    private static long fillIovaRanges(ByteBuffer arg, long at, long avail, List<IovaRange> ranges) {
        int header = IOVA_CAP.size();
        int each = RANGE.size();
        int n = 0;
        for (IovaRange r : ranges) {
            if (avail >= header + (long) each * (n + 1)) {
                CompatArgs.put(arg, at + header + (long) each * n, RANGE.toBytes(new VfioIovaRange(r.start(), r.last())), each);
            }
            n++;
        }
        long size = header + (long) each * n;
        if (avail >= size) {
            byte[] bytes = IOVA_CAP.toBytes(new VfioIommuType1InfoCapIovaRange(VfioInfoCapHeader.ID_IOVA_RANGE, 1, 0, n, 0));
            CompatArgs.put(arg, at, bytes, header);
        }
        return size;
    }

    private static byte[] u32(long value) {
        return ByteBuffer.allocate(Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN).putInt(0, (int) value).array();
    }
}
