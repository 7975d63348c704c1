package org.iommufd4j.hwpt;

import org.iommufd4j.core.IommufdObject;
import org.iommufd4j.device.Idev;
import org.iommufd4j.spi.NestedDomain;
import org.iommufd4j.spi.UserArray;
import org.iommufd4j.spi.UserData;

/**
 * An object other than a paging HWPT that HWPT_ALLOC may nest on and HWPT_INVALIDATE may target:
 * a vIOMMU (the {@code viommu} package implements it, so this package need not know it). A nested
 * HWPT allocated through it holds a users reference on it instead of on the paging parent.
 */
public interface NestingHost {
    /** The object itself (for its ID, type and users reference). */
    IommufdObject object();

    /** The nest-parent paging HWPT that translates the nested domains' output. */
    HwptPaging nestingParent();

    /**
     * Allocates the nested domain for {@code idev} (EINVAL when the device is behind another IOMMU
     * instance; the driver's own errnos otherwise).
     */
    NestedDomain allocNestedDomain(Idev idev, int hwptFlags, UserData data);

    /** IOMMU_HWPT_INVALIDATE on the object: entries handled, as {@link NestedDomain#cacheInvalidateUser}. */
    int cacheInvalidate(UserArray entries);
}
