package org.iommufd4j.drivers.mock;

import org.iommufd4j.drivers.mock.pagetable.MockFormat;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/** A mock device (selftest.c mock_dev); its paging domains are mock-format engine tables. */
final class MockDevice implements IommuDevice {
    /** selftest.c MOCK_APERTURE_START / MOCK_APERTURE_LAST: the aperture of a default mock domain. */
    static final long APERTURE_START = 1L << 24;
    static final long APERTURE_LAST = (1L << 31) - 1;

    // include/uapi/linux/iommufd.h enum iommufd_hwpt_alloc_flags
    static final int HWPT_ALLOC_NEST_PARENT = 1 << 0;
    static final int HWPT_ALLOC_DIRTY_TRACKING = 1 << 1;
    static final int HWPT_ALLOC_PASID = 1 << 3;

    private final HostServices host;
    private final String name;
    private final MockFormat format;
    private final boolean noDirty;
    private PagingDomain attached;

    private MockDevice(HostServices host, String name, MockFormat format, boolean noDirty) {
        this.host = host;
        this.name = name;
        this.format = format;
        this.noDirty = noDirty;
    }

    static MockDevice probe(HostServices host, DeviceConfig config) {
        String type = config.option("pagetable", "default");
        MockFormat format;
        switch (type) {
            case "default":
                format = MockFormat.DEFAULT;
                break;
            case "huge":
                format = MockFormat.HUGE;
                break;
            case "grow":
                format = MockFormat.GROWABLE;
                break;
            default:
                throw IommufdException.einval("mock: device " + config.name() + ": option pagetable=" + type
                        + " is not default, huge or grow");
        }
        return new MockDevice(host, config.name(), format, Boolean.parseBoolean(config.option("no-dirty", "false")));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PagingDomain allocPagingDomain(int hwptFlags) {
        int known = HWPT_ALLOC_NEST_PARENT | HWPT_ALLOC_DIRTY_TRACKING | HWPT_ALLOC_PASID;
        if ((hwptFlags & ~known) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "mock: hwpt flags 0x" + Integer.toHexString(hwptFlags)
                    + " include unsupported bits 0x" + Integer.toHexString(hwptFlags & ~known));
        }
        if (noDirty && (hwptFlags & HWPT_ALLOC_DIRTY_TRACKING) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "mock: device " + name + " has no dirty tracking"
                    + " (MOCK_FLAGS_DEVICE_NO_DIRTY)");
        }
        PageTable table = new PageTable(format, host.memory());
        // selftest.c mock_domain_alloc_pgtable: the aperture is forced to [16 MiB, 2 GiB - 1].
        return new PageTableDomain(table, APERTURE_START, APERTURE_LAST, PageTableDomain.IotlbFlusher.NONE);
    }

    @Override
    public void attach(PagingDomain domain) {
        attached = domain;
    }

    @Override
    public void release() {
        attached = null;
    }

    @Override
    public String toString() {
        return "MockDevice[" + name + ", " + format + (attached != null ? ", attached" : "") + "]";
    }
}
