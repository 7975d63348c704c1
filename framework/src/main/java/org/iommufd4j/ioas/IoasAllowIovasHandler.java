package org.iommufd4j.ioas;

import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuIoasAllowIovas;
import org.iommufd4j.uapi.IommuIovaRange;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/** IOMMU_IOAS_ALLOW_IOVAS (ioas.c iommufd_ioas_allow_iovas): replaces the allowed ranges with the caller's array. */
public final class IoasAllowIovasHandler implements IoctlHandler<IommuIoasAllowIovas> {
    private static final StructCodec<IommuIoasAllowIovas> CODEC = StructCodec.of(IommuIoasAllowIovas.class);

    @Inject
    public IoasAllowIovasHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_IOAS_ALLOW_IOVAS;
    }

    @Override
    public StructCodec<IommuIoasAllowIovas> codec() {
        return CODEC;
    }

    private static final StructCodec<IommuIovaRange> RANGE = StructCodec.of(IommuIovaRange.class);

    @Override
    public IommuIoasAllowIovas handle(Ucmd ucmd, IommuIoasAllowIovas cmd) {
        if (cmd.reserved() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_ioas_allow_iovas.__reserved must be 0, got " + cmd.reserved());
        }
        Ioas ioas = IoasCommon.getIoas(ucmd, cmd.ioasId());
        try {
            long count = Integer.toUnsignedLong(cmd.numIovas());
            List<IovaRange> ranges = new ArrayList<>();
            byte[] buf = new byte[RANGE.size()];
            for (long i = 0; i < count; i++) {
                ucmd.user().read(cmd.allowedIovas() + i * RANGE.size(), buf, 0, buf.length);
                IommuIovaRange r = RANGE.decode(buf);
                ranges.add(new IovaRange(r.start(), r.last()));
            }
            ioas.iopt().setAllowedIovas(ranges);
            return null;
        } finally {
            ucmd.ctx().put(ioas);
        }
    }
}
