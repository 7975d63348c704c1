package org.iommufd4j.drivers.vtd;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.iommufd4j.drivers.vtd.pagetable.VtdSecondStageFormat;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.DriverCapabilities;
import org.iommufd4j.spi.DriverFeature;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDriver;

/**
 * The Intel VT-d driver. Paging domains are engine page tables: the second stage by default
 * (3, 4 or 5 levels), or the first stage (x86-64 paging, 4 or 5 levels) when a device is probed
 * with option {@code stage=first}. A second-stage NEST_PARENT domain carries nested domains (a
 * guest first stage, IOMMU_HWPT_DATA_VTD_S1). Device options: {@code stage} (second|first),
 * {@code levels}.
 */
final class VtdDriver implements IommuDriver {
    /** Format names, as listed in the capabilities: second stage by AGAW, first stage by width. */
    private static final Map<String, PageTableFormat> FORMATS = formats();

    private final HostServices host;
    /** The one remapping unit every device of this driver sits behind, made at the first probe. */
    private VtdIommu iommu;

    VtdDriver(HostServices host) {
        this.host = host;
    }

    private static Map<String, PageTableFormat> formats() {
        Map<String, PageTableFormat> m = new LinkedHashMap<>();
        m.put("vtd-ss-39", VtdSecondStageFormat.of(3));
        m.put("vtd-ss-48", VtdSecondStageFormat.of(4));
        m.put("vtd-ss-57", VtdSecondStageFormat.of(5));
        m.put("x86-64-48", X8664Format.fourLevel());
        m.put("x86-64-57", X8664Format.fiveLevel());
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    public String name() {
        return VtdDriverFactory.NAME;
    }

    @Override
    public DriverCapabilities capabilities() {
        return new DriverCapabilities(Set.of(DriverFeature.PAGING, DriverFeature.DIRTY_TRACKING, DriverFeature.NESTING),
                List.copyOf(FORMATS.keySet()), 1);
    }

    @Override
    public Map<String, PageTableFormat> pageTableFormats() {
        return FORMATS;
    }

    /** Linux QI_LENGTH: 256 descriptors. */
    private static final int LOG2_QUEUE_ENTRIES = 8;

    synchronized VtdIommu iommu() {
        if (iommu == null) {
            iommu = new VtdIommu(host.memory(), LOG2_QUEUE_ENTRIES);
        }
        return iommu;
    }

    @Override
    public IommuDevice probe(DeviceConfig config) {
        return VtdDevice.probe(host, iommu(), config);
    }
}
