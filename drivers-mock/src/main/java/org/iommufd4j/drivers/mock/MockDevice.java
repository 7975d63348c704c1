package org.iommufd4j.drivers.mock;

import org.iommufd4j.uapi.selftest.SelftestUapi;
import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_HWPT_DATA_SELFTEST;

import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.uapi.selftest.SelftestUapi.IommuHwptSelftest;
import org.iommufd4j.uapi.selftest.SelftestUapi.IommuTestHwInfo;
import org.iommufd4j.drivers.mock.pagetable.MockFormat;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.spi.DeviceCapabilities;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.HwInfo;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDomain;
import org.iommufd4j.spi.IommuViommu;
import org.iommufd4j.spi.ViommuHost;
import org.iommufd4j.spi.NestedDomain;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.spi.UserData;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwInfoType;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuHwptDataType;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;

/**
 * A mock device (selftest.c {@code mock_dev}) and the mock IOMMU's ops for it: paging domains are
 * mock-format engine tables with the selftest aperture, nested domains carry four fake IOTLB
 * entries, hw info is {@code {flags=0, test_reg=0xdeadbeef}} of type 0xfeedbeef. Device flags:
 * {@code NO_DIRTY} (no dirty tracking: DIRTY_TRACKING domains are refused) and {@code PASID}
 * (a 20-bit PASID space).
 */
final class MockDevice implements IommuDevice {
    /** selftest.c MOCK_APERTURE_START / MOCK_APERTURE_LAST: the aperture of every mock domain. */
    static final long APERTURE_START = SelftestUapi.MOCK_APERTURE_START;
    static final long APERTURE_LAST = SelftestUapi.MOCK_APERTURE_LAST;

    static final int PAGING_FLAGS = IommuHwptAllocFlags.NEST_PARENT | IommuHwptAllocFlags.DIRTY_TRACKING
            | IommuHwptAllocFlags.PASID;
    private static final StructCodec<IommuHwptSelftest> SELFTEST_DATA = StructCodec.of(IommuHwptSelftest.class);
    private static final StructCodec<IommuTestHwInfo> HW_INFO = StructCodec.of(IommuTestHwInfo.class);
    /** offsetofend(struct iommu_hwpt_selftest, iotlb) and (..., pagetable_type). */
    private static final int MIN_NESTED_DATA = 4;
    private static final int MIN_PAGING_DATA = 8;
    /** MOCK_PAGE_SIZE, MOCK_HUGE_PAGE_SIZE and the level above: one item of each level. */
    static final long DEFAULT_PAGE_SIZES = (1L << 11) | (1L << 20) | (1L << 29);

    private final HostServices host;
    private final String name;
    private final MockFormat defaultFormat;
    private final int devFlags;
    private IommuDomain attached;
    /** mock_dev.cache: four fake cache entries a vIOMMU invalidation zeroes; guarded by this. */
    private final int[] cache = new int[SelftestUapi.MOCK_DEV_CACHE_NUM];
    /** The vIOMMU of the nested domain the RID is attached to (mock_dev.viommu), or null. */
    private MockViommu viommu;
    private final Int2ObjectOpenHashMap<IommuDomain> pasids = new Int2ObjectOpenHashMap<>();

    MockDevice(HostServices host, String name, MockFormat defaultFormat, int devFlags) {
        this.host = host;
        this.name = name;
        this.defaultFormat = defaultFormat;
        this.devFlags = devFlags;
        java.util.Arrays.fill(cache, SelftestUapi.IOMMU_TEST_DEV_CACHE_DEFAULT);
    }

