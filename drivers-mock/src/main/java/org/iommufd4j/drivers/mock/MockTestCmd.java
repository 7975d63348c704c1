package org.iommufd4j.drivers.mock;

import org.iommufd4j.uapi.selftest.SelftestUapi;
import static org.iommufd4j.uapi.selftest.SelftestUapi.MOCK_PAGE_SIZE;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.uapi.selftest.IommuTestCmd;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.AddReserved;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.CheckIotlb;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.CheckMap;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.CheckRefs;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.Dirty;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.MemoryLimit;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.MockDomainFlags;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.MockDomainReplace;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.PasidDetach;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.PasidPt;
import org.iommufd4j.memory.PhysicalMemory;
import org.iommufd4j.memory.UserProcess;
import org.iommufd4j.memory.UserMemory;
import org.iommufd4j.spi.BoundDevice;
import org.iommufd4j.spi.ExtensionCall;
import org.iommufd4j.spi.ExtensionIoctl;
import org.iommufd4j.spi.HostServices;
import org.iommufd4j.spi.HwptView;
import org.iommufd4j.spi.IommuDomain;
import org.iommufd4j.spi.PageTableDomain;
import org.iommufd4j.spi.PagingDomain;
import org.iommufd4j.spi.SelftestDevice;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * IOMMU_TEST_CMD (0x3BA0), the selftest's back door (selftest.c iommufd_test), as the mock
 * plugin's extension ioctl. Implemented ops: ADD_RESERVED, MOCK_DOMAIN, MOCK_DOMAIN_FLAGS,
 * MD_CHECK_MAP, MD_CHECK_REFS, MOCK_DOMAIN_REPLACE, SET_TEMP_MEMORY_LIMIT, DIRTY, MD_CHECK_IOTLB and
 * the PASID ops; the access ops ({@link AccessOps}); TRIGGER_IOPF, TRIGGER_VEVENT and DEV_CHECK_CACHE
 * ({@link MockEventOps}); DMABUF_GET and DMABUF_REVOKE ({@link MockDmaBufOps}). An unknown op is
 * EOPNOTSUPP.
 */
final class MockTestCmd implements ExtensionIoctl<IommuTestCmd> {
    private static final StructCodec<IommuTestCmd> CODEC = StructCodec.of(IommuTestCmd.class);
    /** The lowest SET_TEMP_MEMORY_LIMIT the batches can work with. */
    private static final int MIN_MEMORY_LIMIT = 12;

    private final HostServices host;
    private int nextDevice;

    MockTestCmd(HostServices host) {
        this.host = host;
    }

    @Override
    public int command() {
        return IommufdIoctl.IOMMU_TEST_CMD;
    }

    @Override
    public StructCodec<IommuTestCmd> codec() {
        return CODEC;
    }

    @Override
    public IommuTestCmd handle(ExtensionCall call, IommuTestCmd cmd) {
        switch (cmd.op()) {
            case IommuTestOp.ADD_RESERVED:
                return addReserved(call, cmd);
            case IommuTestOp.MOCK_DOMAIN:
                return mockDomain(call, cmd, 0, false);
            case IommuTestOp.MOCK_DOMAIN_FLAGS:
                return mockDomain(call, cmd, payload(cmd, MockDomainFlags.class).devFlags(), true);
            case IommuTestOp.MOCK_DOMAIN_REPLACE:
                return mockDomainReplace(call, cmd);
            case IommuTestOp.MD_CHECK_MAP:
                return checkMap(call, cmd);
            case IommuTestOp.MD_CHECK_REFS:
                return checkRefs(call, cmd);
            case IommuTestOp.SET_TEMP_MEMORY_LIMIT:
                return memoryLimit(call, cmd);
            case IommuTestOp.DIRTY:
                return dirty(call, cmd);
            case IommuTestOp.MD_CHECK_IOTLB:
                return checkIotlb(call, cmd);
            case IommuTestOp.PASID_ATTACH:
            case IommuTestOp.PASID_REPLACE:
            case IommuTestOp.PASID_DETACH:
            case IommuTestOp.PASID_CHECK_HWPT:
                return pasid(call, cmd);
            case IommuTestOp.CREATE_ACCESS:
                return AccessOps.createAccess(call, cmd);
            case IommuTestOp.DESTROY_ACCESS_PAGES:
                return AccessOps.destroyAccessPages(call, cmd);
            case IommuTestOp.ACCESS_PAGES:
                return AccessOps.accessPages(call, cmd);
            case IommuTestOp.ACCESS_RW:
                return AccessOps.accessRw(call, cmd);
            case IommuTestOp.ACCESS_REPLACE_IOAS:
                return AccessOps.accessReplaceIoas(call, cmd);
            case IommuTestOp.TRIGGER_IOPF:
                return MockEventOps.triggerIopf(call, cmd);
            case IommuTestOp.DEV_CHECK_CACHE:
                return MockEventOps.checkDevCache(call, cmd);
            case IommuTestOp.TRIGGER_VEVENT:
                return MockEventOps.triggerVevent(call, cmd);
            case IommuTestOp.DMABUF_GET:
                return MockDmaBufOps.get(host, call, cmd);
            case IommuTestOp.DMABUF_REVOKE:
                return MockDmaBufOps.revoke(host, call, cmd);
            default:
                throw new IommufdException(Errno.EOPNOTSUPP, "iommu_test_cmd.op " + Integer.toUnsignedString(cmd.op()) + " is unknown");
        }
    }

