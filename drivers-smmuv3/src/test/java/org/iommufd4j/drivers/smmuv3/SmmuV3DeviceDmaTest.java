package org.iommufd4j.drivers.smmuv3;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommufd4j.device.kit.DeviceDmaKit;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuDriverFactory;

/** The device DMA kit on the SMMUv3 driver and its invalidation queue model. */
class SmmuV3DeviceDmaTest extends DeviceDmaKit {
    @Override
    protected IommuDriverFactory factory() {
        return new SmmuV3DriverFactory();
    }

    @Override
    protected void assertQueueKeptTheIotlbCoherent(IommuDriver driver) {
        var unit = ((SmmuV3Driver) driver).iommu().unit();
        assertTrue(unit.iotlb().hits() > 0, "the device translated through the unit IOTLB");
        assertTrue(unit.executed() >= 2, "the unmap's invalidation and its wait ran through the queue");
        assertTrue(unit.errors().isEmpty(), () -> "queue errors: " + unit.errors());
    }
}
