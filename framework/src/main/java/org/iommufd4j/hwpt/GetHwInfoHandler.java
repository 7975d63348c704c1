package org.iommufd4j.hwpt;

import jakarta.inject.Inject;
import org.iommufd4j.core.IoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.device.Idev;
import org.iommufd4j.spi.DeviceCapabilities;
import org.iommufd4j.spi.HwInfo;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwCapabilities;
import org.iommufd4j.uapi.IommuHwInfo;
import org.iommufd4j.uapi.IommuHwInfoFlags;
import org.iommufd4j.uapi.IommuHwInfoType;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_GET_HW_INFO (device.c iommufd_get_hw_info): the driver's info struct for a device. At most
 * {@code data_len} bytes are copied to {@code data_uptr} and the rest of the user's buffer is
 * zeroed; {@code data_len} comes back as the driver's full length. Unknown flags and a non-zero
 * __reserved are EOPNOTSUPP; with INPUT_TYPE an info type the driver does not have is EOPNOTSUPP.
 */
public final class GetHwInfoHandler implements IoctlHandler<IommuHwInfo> {
    private static final StructCodec<IommuHwInfo> CODEC = StructCodec.of(IommuHwInfo.class);

    @Inject
    public GetHwInfoHandler() {
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_GET_HW_INFO;
    }

    @Override
    public StructCodec<IommuHwInfo> codec() {
        return CODEC;
    }

    @Override
    public IommuHwInfo handle(Ucmd ucmd, IommuHwInfo cmd) {
        if ((cmd.flags() & ~IommuHwInfoFlags.ALL) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hw_info.flags 0x" + Integer.toHexString(cmd.flags())
                    + " has unknown bits 0x" + Integer.toHexString(cmd.flags() & ~IommuHwInfoFlags.ALL));
        }
        if (cmd.reserved() != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "iommu_hw_info.__reserved must be 0, got 0x" + Integer.toHexString(cmd.reserved()));
        }
        int requested = (cmd.flags() & IommuHwInfoFlags.INPUT_TYPE) != 0 ? cmd.dataType() : IommuHwInfoType.DEFAULT;
        Idev idev = ucmd.ctx().get(cmd.devId(), Idev.class);
        try {
            HwInfo info = idev.device().hwInfo(requested);
            byte[] data = info.data();
            long userLen = Integer.toUnsignedLong(cmd.dataLen());
            int copy = (int) Math.min(userLen, data.length);
            if (copy > 0) {
                ucmd.user().write(cmd.dataUptr(), data, 0, copy);
            }
            if (userLen > copy) {
                // Zero the trailing bytes the driver has no data for (clear_user), in page-sized steps.
                byte[] zeros = new byte[(int) Math.min(userLen - copy, 4096)];
                for (long at = copy; at < userLen; at += zeros.length) {
                    int n = (int) Math.min(zeros.length, userLen - at);
                    ucmd.user().write(cmd.dataUptr() + at, zeros, 0, n);
                }
            }
            DeviceCapabilities caps = idev.capabilities();
            long capabilities = caps.dirtyTracking() ? IommuHwCapabilities.DIRTY_TRACKING : 0;
            return cmd.withOut(data.length, info.type(), caps.maxPasidLog2(), capabilities);
        } finally {
            ucmd.ctx().put(idev);
        }
    }
}
