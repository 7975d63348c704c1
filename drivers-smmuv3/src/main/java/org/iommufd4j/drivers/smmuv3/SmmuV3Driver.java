package org.iommufd4j.drivers.smmuv3;

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
 * The ARM SMMUv3 driver. It loads and describes itself; its page-table formats ("arm-lpae-s1", "arm-lpae-s2") and paging
 * domains arrive with the page-table engine, so probing a device is refused until then.
 */
final class SmmuV3Driver implements IommuDriver {
    private final HostServices host;

    SmmuV3Driver(HostServices host) {
        this.host = host;
    }

    @Override
    public String name() {
        return SmmuV3DriverFactory.NAME;
    }

    @Override
    public DriverCapabilities capabilities() {
        return new DriverCapabilities(Set.of(), List.of(), 2);
    }

    @Override
    public IommuDevice probe(DeviceConfig config) {
        throw new IommufdException(Errno.ENODEV, name() + ": cannot probe " + config.name()
                + ": paging domains are not implemented yet (host memory " + (host.memory().size() >>> 20) + " MiB)");
    }
}