    private static <P extends Record> P payload(IommuTestCmd cmd, Class<P> type) {
        return StructCodec.of(type).decode(cmd.payload());
    }

    private static <P extends Record> IommuTestCmd respond(IommuTestCmd cmd, P out) {
        @SuppressWarnings("unchecked")
        StructCodec<P> codec = StructCodec.of((Class<P>) out.getClass());
        byte[] bytes = new byte[codec.size()];
        codec.encode(out, ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN));
        return cmd.withPayload(bytes);
    }

    /** iommufd_test_add_reserved: [start, start + length - 1] of IOAS {@code id}, owned by nobody. */
    private static IommuTestCmd addReserved(ExtensionCall call, IommuTestCmd cmd) {
        AddReserved p = payload(cmd, AddReserved.class);
        if (p.length() == 0) {
            throw IommufdException.einval("add_reserved.length is 0");
        }
        long last = p.start() + p.length() - 1;
        if (Long.compareUnsigned(last, p.start()) < 0) {
            throw new IommufdException(Errno.EOVERFLOW, "add_reserved: start 0x" + Long.toHexString(p.start()) + " + length 0x"
                    + Long.toHexString(p.length()) + " overflows");
        }
        call.reserveIova(cmd.id(), p.start(), last);
        return null;
    }

    /**
     * iommufd_test_mock_domain: creates a mock device, binds it, attaches it to {@code id} (an IOAS
     * or a HWPT) and returns the selftest object that owns it, the HWPT and the DEVICE IDs.
     */
    private IommuTestCmd mockDomain(ExtensionCall call, IommuTestCmd cmd, int devFlags, boolean withFlags) {
        int known = SelftestUapi.MOCK_FLAGS_DEVICE_NO_DIRTY | SelftestUapi.MOCK_FLAGS_DEVICE_PASID;
        if ((devFlags & ~known) != 0) {
            throw IommufdException.einval("mock_domain_flags.dev_flags 0x" + Integer.toHexString(devFlags)
                    + " has unknown bits 0x" + Integer.toHexString(devFlags & ~known));
        }
        MockDevice device;
        synchronized (this) {
            device = new MockDevice(host, "iommufd_mock" + nextDevice++, org.iommufd4j.drivers.mock.pagetable.MockFormat.DEFAULT, devFlags);
        }
        SelftestDevice bound = call.newSelftestDevice(device);
        int stdevId = bound.selftestId();
        int hwptId = bound.attach(cmd.id());
        if (withFlags) {
            return respond(cmd, new MockDomainFlags(stdevId, hwptId, bound.id(), devFlags));
        }
        return respond(cmd, new org.iommufd4j.uapi.selftest.IommuTestPayloads.MockDomain(stdevId, hwptId, bound.id()));
    }

    /** MOCK_DOMAIN_REPLACE: {@code id} is the selftest object; pt_id comes back as the HWPT attached. */
    private static IommuTestCmd mockDomainReplace(ExtensionCall call, IommuTestCmd cmd) {
        MockDomainReplace p = payload(cmd, MockDomainReplace.class);
        int hwptId = call.selftestDevice(cmd.id()).replace(p.ptId());
        return respond(cmd, new MockDomainReplace(hwptId));
    }

    /** A paging HWPT of this driver (get_md_pagetable): not a paging HWPT ENOENT, another driver's EINVAL. */
    private static PagingDomain mockPaging(ExtensionCall call, int hwptId) {
        HwptView hwpt = call.hwpt(hwptId);
        if (hwpt.nested()) {
            throw new IommufdException(Errno.ENOENT, "HWPT " + hwptId + " is not a HWPT_PAGING");
        }
        if (!(hwpt.domain() instanceof PageTableDomain d) || !(d.pageTable().format()
                instanceof org.iommufd4j.drivers.mock.pagetable.MockFormat)) {
            throw IommufdException.einval("HWPT " + hwptId + " is not a mock paging domain");
        }
        return d;
    }

    private static UserProcess process(ExtensionCall call) {
        UserMemory caller = call.caller();
        if (caller instanceof UserProcess p) {
            return p;
        }
        throw new IommufdException(Errno.EFAULT, "the caller has no address space");
    }

    /**
     * iommufd_test_md_check_pa: every MOCK_PAGE_SIZE page of [iova, iova + length) translates to the
     * physical address of the same offset of the user's buffer. Misalignment EINVAL; a mismatch EINVAL.
     */
    private static IommuTestCmd checkMap(ExtensionCall call, IommuTestCmd cmd) {
        CheckMap p = payload(cmd, CheckMap.class);
        if (((p.iova() | p.length() | p.uptr()) & (MOCK_PAGE_SIZE - 1)) != 0 || Long.compareUnsigned(p.uptr() + p.length(), p.uptr()) < 0) {
            throw IommufdException.einval("check_map: iova 0x" + Long.toHexString(p.iova()) + ", length 0x"
                    + Long.toHexString(p.length()) + " and uptr 0x" + Long.toHexString(p.uptr())
                    + " must be MOCK_PAGE_SIZE aligned and not overflow");
        }
        PagingDomain domain = mockPaging(call, cmd.id());
        UserProcess process = process(call);
        for (long off = 0; off < p.length(); off += MOCK_PAGE_SIZE) {
            long va = p.uptr() + off;
            long pfn = process.frameAt(va);
            long actual = domain.iovaToPhys(p.iova() + off);
            if (pfn == 0) {
                // get_user_pages_fast faults the page in: unmapped is EFAULT (the read throws it); a
                // page with no frame yet (never touched, or a real process's page nobody pinned)
                // cannot be the one the IOVA maps.
                process.read(va, new byte[1], 0, 1);
                throw IommufdException.einval("check_map: IOVA 0x" + Long.toHexString(p.iova() + off) + " translates to PA 0x"
                        + Long.toHexString(actual) + ", but the user page at 0x" + Long.toHexString(va) + " is not pinned");
            }
            long expected = (pfn << PhysicalMemory.PAGE_SHIFT) + (va & (PhysicalMemory.PAGE_SIZE - 1));
            if (actual != expected) {
                throw IommufdException.einval("check_map: IOVA 0x" + Long.toHexString(p.iova() + off) + " translates to PA 0x"
                        + Long.toHexString(actual) + ", the user page is at PA 0x" + Long.toHexString(expected));
            }
        }
        return null;
    }

    /**
     * iommufd_test_md_check_refs: every page of the buffer is pinned exactly {@code refs} times
     * (else EIO); an unmapped page is EFAULT.
     */
    private static IommuTestCmd checkRefs(ExtensionCall call, IommuTestCmd cmd) {
        CheckRefs p = payload(cmd, CheckRefs.class);
        long page = PhysicalMemory.PAGE_SIZE;
        if (((p.length() | p.uptr()) & (page - 1)) != 0 || Long.compareUnsigned(p.uptr() + p.length(), p.uptr()) < 0) {
            throw IommufdException.einval("check_refs: length 0x" + Long.toHexString(p.length()) + " and uptr 0x"
                    + Long.toHexString(p.uptr()) + " must be PAGE_SIZE aligned");
        }
        UserProcess process = process(call);
        for (long off = 0; off < p.length(); off += page) {
            long va = p.uptr() + off;
            if (process.frameAt(va) == 0) {
                // get_user_pages_fast faults the page in: an unmapped address is EFAULT (the read
                // throws it), a page never touched is a fresh page with no pin.
                process.read(va, new byte[1], 0, 1);
            }
            long pins = process.pinCountAt(va);
            if (pins != Integer.toUnsignedLong(p.refs())) {
                throw new IommufdException(Errno.EIO, "check_refs: the page at 0x" + Long.toHexString(va) + " is pinned "
                        + pins + " times, expected " + Integer.toUnsignedString(p.refs()));
            }
        }
        return null;
    }

    private static IommuTestCmd memoryLimit(ExtensionCall call, IommuTestCmd cmd) {
        MemoryLimit p = payload(cmd, MemoryLimit.class);
        if (Integer.compareUnsigned(p.limit(), MIN_MEMORY_LIMIT) < 0) {
            throw IommufdException.einval("memory_limit.limit " + Integer.toUnsignedString(p.limit()) + " is below "
                    + MIN_MEMORY_LIMIT);
        }
        call.setTemporaryMemoryLimit(p.limit());
        return null;
    }

    /**
     * iommufd_test_dirty: for every bit set in the user's bitmap, marks IOVA
     * {@code iova + bit * page_size} dirty in the mock table, as a device write would; returns how
     * many. The domain must be tracking dirty pages (EINVAL otherwise).
     */
    private static IommuTestCmd dirty(ExtensionCall call, IommuTestCmd cmd) {
        Dirty p = payload(cmd, Dirty.class);
        if (p.pageSize() == 0 || p.length() == 0 || Long.remainderUnsigned(p.iova(), p.pageSize()) != 0
                || Long.remainderUnsigned(p.length(), p.pageSize()) != 0 || p.uptr() == 0) {
            throw IommufdException.einval("dirty: iova 0x" + Long.toHexString(p.iova()) + ", length 0x" + Long.toHexString(p.length())
                    + ", page_size 0x" + Long.toHexString(p.pageSize()) + " and uptr must be non-zero and aligned");
        }
        PagingDomain domain = mockPaging(call, cmd.id());
        if (!domain.dirtyTrackingEnabled() || !(domain instanceof PageTableDomain ptd)) {
            throw IommufdException.einval("dirty: HWPT " + cmd.id() + " is not tracking dirty pages");
        }
        long max = Long.divideUnsigned(p.length(), p.pageSize());
        if (max > Integer.MAX_VALUE) {
            throw IommufdException.einval("dirty: " + Long.toUnsignedString(max) + " pages is too many");
        }
        byte[] bitmap = new byte[(int) ((max + 7) / 8)];
        call.caller().read(p.uptr(), bitmap, 0, bitmap.length);
        long count = 0;
        for (long i = 0; i < max; i++) {
            if ((bitmap[(int) (i >>> 3)] & (1 << (i & 7))) == 0) {
                continue;
            }
            ptd.setDirty(p.iova() + i * p.pageSize());
            count++;
        }
        return respond(cmd, new Dirty(p.flags(), p.iova(), p.length(), p.pageSize(), p.uptr(), count));
    }

    /** iommufd_test_md_check_iotlb: entry {@code id} (0..3) of nested HWPT {@code cmd.id} holds {@code iotlb} (else EINVAL). */
    private static IommuTestCmd checkIotlb(ExtensionCall call, IommuTestCmd cmd) {
        CheckIotlb p = payload(cmd, CheckIotlb.class);
        if (Integer.compareUnsigned(p.id(), SelftestUapi.MOCK_NESTED_DOMAIN_IOTLB_ID_MAX) > 0) {
            throw IommufdException.einval("check_iotlb.id " + Integer.toUnsignedString(p.id()) + " is above "
                    + SelftestUapi.MOCK_NESTED_DOMAIN_IOTLB_ID_MAX);
        }
        HwptView hwpt = call.hwpt(cmd.id());
        if (!hwpt.nested()) {
            throw new IommufdException(Errno.ENOENT, "HWPT " + cmd.id() + " is not a HWPT_NESTED");
        }
        if (!(hwpt.domain() instanceof MockNestedDomain nested)) {
            throw IommufdException.einval("HWPT " + cmd.id() + " is not a mock nested domain");
        }
        int value = nested.iotlb(p.id());
        if (value != p.iotlb()) {
            throw IommufdException.einval("check_iotlb: entry " + p.id() + " is 0x" + Integer.toHexString(value)
                    + ", expected 0x" + Integer.toHexString(p.iotlb()));
        }
        return null;
    }

    /** PASID_ATTACH/REPLACE/DETACH/CHECK_HWPT on the device of selftest object {@code cmd.id}. */
    private static IommuTestCmd pasid(ExtensionCall call, IommuTestCmd cmd) {
        BoundDevice dev = call.selftestDevice(cmd.id());
        switch (cmd.op()) {
            case IommuTestOp.PASID_ATTACH: {
                PasidPt p = payload(cmd, PasidPt.class);
                dev.attachPasid(p.pasid(), p.ptId());
                return null;
            }
            case IommuTestOp.PASID_REPLACE: {
                PasidPt p = payload(cmd, PasidPt.class);
                dev.replacePasid(p.pasid(), p.ptId());
                return null;
            }
            case IommuTestOp.PASID_DETACH:
                // Detaching a PASID that is not attached is not an error.
                dev.detachPasid(payload(cmd, PasidDetach.class).pasid());
                return null;
            default: {
                PasidPt p = payload(cmd, PasidPt.class);
                IommuDomain installed = ((MockDevice) dev.device()).pasidDomain(p.pasid());
                if (p.ptId() == 0) {
                    if (installed != null || dev.pasidHwptId(p.pasid()) != 0) {
                        throw IommufdException.einval("PASID " + Integer.toUnsignedString(p.pasid()) + " is attached to HWPT "
                                + dev.pasidHwptId(p.pasid()) + ", expected none");
                    }
                    return null;
                }
                HwptView hwpt = call.hwpt(p.ptId());
                if (installed != hwpt.domain() || dev.pasidHwptId(p.pasid()) != hwpt.id()) {
                    throw IommufdException.einval("PASID " + Integer.toUnsignedString(p.pasid()) + " is attached to HWPT "
                            + dev.pasidHwptId(p.pasid()) + ", expected " + p.ptId());
                }
                return null;
            }
        }
    }
}
