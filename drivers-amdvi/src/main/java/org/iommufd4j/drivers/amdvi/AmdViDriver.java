package org.iommufd4j.drivers.amdvi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.iommufd4j.drivers.amdvi.pagetable.AmdV1Format;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.DriverCapabilities;
import org.iommufd4j.spi.DriverFeature;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDriver;

/**
 * The AMD-Vi driver. Paging domains are engine page tables: the v1 host format ("amdv1", default)
 * or the v2 guest format ("amdv2", x86-64 paging). Device options: {@code format},
 * {@code host-levels}, {@code guest-levels} (see {@link AmdViDevice}).
 */
final class AmdViDriver implements IommuDriver {
    /** IOMMU_HW_INFO_TYPE_AMD. */
    static final int HW_INFO_TYPE = 4;
    private static final Map<String, PageTableFormat> FORMATS = formats();

    private final HostServices host;
    /** The one IOMMU every device of this driver sits behind, made at the first probe. */
    private AmdIommu iommu;

    AmdViDriver(HostServices host) {
        this.host = host;
    }

    private static Map<String, PageTableFormat> formats() {
        Map<String, PageTableFormat> m = new LinkedHashMap<>();
        m.put("amdv1", AmdV1Format.linuxDefault());
        // Linux uses the v2 table without sign extension for PASID 0: 47 bits with 4 levels.
        m.put("amdv2", new X8664Format(47, false, true));
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    public String name() {
        return AmdViDriverFactory.NAME;
    }

    @Override
    public DriverCapabilities capabilities() {
        return new DriverCapabilities(Set.of(DriverFeature.PAGING, DriverFeature.DIRTY_TRACKING),
                List.copyOf(FORMATS.keySet()), HW_INFO_TYPE);
    }

    @Override
    public Map<String, PageTableFormat> pageTableFormats() {
        return FORMATS;
    }

    /** Linux's 8 KiB command buffer: 512 commands. */
    private static final int LOG2_COMMANDS = 9;

    synchronized AmdIommu iommu() {
        if (iommu == null) {
            iommu = new AmdIommu(host.memory(), LOG2_COMMANDS);
        }
        return iommu;
    }

    @Override
    public IommuDevice probe(DeviceConfig config) {
        return AmdViDevice.probe(host, iommu(), config);
    }
}
