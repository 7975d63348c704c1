package org.iommufd4j.drivers.vtd;

import org.iommufd4j.hw.TranslationRoot;
import org.iommufd4j.pt.format.X8664Format;
import org.iommufd4j.spi.InvalidationError;
import org.iommufd4j.spi.NestedDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.spi.UserArray;
import org.iommufd4j.spi.UserData;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptDataType;
import org.iommufd4j.uapi.IommuHwptInvalidateDataType;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.vendor.IommuHwptVtdS1;
import org.iommufd4j.uapi.vendor.IommuHwptVtdS1Flags;
import org.iommufd4j.uapi.vendor.IommuHwptVtdS1Invalidate;
import org.iommufd4j.uapi.vendor.IommuHwptVtdS1InvalidateFlags;

/**
 * A VT-d nested domain (Linux drivers/iommu/intel/nested.c): the guest's first-stage table (x86-64
 * paging, 4 or 5 levels) at guest-physical {@code pgtbl_addr}, translated through the parent's
 * second stage (PASID entry PGTT = nested, VT-d spec 3.8 and 9.6). It has a DID of its own; its
 * IOTLB entries are the combined translations, flushed by the user's HWPT_INVALIDATE (PASID-based
 * IOTLB invalidation descriptors) and by every flush of the parent.
 */
final class VtdNestedDomain implements NestedDomain {
    private static final StructCodec<IommuHwptVtdS1> S1 = StructCodec.of(IommuHwptVtdS1.class);
    private static final StructCodec<IommuHwptVtdS1Invalidate> INV = StructCodec.of(IommuHwptVtdS1Invalidate.class);
    /** Linux ADDR_WIDTH_4LEVEL / ADDR_WIDTH_5LEVEL. */
    private static final int WIDTH_4LEVEL = 48;
    private static final int WIDTH_5LEVEL = 57;
    private static final long VTD_PAGE_MASK = 4095;

    private final VtdIommu iommu;
    private final VtdDomain parent;
    private final IommuHwptVtdS1 config;
    private final int did;
    private final TranslationRoot root;
    private boolean released;

    private VtdNestedDomain(VtdIommu iommu, VtdDomain parent, IommuHwptVtdS1 config, int did) {
        this.iommu = iommu;
        this.parent = parent;
        this.config = config;
        this.did = did;
        int levels = config.addrWidth() == WIDTH_5LEVEL ? 5 : 4;
        // FLPTR is bits 63:12 of the PASID entry: the low bits of pgtbl_addr are not an address.
        this.root = TranslationRoot.nested(new X8664Format(config.addrWidth(), true, true),
                config.pgtblAddr() & ~VTD_PAGE_MASK, levels - 1, did,
                TranslationRoot.of(parent.pageTable(), parent.did()));
    }

