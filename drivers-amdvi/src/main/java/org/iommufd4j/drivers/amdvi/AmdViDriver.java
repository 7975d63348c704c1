package org.iommufd4j.drivers.amdvi;

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
 * The AMD-Vi driver. It loads and describes itself; its page-table formats ("amdv1", "amdv2") and paging
 * domains arrive with the page-table engine, so probing a device is refused until then.
 */
final class AmdViDriver implements IommuDriver {
    private final HostServices host;

    AmdViDriver(HostServices host) {
        this.host = host;
    }

    @Override
    public String name() {
        return AmdViDriverFactory.NAME;
    }

    @Override
    public DriverCapabilities capabilities() {
        return new DriverCapabilities(Set.of(), List.of(), 4);
    }

    @Override
    public IommuDevice probe(DeviceConfig config) {
        throw new IommufdException(Errno.ENODEV, name() + ": cannot probe " + config.name()
                + ": paging domains are not implemented yet (host memory " + (host.memory().size() >>> 20) + " MiB)");
    }
}
