package org.iommufd4j.spi;

/** A device behind an IOMMU, as its driver sees it. */
public interface IommuDevice {
    String name();

    /** Allocates an empty paging domain this device can attach to. */
    PagingDomain allocPagingDomain(int hwptFlags);

    /** Makes {@code domain} translate this device's DMA (null: block all DMA). */
    void attach(PagingDomain domain);

    /** Called when the device is unbound. */
    void release();
}
