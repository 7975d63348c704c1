package org.iommufd4j.drivers.amdvi;

import org.iommufd4j.drivers.amdvi.pagetable.AmdV1Format;
import org.iommufd4j.hw.Iotlb;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A device behind an AMD IOMMU. Its paging domains are engine tables of the v1 host format
 * ({@code amdv1}, DTE.Mode/root grow with the table) or the v2 guest format ({@code amdv2}: x86-64
 * paging without sign extension, as Linux uses it for PASID 0). Device options: {@code format}
 * (amdv1|amdv2, the default when no allocation flag decides, like Linux's amd_iommu=pgtbl_v1/v2),
 * {@code host-levels} (EFR.HATS: 4, 5 or 6 v1 levels, default 6), {@code guest-levels} (EFR.GATS:
 * 4 or 5 v2 levels, default 4).
 */
final class AmdViDevice implements IommuDevice {
    // include/uapi/linux/iommufd.h enum iommufd_hwpt_alloc_flags
    static final int HWPT_ALLOC_NEST_PARENT = 1 << 0;
    static final int HWPT_ALLOC_DIRTY_TRACKING = 1 << 1;
    static final int HWPT_ALLOC_PASID = 1 << 3;

    private final HostServices host;
    private final AmdIommu iommu;
    private final int deviceId;
    private final String name;
    private final boolean v2Default;
    private final int hostLevels;
    private final int guestLevels;
    private PagingDomain attached;

    private AmdViDevice(HostServices host, AmdIommu iommu, String name, boolean v2Default, int hostLevels, int guestLevels) {
        this.host = host;
        this.iommu = iommu;
        this.deviceId = AmdIommu.deviceId(name);
        this.name = name;
        this.v2Default = v2Default;
        this.hostLevels = hostLevels;
        this.guestLevels = guestLevels;
    }

    static AmdViDevice probe(HostServices host, AmdIommu iommu, DeviceConfig config) {
        String format = config.option("format", "amdv1");
        boolean v2;
        switch (format) {
            case "amdv1":
                v2 = false;
                break;
            case "amdv2":
                v2 = true;
                break;
            default:
                throw IommufdException.einval("amdvi: device " + config.name() + ": option format=" + format
                        + " is not 'amdv1' or 'amdv2'");
        }
        int hostLevels = intOption(config, "host-levels", 6, 4, 6);
        int guestLevels = intOption(config, "guest-levels", 4, 4, 5);
        return new AmdViDevice(host, iommu, config.name(), v2, hostLevels, guestLevels);
    }

    private static int intOption(DeviceConfig config, String key, int fallback, int min, int max) {
        String v = config.option(key, Integer.toString(fallback));
        int n;
        try {
            n = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < min || n > max) {
            throw IommufdException.einval("amdvi: device " + config.name() + ": option " + key + "=" + v
                    + " is not " + min + ".." + max);
        }
        return n;
    }

    @Override
    public String name() {
        return name;
    }

    /**
     * As Linux's amd_iommu_domain_alloc_paging_flags: dirty tracking and nest parents need the v1
     * table; a PASID-capable domain needs v2; no flag takes the device's default format.
     */
    @Override
    public PagingDomain allocPagingDomain(int hwptFlags) {
        boolean v2;
        switch (hwptFlags) {
            case 0:
                v2 = v2Default;
                break;
            case HWPT_ALLOC_DIRTY_TRACKING:
            case HWPT_ALLOC_NEST_PARENT:
            case HWPT_ALLOC_DIRTY_TRACKING | HWPT_ALLOC_NEST_PARENT:
                v2 = false;
                break;
            case HWPT_ALLOC_PASID:
                v2 = true;
                break;
            default:
                throw new IommufdException(Errno.EOPNOTSUPP, "amdvi: device " + name + ": hwpt flags 0x"
                        + Integer.toHexString(hwptFlags) + " are not a supported combination");
        }
        int domainId = iommu.allocDomainId();
        try {
            if (v2) {
                PageTable table = new PageTable(new X8664Format(guestLevels == 4 ? 47 : 56, false, true), host.memory());
                return new AmdDomain(iommu, table, domainId, iommu.flusherFor(domainId));
            }
            DteRoot root = new DteRoot();
            PageTable table = new PageTable(AmdV1Format.linuxDefaultWith(hostLevels), host.memory(), -1L, root);
            root.topChanged(table.topPa(), table.topLevel());
            return new AmdV1Domain(iommu, table, root, domainId, iommu.flusherFor(domainId));
        } catch (RuntimeException e) {
            iommu.freeDomainId(domainId);
            throw e;
        }
    }

    /** DMA is translated through the IOMMU's IOTLB, which only the command buffer clears. */
    @Override
    public Iotlb unitIotlb() {
        return iommu.unit().iotlb();
    }

    /**
     * Writes the DTE for {@code domain}: leaving a domain flushes the DTE and the old domain's
     * pages (Linux do_detach), entering one flushes the DTE (set_dte_entry + device_flush_dte).
     */
    @Override
    public void attach(PagingDomain domain) {
        if (attached == domain) {
            return;
        }
        if (attached instanceof AmdDomain old) {
            iommu.flushDetach(deviceId, old.domainId());
        }
        attached = domain;
        if (domain != null) {
            iommu.flushDte(deviceId);
        }
    }

    @Override
    public void release() {
        attach(null);
    }

    @Override
    public String toString() {
        return "AmdViDevice[" + name + ", default " + (v2Default ? "amdv2" : "amdv1") + ", host levels " + hostLevels
                + ", guest levels " + guestLevels + (attached != null ? ", attached" : "") + "]";
    }
}
