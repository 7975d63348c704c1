package org.iommufd4j.spi;

/**
 * One IOMMU driver, made by its plugin's {@link IommuDriverFactory}. The first version of the SPI:
 * the driver describes itself and probes devices; devices allocate paging domains. Nesting,
 * vIOMMU and fault queues join as the framework grows.
 */
public interface IommuDriver {
    /** The factory's name. */
    String name();

    DriverCapabilities capabilities();

    /** Probes a device behind this IOMMU (the bus found it; the driver decides what it can do). */
    IommuDevice probe(DeviceConfig config);
}
