package org.iommufd4j.vfio;

import jakarta.inject.Inject;
import java.nio.ByteBuffer;
import java.util.Set;
import org.iommufd4j.core.CompatIoctlHandler;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.core.Ucmd;
import org.iommufd4j.ioas.CacheCoherency;
import org.iommufd4j.ioas.Ioas;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.vfio.VfioExtension;
import org.iommufd4j.uapi.vfio.VfioIoctl;

/**
 * VFIO_CHECK_EXTENSION (vfio_compat.c iommufd_vfio_check_extension): 1 for TYPE1_IOMMU,
 * TYPE1v2_IOMMU and UNMAP_ALL; for DMA_CC_IOMMU 1 when every domain of the compat IOAS enforces
 * cache coherency (ENODEV without a compat IOAS); 0 for everything else, the obsolete
 * TYPE1_NESTING_IOMMU and the unsupported UPDATE_VADDR included.
 */
public final class CheckExtensionHandler implements CompatIoctlHandler {
    private final Set<CacheCoherency> coherency;

    @Inject
    public CheckExtensionHandler(Set<CacheCoherency> coherency) {
        this.coherency = Set.copyOf(coherency);
    }

    @Override
    public int command() {
        return VfioIoctl.VFIO_CHECK_EXTENSION;
    }

    @Override
    public int handle(Ucmd ucmd, ByteBuffer arg) {
        long type = CompatArgs.value(arg);
        if (type == VfioExtension.TYPE1_IOMMU || type == VfioExtension.TYPE1v2_IOMMU || type == VfioExtension.UNMAP_ALL) {
            return 1;
        }
        if (type == VfioExtension.DMA_CC_IOMMU) {
            return cacheCoherent(ucmd.ctx(), coherency) ? 1 : 0;
        }
        return 0;
    }

    /** iommufd_vfio_cc_iommu: ENODEV without a compat IOAS; true when no domain fails to enforce coherency. */
    static boolean cacheCoherent(IommufdContext ctx, Set<CacheCoherency> coherency) {
        Ioas ioas = VfioCompat.of(ctx).acquire();
        try {
            for (PagingDomain d : ioas.iopt().domains()) {
                if (coherency.stream().noneMatch(c -> c.enforces(d))) {
                    return false;
                }
            }
            return true;
        } finally {
            ctx.put(ioas);
        }
    }
}
