package org.iommufd4j.drivers.amdvi;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommufd4j.device.kit.DeviceDmaKit;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuDriverFactory;

/** The device DMA kit on the AMD-Vi driver and its invalidation queue model. */
class AmdViDeviceDmaTest extends DeviceDmaKit {
    @Override
    protected IommuDriverFactory factory() {
        return new AmdViDriverFactory();
    }

    @Override
    protected void assertQueueKeptTheIotlbCoherent(IommuDriver driver) {
        var unit = ((AmdViDriver) driver).iommu().unit();
        assertTrue(unit.iotlb().hits() > 0, "the device translated through the unit IOTLB");
        assertTrue(unit.executed() >= 2, "the unmap's invalidation and its wait ran through the queue");
        assertTrue(unit.eventLog().isEmpty(), () -> "queue errors: " + unit.eventLog());
    }
}
