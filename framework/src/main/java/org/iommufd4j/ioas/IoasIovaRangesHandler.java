package org.iommufd4j.ioas;

import jakarta.inject.Inject;
import java.util.List;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasIovaRanges;
import org.iommufd4j.uapi.IommuIovaRange;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/** IOMMU_IOAS_IOVA_RANGES (ioas.c iommufd_ioas_iova_ranges): the usable ranges; a short array is EMSGSIZE with the struct still copied back. */
public final class IoasIovaRangesHandler implements IoctlHandler<IommuIoasIovaRanges> {
    private static final StructCodec<IommuIoasIovaRanges> CODEC = StructCodec.of(IommuIoasIovaRanges.class);

    @Inject
    public IoasIovaRangesHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_IOAS_IOVA_RANGES;
    }

    @Override
    public StructCodec<IommuIoasIovaRanges> codec() {
        return CODEC;
    }

    private static final StructCodec<IommuIovaRange> RANGE = StructCodec.of(IommuIovaRange.class);

    @Override
    public IommuIoasIovaRanges handle(Ucmd ucmd, IommuIoasIovaRanges cmd) {
        if (cmd.reserved() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_ioas_iova_ranges.__reserved must be 0, got " + cmd.reserved());
        }
        Ioas ioas = IoasCommon.getIoas(ucmd, cmd.ioasId());
        try {
            List<IovaRange> ranges = ioas.iopt().iovaRanges();
            long capacity = Integer.toUnsignedLong(cmd.numIovas());
            for (int i = 0; i < ranges.size() && i < capacity; i++) {
                byte[] bytes = RANGE.toBytes(new IommuIovaRange(ranges.get(i).start(), ranges.get(i).last()));
                ucmd.user().write(cmd.allowedIovas() + (long) i * RANGE.size(), bytes, 0, bytes.length);
            }
            IommuIoasIovaRanges out = cmd.withOut(ranges.size(), ioas.iopt().iovaAlignment());
            if (ranges.size() > capacity) {
                throw IommufdException.withResponse(Errno.EMSGSIZE, "iommu_ioas_iova_ranges.num_iovas " + capacity
                        + " is too small for " + ranges.size() + " ranges", out);
            }
            return out;
        } finally {
            ucmd.ctx().put(ioas);
        }
    }
}
