package org.iommufd4j.drivers.smmuv3;

import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuDriverFactory;
import org.pf4j.Extension;

/** The ARM SMMUv3 driver's entry point, found by PF4J in this plugin's jar. */
@Extension
public final class SmmuV3DriverFactory implements IommuDriverFactory {
    static final String NAME = "smmuv3";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "ARM SMMUv3";
    }

    @Override
    public IommuDriver create(HostServices host) {
        return new SmmuV3Driver(host);
    }
}
