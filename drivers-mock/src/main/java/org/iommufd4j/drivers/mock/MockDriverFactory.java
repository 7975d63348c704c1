package org.iommufd4j.drivers.mock;

import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuDriverFactory;
import org.pf4j.Extension;

/** The the kernel selftest's mock IOMMU driver's entry point, found by PF4J in this plugin's jar. */
@Extension
public final class MockDriverFactory implements IommuDriverFactory {
    static final String NAME = "mock";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "the kernel selftest's mock IOMMU";
    }

    @Override
    public IommuDriver create(HostServices host) {
        return new MockDriver(host);
    }
}
