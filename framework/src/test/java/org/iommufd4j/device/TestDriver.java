package org.iommufd4j.device;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.spi.DeviceCapabilities;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.DriverCapabilities;
import org.iommufd4j.spi.DriverFeature;
import org.iommufd4j.spi.ExtensionIoctl;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDomain;
import org.iommufd4j.spi.IommuDriver;
import org.iommufd4j.spi.IommuDriverFactory;
import org.iommufd4j.spi.NestedDomain;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.spi.UserData;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommufdException;

/**
 * A small driver for framework tests: x86-64 paging domains, nested domains that accept any data
 * of type 7, PASIDs when the device option {@code pasid=true}, and a switch to make the next
 * replace fail. It counts the domains it allocated and freed, so tests can check for leaks.
 */
public final class TestDriver implements IommuDriver {
    public static final int DATA_TYPE = 7;

    private final String name;
    private final HostServices host;
    private final List<ExtensionIoctl<?>> extensions;
    public int domainsAllocated;
    public int domainsFreed;

    TestDriver(String name, HostServices host, List<ExtensionIoctl<?>> extensions) {
        this.name = name;
        this.host = host;
        this.extensions = extensions;
    }

    /** A machine with test drivers of these names (each a separate driver). */
    public static IommufdComponent machine(String... names) {
        return machine(Map.of(), names);
    }

    /** As {@link #machine(String...)}, with extension ioctls per driver name. */
    public static IommufdComponent machine(Map<String, List<ExtensionIoctl<?>>> extensions, String... names) {
        List<IommuDriverFactory> factories = new ArrayList<>();
        for (String n : names) {
            factories.add(new IommuDriverFactory() {
                @Override
                public String name() {
                    return n;
                }

                @Override
                public String description() {
                    return "framework test driver " + n;
                }

                @Override
                public IommuDriver create(HostServices host) {
                    return new TestDriver(n, host, extensions.getOrDefault(n, List.of()));
                }
            });
        }
        return IommufdComponent.create(new MachineConfig(256L << 20, Path.of("no-plugins"), factories));
    }

    public static TestDriver of(IommufdComponent machine, String name) {
        return (TestDriver) machine.drivers().driver(name).orElseThrow().driver();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DriverCapabilities capabilities() {
        return new DriverCapabilities(Set.of(DriverFeature.PAGING, DriverFeature.NESTING, DriverFeature.PASID), List.of(), 0);
    }

    @Override
    public List<ExtensionIoctl<?>> extensionIoctls() {
        return extensions;
    }

    @Override
    public Device probe(DeviceConfig config) {
        Device d = new Device(config.name(), Boolean.parseBoolean(config.option("pasid", "false")));
        d.useUnitIotlb = Boolean.parseBoolean(config.option("unit-iotlb", "false"));
        return d;
    }

    /**
     * The IOTLB of devices probed with {@code unit-iotlb=true}: the driver owns it and, being a test
     * driver with no invalidation queue, never invalidates it.
     */
    public final org.iommufd4j.hw.Iotlb unitIotlb = new org.iommufd4j.hw.Iotlb(64);

    /** A test device; {@link #failNextReplace} makes the next RID or PASID replace fail with ENOMEM. */
    public final class Device implements IommuDevice {
        private final String devName;
        private final boolean pasid;
        public IommuDomain attached;
        public final Map<Integer, IommuDomain> pasids = new HashMap<>();
        public boolean failNextReplace;
        public boolean released;
        boolean useUnitIotlb;

        Device(String devName, boolean pasid) {
            this.devName = devName;
            this.pasid = pasid;
        }

        @Override
        public String name() {
            return devName;
        }

        @Override
        public DeviceCapabilities capabilities() {
            return new DeviceCapabilities(false, pasid ? 8 : 0, false);
        }

        @Override
        public org.iommufd4j.hw.Iotlb unitIotlb() {
            return useUnitIotlb ? unitIotlb : null;
        }

        @Override
        public PagingDomain allocPagingDomain(int hwptFlags) {
            int known = IommuHwptAllocFlags.NEST_PARENT | IommuHwptAllocFlags.PASID;
            if ((hwptFlags & ~known) != 0) {
                throw new IommufdException(Errno.EOPNOTSUPP, "test: flags 0x" + Integer.toHexString(hwptFlags));
            }
            int tag = ++domainsAllocated;
            return new PageTableDomain(new PageTable(X8664Format.fourLevel(), host.memory())) {
                @Override
                public int iotlbTag() {
                    return tag;
                }

                @Override
                public synchronized void free() {
                    domainsFreed++;
                    super.free();
                }
            };
        }

        @Override
        public NestedDomain allocNestedDomain(PagingDomain parent, int hwptFlags, UserData data) {
            if (data.type() != DATA_TYPE) {
                throw new IommufdException(Errno.EOPNOTSUPP, "test: data type " + data.type());
            }
            domainsAllocated++;
            return new NestedDomain() {
                @Override
                public PagingDomain parent() {
                    return parent;
                }

                @Override
                public void free() {
                    domainsFreed++;
                }
            };
        }

        @Override
        public void attach(PagingDomain domain) {
            attachDomain(domain);
        }

        @Override
        public void attachDomain(IommuDomain domain) {
            attached = domain;
        }

        @Override
        public void replaceDomain(IommuDomain domain, IommuDomain old) {
            if (failNextReplace) {
                failNextReplace = false;
                throw new IommufdException(Errno.ENOMEM, "test: replace refused");
            }
            attached = domain;
        }

        @Override
        public void setPasid(int p, IommuDomain domain, IommuDomain old) {
            if (old != null && failNextReplace) {
                failNextReplace = false;
                throw new IommufdException(Errno.ENOMEM, "test: PASID replace refused");
            }
            pasids.put(p, domain);
        }

        @Override
        public void removePasid(int p, IommuDomain domain) {
            pasids.remove(p);
        }

        @Override
        public void release() {
            released = true;
        }
    }
}
