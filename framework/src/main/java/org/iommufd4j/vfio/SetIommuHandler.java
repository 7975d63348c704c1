package org.iommufd4j.vfio;

import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import org.iommufd4j.core.CompatIoctlHandler;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.vfio.VfioExtension;
import org.iommufd4j.uapi.vfio.VfioIoctl;

/**
 * VFIO_SET_IOMMU (vfio_compat.c iommufd_vfio_set_iommu): only TYPE1_IOMMU and TYPE1v2_IOMMU
 * (else EINVAL); ENODEV without a compat IOAS, as VFIO fails without a group. Type1 (v0) may
 * unmap inside a mapping, which huge IOPTEs cannot split, so it disables huge pages on the IOAS
 * (IOMMU_OPTION_HUGE_PAGES then reads 0; EINVAL when domains already hold mappings).
 */
public final class SetIommuHandler implements CompatIoctlHandler {
    @Inject
    public SetIommuHandler() {
    }

    @Override
    public int command() {
        return VfioIoctl.VFIO_SET_IOMMU;
    }

    @Override
    public int handle(Ucmd ucmd, ByteBuffer arg) {
        long type = CompatArgs.value(arg);
        if (type != VfioExtension.TYPE1_IOMMU && type != VfioExtension.TYPE1v2_IOMMU) {
            throw IommufdException.einval("VFIO_SET_IOMMU type " + Long.toUnsignedString(type)
                    + " is not VFIO_TYPE1_IOMMU (1) or VFIO_TYPE1v2_IOMMU (3)");
        }
        Ioas ioas = VfioCompat.of(ucmd.ctx()).acquire();
        try {
            if (type == VfioExtension.TYPE1_IOMMU) {
                ioas.iopt().setLargePages(false);
            }
            return 0;
        } finally {
            ucmd.ctx().put(ioas);
        }
    }
}
