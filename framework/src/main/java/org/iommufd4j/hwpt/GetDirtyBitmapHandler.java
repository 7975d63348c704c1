package org.iommufd4j.hwpt;

import jakarta.inject.Inject;
import java.util.List;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.ioas.IoPagetable;
import org.iommufd4j.ioas.IovaRange;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptGetDirtyBitmap;
import org.iommufd4j.uapi.IommuHwptGetDirtyBitmapFlags;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_HWPT_GET_DIRTY_BITMAP (iopt_read_and_clear_dirty_data, iommufd_check_iova_range): reads the
 * dirty state of [iova, iova + length) into the user's bitmap, one bit per {@code page_size} (bit
 * n is IOVA {@code iova + n * page_size}; u64 words, little-endian, so bit n is bit n % 8 of byte
 * n / 8, wherever the pointer is). Bits are only set, never cleared, as the kernel's iova_bitmap
 * does. Without NO_CLEAR the entries are cleaned.
 *
 * <p>Errors: unknown flags or __reserved EOPNOTSUPP; not a HWPT_PAGING ENOENT; an overflowing range
 * EOVERFLOW; a range or page_size misaligned to the IOAS alignment or to page_size, a zero
 * page_size, or a range not fully mapped EINVAL; no dirty ops EOPNOTSUPP.
 */
public final class GetDirtyBitmapHandler implements IoctlHandler<IommuHwptGetDirtyBitmap> {
    private static final StructCodec<IommuHwptGetDirtyBitmap> CODEC = StructCodec.of(IommuHwptGetDirtyBitmap.class);

    @Inject
    public GetDirtyBitmapHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_HWPT_GET_DIRTY_BITMAP;
    }

    @Override
    public StructCodec<IommuHwptGetDirtyBitmap> codec() {
        return CODEC;
    }

    @Override
    public IommuHwptGetDirtyBitmap handle(Ucmd ucmd, IommuHwptGetDirtyBitmap cmd) {
        if ((cmd.flags() & ~IommuHwptGetDirtyBitmapFlags.ALL) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hwpt_get_dirty_bitmap.flags 0x" + Integer.toHexString(cmd.flags())
                    + " has unknown bits");
        }
        if (cmd.reserved() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hwpt_get_dirty_bitmap.__reserved must be 0");
        }
        HwptPaging hwpt = ucmd.ctx().get(cmd.hwptId(), HwptPaging.class);
        try {
            IoPagetable iopt = hwpt.ioas().iopt();
            long iova = cmd.iova();
            long length = cmd.length();
            long pageSize = cmd.pageSize();
            checkRange(iova, length, pageSize, iopt.iovaAlignment());
            long last = iova + length - 1;
            PagingDomain domain = hwpt.pagingDomain();
            if (!domain.dirtyTrackingCapable()) {
                throw new IommufdException(Errno.EOPNOTSUPP, hwpt + " has no dirty tracking");
            }
            checkMapped(iopt.mappings(), iova, last);
            long nbits = (length - 1) / pageSize + 1;
            if (nbits > Integer.MAX_VALUE) {
                throw IommufdException.einval("iommu_hwpt_get_dirty_bitmap: " + nbits + " bits is too large a bitmap");
            }
            // The kernel pins the bitmap pages up front: an unreadable bitmap fails before anything is cleared.
            byte[] bitmap = new byte[(int) ((nbits + 7) / 8)];
            ucmd.user().read(cmd.data(), bitmap, 0, bitmap.length);
            boolean noClear = (cmd.flags() & IommuHwptGetDirtyBitmapFlags.NO_CLEAR) != 0;
            domain.readAndClearDirty(iova, length, noClear, (dirtyIova, dirtyLength) -> {
                long from = Long.compareUnsigned(dirtyIova, iova) < 0 ? iova : dirtyIova;
                long to = dirtyIova + dirtyLength - 1;
                if (Long.compareUnsigned(to, last) > 0) {
                    to = last;
                }
                if (Long.compareUnsigned(from, to) > 0) {
                    return;
                }
                long firstBit = (from - iova) / pageSize;
                long lastBit = (to - iova) / pageSize;
                for (long b = firstBit; b <= lastBit; b++) {
                    bitmap[(int) (b >>> 3)] |= (byte) (1 << (b & 7));
                }
            });
            ucmd.user().write(cmd.data(), bitmap, 0, bitmap.length);
            return null;
        } finally {
            ucmd.ctx().put(hwpt);
        }
    }

    /** iommufd_check_iova_range. */
    private static void checkRange(long iova, long length, long pageSize, long ioasAlignment) {
        if (length == 0) {
            throw IommufdException.einval("iommu_hwpt_get_dirty_bitmap.length is 0");
        }
        long last = iova + length - 1;
        if (Long.compareUnsigned(last, iova) < 0) {
            throw new IommufdException(Errno.EOVERFLOW, "iommu_hwpt_get_dirty_bitmap: iova 0x" + Long.toHexString(iova)
                    + " + length 0x" + Long.toHexString(length) + " overflows");
        }
        if (((iova | (last + 1)) & (ioasAlignment - 1)) != 0) {
            throw IommufdException.einval("iommu_hwpt_get_dirty_bitmap: [0x" + Long.toHexString(iova) + ", 0x"
                    + Long.toHexString(last) + "] is not aligned to the IOAS alignment 0x" + Long.toHexString(ioasAlignment));
        }
        if (pageSize == 0 || Long.bitCount(pageSize) != 1) {
            throw IommufdException.einval("iommu_hwpt_get_dirty_bitmap.page_size 0x" + Long.toHexString(pageSize)
                    + " is not a power of two");
        }
        if (((iova | (last + 1)) & (pageSize - 1)) != 0) {
            throw IommufdException.einval("iommu_hwpt_get_dirty_bitmap: [0x" + Long.toHexString(iova) + ", 0x"
                    + Long.toHexString(last) + "] is not aligned to page_size 0x" + Long.toHexString(pageSize));
        }
    }

    /** The range must be covered by contiguous areas (iopt_for_each_contig_area ... contig_done). */
    private static void checkMapped(List<IovaRange> mappings, long iova, long last) {
        long next = iova;
        for (IovaRange r : mappings) {
            if (Long.compareUnsigned(r.last(), next) < 0) {
                continue;
            }
            if (Long.compareUnsigned(r.start(), next) > 0) {
                break;
            }
            if (Long.compareUnsigned(r.last(), last) >= 0) {
                return;
            }
            next = r.last() + 1;
        }
        throw IommufdException.einval("iommu_hwpt_get_dirty_bitmap: IOVA 0x" + Long.toHexString(next) + " in [0x"
                + Long.toHexString(iova) + ", 0x" + Long.toHexString(last) + "] is not mapped");
    }
}
