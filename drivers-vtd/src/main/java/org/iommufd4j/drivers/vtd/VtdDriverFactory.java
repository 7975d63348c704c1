package org.iommufd4j.drivers.vtd;

import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuDriverFactory;
import org.pf4j.Extension;

/** The Intel VT-d driver's entry point, found by PF4J in this plugin's jar. */
@Extension
public final class VtdDriverFactory implements IommuDriverFactory {
    static final String NAME = "vtd";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "Intel VT-d";
    }

    @Override
    public IommuDriver create(HostServices host) {
        return new VtdDriver(host);
    }
}
