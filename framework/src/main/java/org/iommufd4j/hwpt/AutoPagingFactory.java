package org.iommufd4j.hwpt;

import jakarta.inject.Inject;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.device.AutoDomainFactory;
import org.iommufd4j.device.Hwpt;
import org.iommufd4j.device.Idev;
import org.iommufd4j.ioas.Ioas;

/** Automatic domains are paging HWPTs with no flags and no data, marked automatic. */
final class AutoPagingFactory implements AutoDomainFactory {
    @Inject
    AutoPagingFactory() {
    }

    @Override
    public Hwpt allocate(IommufdContext ctx, Ioas ioas, Idev idev) {
        HwptPaging[] reserved = new HwptPaging[1];
        try {
            return HwptPaging.allocate(ioas, idev, 0, null, true, h -> reserved[0] = ctx.objects().reserve(h));
        } catch (RuntimeException e) {
            if (reserved[0] != null) {
                ctx.objects().abortObject(reserved[0]);
            }
            throw e;
        }
    }
}
