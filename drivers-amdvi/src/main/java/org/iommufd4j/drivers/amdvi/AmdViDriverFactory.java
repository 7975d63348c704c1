package org.iommufd4j.drivers.amdvi;

import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuDriverFactory;
import org.pf4j.Extension;

/** The AMD-Vi driver's entry point, found by PF4J in this plugin's jar. */
@Extension
public final class AmdViDriverFactory implements IommuDriverFactory {
    static final String NAME = "amdvi";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "AMD-Vi";
    }

    @Override
    public IommuDriver create(HostServices host) {
        return new AmdViDriver(host);
    }
}
