package org.iommufd4j.drivers.mock;

import static org.iommufd4j.uapi.selftest.SelftestUapi.IOMMU_VEVENTQ_TYPE_SELFTEST;
import static org.iommufd4j.uapi.selftest.SelftestUapi.MOCK_DEV_CACHE_ID_MAX;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalLong;
import org.iommufd4j.spi.BoundDevice;
import org.iommufd4j.spi.ExtensionCall;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptPgfaultFlags;
import org.iommufd4j.uapi.IommufdException;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.selftest.IommuTestCmd;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.CheckDevCache;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.TriggerIopf;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.TriggerVevent;
import org.iommufd4j.uapi.selftest.SelftestUapi.IommuViommuEventSelftest;

/**
 * The IOMMU_TEST_CMD ops that drive faults, vEVENTs and the vIOMMU's per-device caches
 * (selftest.c iommufd_test_trigger_iopf, iommufd_test_trigger_vevent, iommufd_test_dev_check_cache).
 */
final class MockEventOps {
    private static final StructCodec<IommuViommuEventSelftest> EVENT = StructCodec.of(IommuViommuEventSelftest.class);

    private MockEventOps() {
    }

    private static <P extends Record> P payload(IommuTestCmd cmd, Class<P> type) {
        return StructCodec.of(type).decode(cmd.payload());
    }

    private static MockDevice mockDevice(BoundDevice dev) {
        if (!(dev.device() instanceof MockDevice mdev)) {
            throw new IommufdException(Errno.ENOENT, "device " + dev.id() + " is not a mock device");
        }
        return mdev;
    }

    /**
     * TRIGGER_IOPF: the device reports a one-page request (LAST_PAGE, PASID_VALID for a non-zero
     * PASID). As iommu_report_device_fault's result is not checked by the kernel op, a device whose
     * domain takes no page requests gets nothing delivered and the op still succeeds.
     */
    static IommuTestCmd triggerIopf(ExtensionCall call, IommuTestCmd cmd) {
        TriggerIopf p = payload(cmd, TriggerIopf.class);
        BoundDevice dev = call.device(p.devId());
        int flags = IommuHwptPgfaultFlags.LAST_PAGE | (p.pasid() != 0 ? IommuHwptPgfaultFlags.PASID_VALID : 0);
        try {
            dev.reportPageRequest(p.pasid(), p.grpid(), p.perm(), p.addr(), flags);
        } catch (IommufdException e) {
            if (e.errno() != Errno.EINVAL) {
                throw e;
            }
            // No iopf handler on the attached domain: the request is dropped, as in the kernel.
        }
        return null;
    }

    /** TRIGGER_VEVENT: ENOENT unless the device is attached to a vIOMMU's nested domain and has a vDEVICE there. */
    static IommuTestCmd triggerVevent(ExtensionCall call, IommuTestCmd cmd) {
        TriggerVevent p = payload(cmd, TriggerVevent.class);
        MockDevice mdev = mockDevice(call.device(p.devId()));
        MockViommu viommu = mdev.viommu();
        OptionalLong virtId = viommu == null ? OptionalLong.empty() : viommu.core().virtIdOf(mdev);
        if (virtId.isEmpty()) {
            throw new IommufdException(Errno.ENOENT, "mock: device " + p.devId() + " has no vIOMMU nested domain"
                    + " and vDEVICE to report a vEVENT for");
        }
        byte[] event = new byte[EVENT.size()];
        EVENT.encode(new IommuViommuEventSelftest((int) virtId.getAsLong()), ByteBuffer.wrap(event).order(ByteOrder.LITTLE_ENDIAN));
        viommu.core().reportEvent(IOMMU_VEVENTQ_TYPE_SELFTEST, event);
        return null;
    }

    /** DEV_CHECK_CACHE: {@code id} is the DEVICE; cache_id above 3 or a different value is EINVAL. */
    static IommuTestCmd checkDevCache(ExtensionCall call, IommuTestCmd cmd) {
        CheckDevCache p = payload(cmd, CheckDevCache.class);
        MockDevice mdev = mockDevice(call.device(cmd.id()));
        if (Integer.compareUnsigned(p.id(), MOCK_DEV_CACHE_ID_MAX) > 0) {
            throw IommufdException.einval("dev_check_cache.id " + Integer.toUnsignedString(p.id()) + " is above " + MOCK_DEV_CACHE_ID_MAX);
        }
        int actual = mdev.cache(p.id());
        if (actual != p.cache()) {
            throw IommufdException.einval("mock: device " + cmd.id() + " cache[" + p.id() + "] is 0x" + Integer.toHexString(actual)
                    + ", expected 0x" + Integer.toHexString(p.cache()));
        }
        return null;
    }
}
