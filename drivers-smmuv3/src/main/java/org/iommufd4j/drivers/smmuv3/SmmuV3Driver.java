package org.iommufd4j.drivers.smmuv3;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.iommufd4j.drivers.smmuv3.pagetable.ArmLpaeFormat;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.DriverCapabilities;
import org.iommufd4j.spi.DriverFeature;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDriver;

/**
 * The ARM SMMUv3 driver. Paging domains are engine page tables of the VMSAv8-64 LPAE formats:
 * stage 1 (CD.TTB0) or stage 2 (STE.S2TTB) with the 4K, 16K or 64K granule. Device options:
 * {@code format} (default {@code arm-lpae-s1-4k}), {@code ias}, {@code oas}.
 */
final class SmmuV3Driver implements IommuDriver {
    /** IOMMU_HW_INFO_TYPE_ARM_SMMUV3. */
    static final int HW_INFO_TYPE = 2;
    private static final Map<String, PageTableFormat> FORMATS = formats();

    private final HostServices host;
    /** The one SMMU every stream of this driver sits behind, made at the first probe. */
    private SmmuIommu iommu;

    SmmuV3Driver(HostServices host) {
        this.host = host;
    }

    private static Map<String, PageTableFormat> formats() {
        Map<String, PageTableFormat> m = new LinkedHashMap<>();
        for (String name : ArmLpaeFormat.NAMES) {
            m.put(name, ArmLpaeFormat.named(name, 48, 48, false));
        }
        return java.util.Collections.unmodifiableMap(m);
    }

    @Override
    public String name() {
        return SmmuV3DriverFactory.NAME;
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

    /** 256 commands (SMMU_CMDQ_BASE.LOG2SIZE = 8). */
    private static final int LOG2_COMMANDS = 8;

    synchronized SmmuIommu iommu() {
        if (iommu == null) {
            iommu = new SmmuIommu(host.memory(), LOG2_COMMANDS);
        }
        return iommu;
    }

    @Override
    public IommuDevice probe(DeviceConfig config) {
        return SmmuV3Device.probe(host, iommu(), config);
    }
}
