package org.iommufd4j.device;

import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.ioas.Ioas;

/**
 * Makes the automatic paging HWPT of an IOAS for a device (Linux {@code iommufd_hwpt_paging_alloc}
 * with {@code auto_domain}). Implemented by the {@code hwpt} package, which owns the HWPT objects;
 * the device package only decides when one is needed.
 */
public interface AutoDomainFactory {
    /**
     * Allocates the driver's default paging domain for {@code idev}, adds it to {@code ioas}'s
     * io_pagetable and returns the HWPT reserved in {@code ctx}'s table but not yet visible: the
     * caller attaches the device, then finalizes it or aborts it (which undoes everything).
     */
    Hwpt allocate(IommufdContext ctx, Ioas ioas, Idev idev);
}
