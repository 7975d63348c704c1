package org.iommufd4j.spi;

import java.util.List;
import java.util.Map;
import org.iommufd4j.pt.PageTableFormat;

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

    /**
     * The page-table formats this driver's domains use, by the names listed in
     * {@link DriverCapabilities#pageTableFormats()} (e.g. for the format conformance kit and the
     * benchmarks). Empty by default: a driver with its own page-table code exports none.
     */
    default Map<String, PageTableFormat> pageTableFormats() {
        return Map.of();
    }

    /**
     * Ioctls this driver adds to {@code /dev/iommu} (e.g. the mock's IOMMU_TEST_CMD). The framework
     * registers them once, when the driver is loaded; a number already taken makes the load fail.
     */
    default List<ExtensionIoctl<?>> extensionIoctls() {
        return List.of();
    }
}
