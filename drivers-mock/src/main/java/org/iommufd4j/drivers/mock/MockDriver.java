package org.iommufd4j.drivers.mock;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.iommufd4j.drivers.mock.pagetable.MockFormat;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.DriverCapabilities;
import org.iommufd4j.spi.DriverFeature;
import org.iommufd4j.spi.ExtensionIoctl;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDriver;

/**
 * The kernel selftest's mock IOMMU driver (drivers/iommu/iommufd/selftest.c). Its paging domains
 * are engine page tables of the mock format. Device options: {@code pagetable}
 * (default|huge|grow, as iommu_hwpt_selftest.pagetable_type), {@code no-dirty} (true: the device
 * refuses dirty tracking, MOCK_FLAGS_DEVICE_NO_DIRTY), {@code pasid} (true: 20 PASID bits).
 * Adds IOMMU_TEST_CMD to {@code /dev/iommu} ({@link MockTestCmd}).
 */
final class MockDriver implements IommuDriver {
    private static final Map<String, PageTableFormat> FORMATS = formats();

    private final HostServices host;
    private final MockTestCmd testCmd;

    MockDriver(HostServices host) {
        this.host = host;
        this.testCmd = new MockTestCmd(host);
    }

    private static Map<String, PageTableFormat> formats() {
        Map<String, PageTableFormat> m = new LinkedHashMap<>();
        for (MockFormat f : List.of(MockFormat.DEFAULT, MockFormat.HUGE, MockFormat.GROWABLE)) {
            m.put(f.name(), f);
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    public String name() {
        return MockDriverFactory.NAME;
    }

    @Override
    public DriverCapabilities capabilities() {
        return new DriverCapabilities(Set.of(DriverFeature.PAGING, DriverFeature.DIRTY_TRACKING, DriverFeature.NESTING,
                DriverFeature.PASID),
                List.copyOf(FORMATS.keySet()), 0xfeedbeef);
    }

    @Override
    public Map<String, PageTableFormat> pageTableFormats() {
        return FORMATS;
    }

    /** IOMMU_TEST_CMD. */
    @Override
    public List<ExtensionIoctl<?>> extensionIoctls() {
        return List.of(testCmd);
    }

    @Override
    public IommuDevice probe(DeviceConfig config) {
        return MockDevice.probe(host, config);
    }
}
