package org.iommufd4j.drivers.smmuv3;

import org.iommufd4j.drivers.smmuv3.pagetable.ArmLpaeFormat;
import org.iommufd4j.hw.Iotlb;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A stream behind an SMMUv3; its paging domains are LPAE engine tables. Device options:
 * {@code format} (one of {@link ArmLpaeFormat#NAMES}, default {@code arm-lpae-s1-4k}), {@code ias}
 * and {@code oas} (input/output bits, default 48; SMMU_IDR5.OAS, CD.T0SZ / STE.S2T0SZ).
 */
final class SmmuV3Device implements IommuDevice {
    // include/uapi/linux/iommufd.h enum iommufd_hwpt_alloc_flags
    static final int HWPT_ALLOC_NEST_PARENT = 1 << 0;
    static final int HWPT_ALLOC_DIRTY_TRACKING = 1 << 1;
    static final int HWPT_ALLOC_PASID = 1 << 3;
    static final String DEFAULT_FORMAT = "arm-lpae-s1-4k";

    private final HostServices host;
    private final SmmuIommu iommu;
    private final int sid;
    private final String name;
    private final String format;
    /** True when the device options chose the format; otherwise the allocation flags may. */
    private final boolean formatChosen;
    private final int ias;
    private final int oas;
    private PagingDomain attached;

    private SmmuV3Device(HostServices host, SmmuIommu iommu, String name, String format, boolean formatChosen, int ias,
            int oas) {
        this.host = host;
        this.iommu = iommu;
        this.sid = SmmuIommu.streamId(name);
        this.name = name;
        this.format = format;
        this.formatChosen = formatChosen;
        this.ias = ias;
        this.oas = oas;
    }

    static SmmuV3Device probe(HostServices host, SmmuIommu iommu, DeviceConfig config) {
        String format = config.option("format", DEFAULT_FORMAT);
        if (!ArmLpaeFormat.NAMES.contains(format)) {
            throw IommufdException.einval("smmuv3: device " + config.name() + ": option format=" + format
                    + " is not one of " + ArmLpaeFormat.NAMES);
        }
        int ias = intOption(config, "ias", 48);
        int oas = intOption(config, "oas", 48);
        // Validate the widths now, so a bad device is refused at probe, not at its first domain.
        ArmLpaeFormat.named(format, ias, oas, false);
        return new SmmuV3Device(host, iommu, config.name(), format, config.options().containsKey("format"), ias, oas);
    }

    private static int intOption(DeviceConfig config, String key, int fallback) {
        String v = config.option(key, Integer.toString(fallback));
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw IommufdException.einval("smmuv3: device " + config.name() + ": option " + key + "=" + v
                    + " is not a number of bits");
        }
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * As Linux's arm_smmu_domain_alloc_paging_flags: no flag gives the device's format; NEST_PARENT
     * a stage-2 table; DIRTY_TRACKING a stage-1 table whose writable leaves carry DBM (HTTU). Both
     * at once, or a flag the chosen format's stage cannot honour, is EOPNOTSUPP.
     */
    @Override
    public PagingDomain allocPagingDomain(int hwptFlags) {
        int flags = hwptFlags & ~HWPT_ALLOC_PASID;
        String chosen = format;
        boolean dbm = false;
        switch (flags) {
            case 0:
                break;
            case HWPT_ALLOC_NEST_PARENT:
                chosen = format.replace("-s1-", "-s2-");
                if (formatChosen && !chosen.equals(format)) {
                    throw unsupported(hwptFlags, "a nest parent must be a stage-2 table, the device uses " + format);
                }
                break;
            case HWPT_ALLOC_DIRTY_TRACKING:
                if (format.contains("-s2-")) {
                    throw unsupported(hwptFlags, "dirty tracking (HTTU) is offered for stage-1 tables only");
                }
                dbm = true;
                break;
            default:
                throw unsupported(hwptFlags, "unsupported flag combination");
        }
        ArmLpaeFormat f = ArmLpaeFormat.named(chosen, ias, oas, dbm);
        PageTable table = new PageTable(f, host.memory());
        try {
            return SmmuDomain.create(iommu, table, (1L << f.vaBits()) - 1);
        } catch (RuntimeException e) {
            table.destroy();
            throw e;
        }
    }

    private IommufdException unsupported(int hwptFlags, String why) {
        return new IommufdException(Errno.EOPNOTSUPP, "smmuv3: device " + name + ": hwpt flags 0x"
                + Integer.toHexString(hwptFlags) + ": " + why);
    }

    /** DMA is translated through the SMMU's TLB, which only the command queue clears. */
    @Override
    public Iotlb unitIotlb() {
        return iommu.unit().iotlb();
    }

    /**
     * Writes the STE for {@code domain} and syncs it (arm_smmu_write_ste: CMD_CFGI_STE + CMD_SYNC).
     * The old domain's TLB entries stay tagged by its ASID/VMID and go when that domain is freed.
     */
    @Override
    public void attach(PagingDomain domain) {
        if (attached == domain) {
            return;
        }
        attached = domain;
        iommu.flushSte(sid);
    }

    @Override
    public void release() {
        attach(null);
    }

    @Override
    public String toString() {
        return "SmmuV3Device[" + name + ", " + format + ", ias " + ias + ", oas " + oas + (attached != null ? ", attached" : "") + "]";
    }
}
