package org.iommufd4j.drivers.mock;

import java.util.List;
import java.util.Set;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.DriverCapabilities;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * The the kernel selftest's mock IOMMU driver. It loads and describes itself; its page-table formats ("mock") and paging
 * domains arrive with the page-table engine, so probing a device is refused until then.
 */
final class MockDriver implements IommuDriver {
    private final HostServices host;

    MockDriver(HostServices host) {
        this.host = host;
    }

    @Override
    public String name() {
        return MockDriverFactory.NAME;
    }

    @Override
    public DriverCapabilities capabilities() {
        return new DriverCapabilities(Set.of(), List.of(), 0xfeedbeef);
    }

    @Override
    public IommuDevice probe(DeviceConfig config) {
        throw new IommufdException(Errno.ENODEV, name() + ": cannot probe " + config.name()
                + ": paging domains are not implemented yet (host memory " + (host.memory().size() >>> 20) + " MiB)");
    }
}
