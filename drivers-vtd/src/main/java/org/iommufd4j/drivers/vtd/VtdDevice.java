package org.iommufd4j.drivers.vtd;

import org.iommufd4j.drivers.vtd.pagetable.VtdSecondStageFormat;
import org.iommufd4j.hw.Iotlb;
import org.iommufd4j.pt.PageTable;
import org.iommufd4j.pt.PageTableFormat;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.spi.DeviceCapabilities;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.IommuDevice;
import org.iommufd4j.spi.IommuDomain;
import org.iommufd4j.spi.NestedDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.spi.UserData;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;

/**
 * A device behind a VT-d unit; its paging domains are second- or first-stage engine tables, and a
 * second-stage nest parent can carry nested domains (a guest first stage over it).
 */
final class VtdDevice implements IommuDevice {
    // include/uapi/linux/iommufd.h enum iommufd_hwpt_alloc_flags
    static final int HWPT_ALLOC_NEST_PARENT = 1 << 0;
    static final int HWPT_ALLOC_DIRTY_TRACKING = 1 << 1;
    static final int HWPT_ALLOC_PASID = 1 << 3;

    private final HostServices host;
    private final VtdIommu iommu;
    private final int sid;
    private final String name;
    private final boolean firstStage;
    private final int levels;
    private IommuDomain attached;

    private VtdDevice(HostServices host, VtdIommu iommu, int sid, String name, boolean firstStage, int levels) {
        this.host = host;
        this.iommu = iommu;
        this.sid = sid;
        this.name = name;
        this.firstStage = firstStage;
        this.levels = levels;
    }

    static VtdDevice probe(HostServices host, VtdIommu iommu, DeviceConfig config) {
        String stage = config.option("stage", "second");
        boolean first;
        switch (stage) {
            case "second":
                first = false;
                break;
            case "first":
                first = true;
                break;
            default:
                throw IommufdException.einval("vtd: device " + config.name() + ": option stage=" + stage
                        + " is not 'second' or 'first'");
        }
        String lv = config.option("levels", "4");
        int levels;
        try {
            levels = Integer.parseInt(lv);
        } catch (NumberFormatException e) {
            levels = -1;
        }
        if (levels < (first ? 4 : 3) || levels > 5) {
            throw IommufdException.einval("vtd: device " + config.name() + ": option levels=" + lv + " is not "
                    + (first ? "4 or 5 for the first stage" : "3, 4 or 5 for the second stage"));
        }
        int sid = VtdIommu.sourceId(config.name());
        return new VtdDevice(host, iommu, sid < 0 ? 0 : sid, config.name(), first, levels);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public PagingDomain allocPagingDomain(int hwptFlags) {
        int known = HWPT_ALLOC_NEST_PARENT | HWPT_ALLOC_DIRTY_TRACKING | HWPT_ALLOC_PASID;
        if ((hwptFlags & ~known) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "vtd: hwpt flags 0x" + Integer.toHexString(hwptFlags)
                    + " include unsupported bits 0x" + Integer.toHexString(hwptFlags & ~known));
        }
        if (firstStage && (hwptFlags & (HWPT_ALLOC_NEST_PARENT | HWPT_ALLOC_DIRTY_TRACKING)) != 0) {
            // Linux intel_iommu_domain_alloc_paging_flags: only second-stage tables can be nest
            // parents or track dirty pages (SSADE).
            throw new IommufdException(Errno.EOPNOTSUPP, "vtd: a first-stage domain cannot be a nest parent"
                    + " or track dirty pages (flags 0x" + Integer.toHexString(hwptFlags) + ")");
        }
        PageTableFormat format = firstStage ? new X8664Format(levels == 4 ? 48 : 57, true, true)
                : VtdSecondStageFormat.of(levels);
        PageTable table = new PageTable(format, host.memory());
        // A sign-extended first stage offers the lower half, as Linux's VT-d FS domain does. Only the
        // second stage logs writes (SSADS), so only it gets dirty ops.
        boolean dirty = (hwptFlags & HWPT_ALLOC_DIRTY_TRACKING) != 0;
        try {
            return VtdDomain.create(iommu, table, firstStage, dirty, (hwptFlags & HWPT_ALLOC_NEST_PARENT) != 0);
        } catch (RuntimeException e) {
            table.destroy();
            throw e;
        }
    }

    /** Second-stage tables have access/dirty bits (ECAP.SSADS); PASIDs are not modelled yet. */
    @Override
    public DeviceCapabilities capabilities() {
        return new DeviceCapabilities(!firstStage, 0, false);
    }

    /** DMA is translated through the unit's IOTLB, which only the invalidation queue clears. */
    @Override
    public Iotlb unitIotlb() {
        return iommu.unit().iotlb();
    }

    /** Linux intel_iommu_domain_alloc_nested: see {@link VtdNestedDomain#allocate}. */
    @Override
    public NestedDomain allocNestedDomain(PagingDomain parent, int hwptFlags, UserData data) {
        return VtdNestedDomain.allocate(iommu, name, parent, hwptFlags, data);
    }

    /**
     * Points the context entry at {@code domain}. Leaving a domain tears the old entry down as Linux's
     * domain_context_clear_one does: context cache for this source id, then the old DID's IOTLB.
     */
    @Override
    public void attach(PagingDomain domain) {
        switchTo(domain);
    }

    /**
     * Paging domains as {@link #attach}; a nested domain of this unit (intel_nested_attach_dev: a
     * domain of another unit is EINVAL) points the RID_PASID entry at the guest's first stage nested
     * over its parent, tagged with the nested DID.
     */
    @Override
    public void attachDomain(IommuDomain domain) {
        if (domain instanceof VtdNestedDomain nested) {
            if (nested.iommu() != iommu) {
                throw IommufdException.einval("vtd: " + name + ": " + nested + " belongs to another VT-d unit");
            }
            switchTo(nested);
            return;
        }
        IommuDevice.super.attachDomain(domain);
    }

    private synchronized void switchTo(IommuDomain domain) {
        if (attached != domain) {
            if (attached instanceof VtdDomain old) {
                iommu.flushDeviceContext(sid, old.did(), old.firstStage());
            } else if (attached instanceof VtdNestedDomain old) {
                iommu.flushDeviceContext(sid, old.did(), true);
            }
        }
        attached = domain;
    }

    @Override
    public void release() {
        switchTo(null);
    }

    @Override
    public String toString() {
        return "VtdDevice[" + name + ", " + (firstStage ? "first" : "second") + " stage, " + levels + " levels"
                + (attached != null ? ", attached" : "") + "]";
    }
}