    /**
     * intel_iommu_domain_alloc_nested: flags other than PASID are EOPNOTSUPP, a data type other than
     * IOMMU_HWPT_DATA_VTD_S1 EOPNOTSUPP, a parent that is not a VT-d second-stage nest parent of
     * this unit EINVAL, then the struct is copied (iommu_copy_struct_from_user: short EINVAL, a
     * non-zero tail E2BIG, bad pointer EFAULT).
     *
     * <p>Linux checks addr_width (48 or 57, else EINVAL) and the SRE/EAFE capabilities only when the
     * PASID entry is set up at attach (intel_pasid_setup_nested), and never looks at unknown flags or
     * __reserved. Here all of it is checked at allocation, so a bad table is refused before any
     * device uses it: addr_width EINVAL, unknown flag bits EOPNOTSUPP, non-zero reserved EINVAL.
     * The model supports SRE, EAFE and 5-level first-stage paging (ECAP.SRS, ECAP.EAFS,
     * CAP.FS5LP), so those are accepted; the walker models user requests only.
     */
    static VtdNestedDomain allocate(VtdIommu iommu, String device, PagingDomain parent, int hwptFlags, UserData data) {
        if ((hwptFlags & ~VtdDevice.HWPT_ALLOC_PASID) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "vtd: " + device + ": hwpt flags 0x" + Integer.toHexString(hwptFlags)
                    + " are not valid for a nested domain (only IOMMU_HWPT_ALLOC_PASID)");
        }
        if (data.type() != IommuHwptDataType.VTD_S1) {
            throw new IommufdException(Errno.EOPNOTSUPP, "vtd: " + device + ": nested data_type 0x"
                    + Integer.toHexString(data.type()) + " is not IOMMU_HWPT_DATA_VTD_S1");
        }
        if (!(parent instanceof VtdDomain s2) || s2.firstStage() || !s2.nestParent() || s2.iommu() != iommu) {
            throw IommufdException.einval("vtd: " + device + ": parent " + parent
                    + " is not a second-stage VT-d domain of this unit allocated with IOMMU_HWPT_ALLOC_NEST_PARENT");
        }
        IommuHwptVtdS1 s1 = data.read(S1, S1.size());
        if (s1.addrWidth() != WIDTH_4LEVEL && s1.addrWidth() != WIDTH_5LEVEL) {
            throw IommufdException.einval("vtd: iommu_hwpt_vtd_s1.addr_width " + Integer.toUnsignedString(s1.addrWidth())
                    + " is not 48 (4-level) or 57 (5-level)");
        }
        if ((s1.flags() & ~IommuHwptVtdS1Flags.ALL) != 0) {
            throw new IommufdException(Errno.EOPNOTSUPP, "vtd: iommu_hwpt_vtd_s1.flags 0x" + Long.toHexString(s1.flags())
                    + " has unknown bits 0x" + Long.toHexString(s1.flags() & ~IommuHwptVtdS1Flags.ALL));
        }
        if (s1.reserved() != 0) {
            throw IommufdException.einval("vtd: iommu_hwpt_vtd_s1.__reserved is 0x" + Integer.toHexString(s1.reserved())
                    + ", must be 0");
        }
        int did = iommu.allocDid();
        VtdNestedDomain domain = new VtdNestedDomain(iommu, s2, s1, did);
        s2.nestedDids().add(did);
        return domain;
    }

    @Override
    public PagingDomain parent() {
        return parent;
    }

    VtdIommu iommu() {
        return iommu;
    }

    /** The domain id the PASID entry carries: the IOTLB tag of this domain's combined entries. */
    int did() {
        return did;
    }

    /** The user's stage-1 configuration. */
    IommuHwptVtdS1 config() {
        return config;
    }

    @Override
    public TranslationRoot translationRoot() {
        return root;
    }

    /**
     * intel_nested_cache_invalidate_user: data_type other than VTD_S1 is EINVAL with nothing done;
     * then entry by entry, stopping at the first bad one with the count before it: a copy failure
     * with its errno, unknown flags or non-zero __reserved EOPNOTSUPP, an addr not 4 KiB aligned or
     * npages U64_MAX with a non-zero addr EINVAL. npages U64_MAX (with addr 0) flushes everything
     * of the domain; otherwise the pages from addr, LEAF as the IH hint.
     */
    @Override
    public int cacheInvalidateUser(UserArray entries) {
        if (entries.dataType() != IommuHwptInvalidateDataType.VTD_S1) {
            throw IommufdException.einval("vtd: invalidation data_type 0x" + Integer.toHexString(entries.dataType())
                    + " is not IOMMU_HWPT_INVALIDATE_DATA_VTD_S1");
        }
        for (int i = 0; i < entries.count(); i++) {
            IommuHwptVtdS1Invalidate inv;
            try {
                inv = entries.read(i, INV, INV.size());
            } catch (IommufdException e) {
                throw new InvalidationError(e.errno(), e.getMessage(), i);
            }
            if ((inv.flags() & ~IommuHwptVtdS1InvalidateFlags.ALL) != 0 || inv.reserved() != 0) {
                throw new InvalidationError(Errno.EOPNOTSUPP, "vtd: entry " + i + " flags 0x" + Integer.toHexString(inv.flags())
                        + " / __reserved 0x" + Integer.toHexString(inv.reserved())
                        + ": only IOMMU_VTD_INV_FLAGS_LEAF may be set and __reserved must be 0", i);
            }
            if ((inv.addr() & VTD_PAGE_MASK) != 0 || (inv.npages() == -1L && inv.addr() != 0)) {
                throw new InvalidationError(Errno.EINVAL, "vtd: entry " + i + " addr 0x" + Long.toHexString(inv.addr())
                        + " is not 4 KiB aligned, or is non-zero with npages U64_MAX", i);
            }
            flush(inv.addr(), inv.npages(), (inv.flags() & IommuHwptVtdS1InvalidateFlags.LEAF) != 0);
        }
        return entries.count();
    }

    /** intel_nested_flush_cache: everything for npages U64_MAX, else the covering aligned block. */
    private void flush(long addr, long npages, boolean leafOnly) {
        if (npages == 0) {
            return; // an empty range invalidates nothing
        }
        long last = -1L; // npages U64_MAX, or a range running off the end of the address space
        if (Long.compareUnsigned(npages, 1L << 52) < 0) {
            long end = addr + (npages << 12) - 1;
            if (Long.compareUnsigned(end, addr) >= 0) {
                last = end;
            }
        }
        iommu.flushFirstStageRange(did, addr, last, leafOnly);
    }

    @Override
    public synchronized void free() {
        if (!released) {
            released = true;
            parent.nestedDids().remove(did);
            iommu.flushDomain(did, true);
            iommu.freeDid(did);
        }
    }

    @Override
    public String toString() {
        return "VtdNestedDomain[DID " + did + ", " + config.addrWidth() + "-bit first stage at GPA 0x"
                + Long.toHexString(config.pgtblAddr()) + " over DID " + parent.did() + "]";
    }
}
