package org.iommufd4j.drivers.vtd;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.iommufd4j.device.kit.DeviceDmaKit;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuDriverFactory;

/** The device DMA kit on the VT-d driver and its invalidation queue model. */
class VtdDeviceDmaTest extends DeviceDmaKit {
    @Override
    protected IommuDriverFactory factory() {
        return new VtdDriverFactory();
    }

    @Override
    protected void assertQueueKeptTheIotlbCoherent(IommuDriver driver) {
        var unit = ((VtdDriver) driver).iommu().unit();
        assertTrue(unit.iotlb().hits() > 0, "the device translated through the unit IOTLB");
        assertTrue(unit.executed() >= 2, "the unmap's invalidation and wait ran through the queue");
        assertTrue(unit.queueErrors().isEmpty(), () -> "queue errors: " + unit.queueErrors());
    }
}