    /**
     * Options: {@code pagetable} (default|huge|grow: the format of domains allocated without user
     * data), {@code no-dirty} and {@code pasid} (true/false, as MOCK_FLAGS_DEVICE_NO_DIRTY/PASID).
     */
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
        int flags = 0;
        if (Boolean.parseBoolean(config.option("no-dirty", "false"))) {
            flags |= SelftestUapi.MOCK_FLAGS_DEVICE_NO_DIRTY;
        }
        if (Boolean.parseBoolean(config.option("pasid", "false"))) {
            flags |= SelftestUapi.MOCK_FLAGS_DEVICE_PASID;
        }
        return new MockDevice(host, config.name(), format, flags);
    }

    @Override
    public String name() {
        return name;
    }

    boolean noDirty() {
        return (devFlags & SelftestUapi.MOCK_FLAGS_DEVICE_NO_DIRTY) != 0;
    }

    @Override
    public DeviceCapabilities capabilities() {
        // mock_dev_create sets "pasid-num-bits" only for PASID devices; dirty unless NO_DIRTY.
        boolean pasid = (devFlags & SelftestUapi.MOCK_FLAGS_DEVICE_PASID) != 0;
        return new DeviceCapabilities(!noDirty(), pasid ? SelftestUapi.MOCK_PASID_WIDTH : 0, true);
    }

    @Override
    public PagingDomain allocPagingDomain(int hwptFlags) {
        return allocPagingDomain(hwptFlags, null);
    }

    /** mock_domain_alloc_paging_flags: the optional iommu_hwpt_selftest picks the page-table type. */
    @Override
    public PagingDomain allocPagingDomain(int hwptFlags, UserData data) {
        if ((hwptFlags & ~PAGING_FLAGS) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "mock: hwpt flags 0x" + Integer.toHexString(hwptFlags)
                    + " include unsupported bits 0x" + Integer.toHexString(hwptFlags & ~PAGING_FLAGS));
        }
        boolean dirty = (hwptFlags & IommuHwptAllocFlags.DIRTY_TRACKING) != 0;
        if (dirty && noDirty()) {
            throw new IommufdException(Errno.EOPNOTSUPP, "mock: device " + name + " has no dirty tracking"
                    + " (MOCK_FLAGS_DEVICE_NO_DIRTY)");
        }
        MockFormat format = defaultFormat;
        if (data != null && data.type() != IommuHwptDataType.NONE) {
            if (data.type() != IOMMU_HWPT_DATA_SELFTEST) {
                throw new IommufdException(Errno.EOPNOTSUPP, "mock: paging data type 0x" + Integer.toHexString(data.type())
                        + " is not IOMMU_HWPT_DATA_SELFTEST");
            }
            IommuHwptSelftest cfg = data.read(SELFTEST_DATA, MIN_PAGING_DATA);
            switch (cfg.pagetableType()) {
                case SelftestUapi.MOCK_IOMMUPT_DEFAULT:
                    format = MockFormat.DEFAULT;
                    break;
                case SelftestUapi.MOCK_IOMMUPT_HUGE:
                    format = MockFormat.HUGE;
                    break;
                default:
                    throw new IommufdException(Errno.EOPNOTSUPP, "mock: iommu_hwpt_selftest.pagetable_type "
                            + Integer.toUnsignedString(cfg.pagetableType()) + " is not DEFAULT (0) or HUGE (1)");
            }
        }
        // DEFAULT domains map only whole items of a level (2 KiB, 1 MiB, 512 MiB), never replicated
        // runs: the selftest's dirty tests map PAGE_SIZE at a time with huge pages off and expect
        // each MOCK_PAGE_SIZE to carry its own dirty bit.
        long sizes = format == MockFormat.DEFAULT ? DEFAULT_PAGE_SIZES : -1L;
        PageTable table = new PageTable(format, host.memory(), sizes, org.iommufd4j.pt.TopChangeListener.NONE);
        // selftest.c mock_domain_alloc_pgtable: the aperture is forced to [16 MiB, 2 GiB - 1].
        return new PageTableDomain(table, APERTURE_START, APERTURE_LAST, PageTableDomain.IotlbFlusher.NONE, dirty);
    }

    /** mock_domain_alloc_nested: only PASID may be asked for; the data gives the IOTLB's initial value. */
    @Override
    public NestedDomain allocNestedDomain(PagingDomain parent, int hwptFlags, UserData data) {
        return allocNestedDomain(parent, hwptFlags, data, null);
    }

    /** mock_ops.user_pasid_table = true. */
    @Override
    public boolean userPasidTable() {
        return true;
    }

    @Override
    public boolean supportsViommu(int type) {
        return type == SelftestUapi.IOMMU_VIOMMU_TYPE_SELFTEST;
    }

    /** mock_viommu_init (IOMMU_VIOMMU_TYPE_SELFTEST only). */
    @Override
    public IommuViommu allocViommu(int type, PagingDomain parent, UserData data, ViommuHost core) {
        return MockViommu.create(host, type, parent, data, core);
    }

    /** The fake cache entry {@code id} (DEV_CHECK_CACHE). */
    synchronized int cache(int id) {
        return cache[id];
    }

    /** Zeroes cache entry {@code id}, or all of them for -1 (vIOMMU invalidation). */
    synchronized void clearCache(int id) {
        if (id < 0) {
            java.util.Arrays.fill(cache, 0);
        } else {
            cache[id] = 0;
        }
    }

    /** The vIOMMU the RID's nested domain belongs to, or null (TRIGGER_VEVENT). */
    synchronized MockViommu viommu() {
        return viommu;
    }

    /** mock_domain_alloc_nested / mock_viommu_alloc_domain_nested. */
    NestedDomain allocNestedDomain(PagingDomain parent, int hwptFlags, UserData data, MockViommu through) {
        if ((hwptFlags & ~IommuHwptAllocFlags.PASID) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "mock: nested hwpt flags 0x" + Integer.toHexString(hwptFlags)
                    + " may only include IOMMU_HWPT_ALLOC_PASID");
        }
        if (!(parent instanceof PageTableDomain)) {
            throw IommufdException.einval("mock: the nesting parent is not a mock paging domain");
        }
        if (data.type() != IOMMU_HWPT_DATA_SELFTEST) {
            throw new IommufdException(Errno.EOPNOTSUPP, "mock: nested data type 0x" + Integer.toHexString(data.type())
                    + " is not IOMMU_HWPT_DATA_SELFTEST (0xdead)");
        }
        IommuHwptSelftest cfg = data.read(SELFTEST_DATA, MIN_NESTED_DATA);
        return new MockNestedDomain(parent, cfg.iotlb(), through);
    }

    /** mock_domain_hw_info: DEFAULT or SELFTEST; reports {@code {0, 0xdeadbeef}} as SELFTEST. */
    @Override
    public HwInfo hwInfo(int requestedType) {
        if (requestedType != IommuHwInfoType.DEFAULT && requestedType != SelftestUapi.IOMMU_HW_INFO_TYPE_SELFTEST) {
            throw new IommufdException(Errno.EOPNOTSUPP, "mock: no hw info of type 0x" + Integer.toHexString(requestedType));
        }
        byte[] bytes = new byte[HW_INFO.size()];
        HW_INFO.encode(new IommuTestHwInfo(0, SelftestUapi.IOMMU_HW_INFO_SELFTEST_REGVAL), ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        return new HwInfo(SelftestUapi.IOMMU_HW_INFO_TYPE_SELFTEST, bytes);
    }

    /** mock_domain_nop_attach: a domain with dirty ops cannot serve a NO_DIRTY device. */
    private void checkAttachable(IommuDomain domain) {
        PagingDomain paging = domain instanceof MockNestedDomain n ? n.parent() : domain instanceof PagingDomain p ? p : null;
        if (domain != null && paging == null) {
            throw IommufdException.einval("mock: " + domain + " is not a mock domain");
        }
        if (paging != null && paging.dirtyTrackingCapable() && noDirty()) {
            throw IommufdException.einval("mock: device " + name + " (NO_DIRTY) cannot use a domain with dirty tracking");
        }
    }

    @Override
    public synchronized void attach(PagingDomain domain) {
        attachDomain(domain);
    }

    /**
     * mock_domain_nop_attach: a nested domain of a vIOMMU needs the device's vDEVICE there first
     * (ENOENT); the device then reports its vEVENTs to that vIOMMU.
     */
    @Override
    public synchronized void attachDomain(IommuDomain domain) {
        checkAttachable(domain);
        MockViommu newViommu = domain instanceof MockNestedDomain n ? n.viommu() : null;
        if (newViommu != null && newViommu.core().virtIdOf(this).isEmpty()) {
            throw new IommufdException(Errno.ENOENT, "mock: device " + name + " has no vDEVICE in vIOMMU "
                    + newViommu.core().id() + " to attach its nested domain");
        }
        attached = domain;
        viommu = newViommu;
    }

    @Override
    public synchronized void replaceDomain(IommuDomain domain, IommuDomain old) {
        attachDomain(domain);
    }

    /**
     * mock_domain_set_dev_pasid_nop: replacing the domain of IOMMU_TEST_PASID_RESERVED fails with
     * ENOMEM on purpose (the old domain stays), so the replace rollback can be tested.
     */
    @Override
    public synchronized void setPasid(int pasid, IommuDomain domain, IommuDomain old) {
        if ((devFlags & SelftestUapi.MOCK_FLAGS_DEVICE_PASID) == 0) {
            throw IommufdException.einval("mock: device " + name + " has no PASID support");
        }
        checkAttachable(domain);
        if (pasid == SelftestUapi.IOMMU_TEST_PASID_RESERVED && old != null) {
            throw new IommufdException(Errno.ENOMEM, "mock: faked failure replacing the domain of PASID "
                    + SelftestUapi.IOMMU_TEST_PASID_RESERVED + " (IOMMU_TEST_PASID_RESERVED)");
        }
        if (pasids.get(pasid) != old) {
            throw new IllegalStateException("mock: PASID " + pasid + " holds " + pasids.get(pasid) + ", not " + old);
        }
        pasids.put(pasid, domain);
    }

    @Override
    public synchronized void removePasid(int pasid, IommuDomain domain) {
        pasids.remove(pasid);
    }

    /** The domain the RID translates through, as the mock IOMMU has it programmed. */
    synchronized IommuDomain attachedDomain() {
        return attached;
    }

    /** The domain installed for {@code pasid}, or null. */
    synchronized IommuDomain pasidDomain(int pasid) {
        return pasids.get(pasid);
    }

    @Override
    public synchronized void release() {
        attached = null;
        viommu = null;
        pasids.clear();
    }

    @Override
    public String toString() {
        return "MockDevice[" + name + ", " + defaultFormat + ", flags 0x" + Integer.toHexString(devFlags)
                + (attached != null ? ", attached" : "") + "]";
    }
}
