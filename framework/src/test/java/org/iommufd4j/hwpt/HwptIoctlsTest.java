package org.iommufd4j.hwpt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.device.Devices;
import org.iommufd4j.device.Idev;
import org.iommufd4j.device.TestDriver;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.spi.DeviceConfig;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwInfo;
import org.iommufd4j.uapi.IommuHwptAlloc;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuHwptGetDirtyBitmap;
import org.iommufd4j.uapi.IommuHwptInvalidate;
import org.iommufd4j.uapi.IommuHwptSetDirtyTracking;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The HWPT ioctls' rules against the framework's in-test driver. */
class HwptIoctlsTest {
    private final IommufdComponent machine = TestDriver.machine("a");
    private final TestDriver driver = TestDriver.of(machine, "a");
    private final Devices devices = machine.devices();
    private final SimProcess process = SimProcess.root(machine.memory());
    private final IommufdContext ctx = machine.iommufd().open(process);
    private final Idev idev = devices.bind(ctx, driver, driver.probe(new DeviceConfig("d", Map.of("pasid", "true"))));
    private final int ioas = ctx.ioasAlloc();

    @AfterEach
    void noLeaks() {
        devices.unbind(idev);
        ctx.close();
        assertEquals(0, machine.iommufd().liveObjects());
        assertEquals(driver.domainsAllocated, driver.domainsFreed);
    }

    private static void fails(Errno errno, Runnable r) {
        IommufdException e = assertThrows(IommufdException.class, r::run);
        assertEquals(errno, e.errno(), e.getMessage());
    }

    private int alloc(int flags, int ptId, int dataType, int dataLen, long uptr, int faultId) {
        return ctx.call(new IommuHwptAlloc(flags, idev.id(), ptId, 0, 0, dataType, dataLen, uptr, faultId, 0)).outHwptId();
    }

    @Test
    void hwptAllocChecksFieldsInTheKernelsOrder() {
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwptAlloc(0, idev.id(), ioas, 0, 1, 0, 0, 0, 0, 0)));
        fails(Errno.EINVAL, () -> alloc(0, ioas, 0, 8, 0, 0));
        fails(Errno.EINVAL, () -> alloc(0, ioas, TestDriver.DATA_TYPE, 0, 0, 0));
        fails(Errno.ENOENT, () -> ctx.call(new IommuHwptAlloc(0, ioas, ioas, 0, 0, 0, 0, 0, 0, 0)));
        fails(Errno.EINVAL, () -> alloc(0, 4242, 0, 0, 0, 0));
        fails(Errno.EINVAL, () -> alloc(0, idev.id(), 0, 0, 0, 0));
        fails(Errno.EOPNOTSUPP, () -> alloc(IommuHwptAllocFlags.DIRTY_TRACKING, ioas, 0, 0, 0, 0));
        fails(Errno.EOPNOTSUPP, () -> alloc(1 << 20, ioas, 0, 0, 0, 0));
        fails(Errno.EOPNOTSUPP, () -> alloc(0, ioas, TestDriver.DATA_TYPE, 8, process.mmapAnonymous(4096, false), 0));
        long before = machine.iommufd().liveObjects();
        int allocated = driver.domainsAllocated;
        int parent = alloc(IommuHwptAllocFlags.NEST_PARENT, ioas, 0, 0, 0, 0);
        int plain = alloc(0, ioas, 0, 0, 0, 0);
        // Fault queues do not exist yet: FAULT_ID_VALID is ENOENT and leaves nothing behind.
        fails(Errno.ENOENT, () -> alloc(IommuHwptAllocFlags.FAULT_ID_VALID, parent, TestDriver.DATA_TYPE, 4,
                process.mmapAnonymous(4096, false), 1));
        assertEquals(before + 2, machine.iommufd().liveObjects());
        assertEquals(allocated + 3, driver.domainsAllocated);
        assertEquals(1, driver.domainsFreed);

        long data = process.mmapAnonymous(4096, false);
        fails(Errno.EOPNOTSUPP, () -> alloc(0, parent, 0, 0, 0, 0)); // nested without data
        fails(Errno.EINVAL, () -> alloc(0, plain, TestDriver.DATA_TYPE, 4, data, 0)); // not a nest parent
        fails(Errno.EOPNOTSUPP, () -> alloc(IommuHwptAllocFlags.NEST_PARENT, parent, TestDriver.DATA_TYPE, 4, data, 0));
        int nested = alloc(0, parent, TestDriver.DATA_TYPE, 4, data, 0);
        fails(Errno.EINVAL, () -> alloc(0, nested, TestDriver.DATA_TYPE, 4, data, 0));
        fails(Errno.EBUSY, () -> ctx.destroy(parent));
        // An automatic HWPT cannot be a parent
        int auto = devices.attach(idev, ioas);
        fails(Errno.EINVAL, () -> alloc(0, auto, TestDriver.DATA_TYPE, 4, data, 0));
        devices.detach(idev);
        ctx.destroy(nested);
        ctx.destroy(parent);
        ctx.destroy(plain);
    }

    @Test
    void getHwInfoZeroFillsAndReportsThePasidWidth() {
        long buf = process.mmapAnonymous(4096, false);
        process.write(buf, new byte[] {1, 2, 3, 4}, 0, 4);
        IommuHwInfo info = ctx.call(new IommuHwInfo(0, idev.id(), 4, buf, 0, 0, 0, 0));
        assertEquals(0, info.dataLen(), "the test driver has no vendor data");
        assertEquals(8, info.outMaxPasidLog2());
        assertEquals(0, info.outCapabilities());
        byte[] b = new byte[4];
        process.read(buf, b, 0, 4);
        assertEquals(0, b[0] | b[1] | b[2] | b[3], "the user's buffer is zeroed past the driver's data");
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwInfo(1, idev.id(), 0, 0, 5, 0, 0, 0)));
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwInfo(2, idev.id(), 0, 0, 0, 0, 0, 0)));
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwInfo(0, idev.id(), 0, 0, 0, 0, 1, 0)));
        fails(Errno.ENOENT, () -> ctx.call(new IommuHwInfo(0, ioas, 0, 0, 0, 0, 0, 0)));
        fails(Errno.EFAULT, () -> ctx.call(new IommuHwInfo(0, idev.id(), 4, 0xdead0000L, 0, 0, 0, 0)));
    }

    @Test
    void dirtyIoctlsCheckFlagsObjectsAndRanges() {
        int hwpt = alloc(0, ioas, 0, 0, 0, 0);
        long buf = process.mmapAnonymous(8192, true);
        ctx.call(new IommuIoasMap(IommuIoasMapFlags.READABLE | IommuIoasMapFlags.FIXED_IOVA, ioas, 0, buf, 8192, 1L << 20));
        long bitmap = process.mmapAnonymous(4096, false);
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwptSetDirtyTracking(2, hwpt, 0)));
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwptSetDirtyTracking(1, hwpt, 1)));
        fails(Errno.ENOENT, () -> ctx.call(new IommuHwptSetDirtyTracking(1, ioas, 0)));
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwptSetDirtyTracking(1, hwpt, 0))); // no dirty ops
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwptGetDirtyBitmap(hwpt, 2, 0, 1L << 20, 8192, 4096, bitmap)));
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwptGetDirtyBitmap(hwpt, 0, 1, 1L << 20, 8192, 4096, bitmap)));
        fails(Errno.ENOENT, () -> ctx.call(new IommuHwptGetDirtyBitmap(ioas, 0, 0, 1L << 20, 8192, 4096, bitmap)));
        fails(Errno.EOVERFLOW, () -> ctx.call(new IommuHwptGetDirtyBitmap(hwpt, 0, 0, -4096, 8192, 4096, bitmap)));
        fails(Errno.EINVAL, () -> ctx.call(new IommuHwptGetDirtyBitmap(hwpt, 0, 0, (1L << 20) + 1, 4096, 4096, bitmap)));
        fails(Errno.EINVAL, () -> ctx.call(new IommuHwptGetDirtyBitmap(hwpt, 0, 0, 1L << 20, 8192, 0, bitmap)));
        fails(Errno.EINVAL, () -> ctx.call(new IommuHwptGetDirtyBitmap(hwpt, 0, 0, 1L << 20, 8192, 8192 * 2, bitmap)));
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwptGetDirtyBitmap(hwpt, 0, 0, 1L << 20, 8192, 4096, bitmap)));
        ctx.destroy(hwpt);
    }

    @Test
    void invalidateWritesBackEntryNumOnEveryOutcome() {
        int parent = alloc(IommuHwptAllocFlags.NEST_PARENT, ioas, 0, 0, 0, 0);
        int nested = alloc(0, parent, TestDriver.DATA_TYPE, 4, process.mmapAnonymous(4096, false), 0);
        long entries = process.mmapAnonymous(4096, false);
        for (int target : new int[] {parent, ioas}) {
            IommufdException e = assertThrows(IommufdException.class,
                    () -> ctx.call(new IommuHwptInvalidate(target, entries, 0, 8, 1, 0)));
            assertEquals(Errno.EINVAL, e.errno());
            assertEquals(0, ((IommuHwptInvalidate) e.response()).entryNum());
        }
        fails(Errno.EINVAL, () -> ctx.call(new IommuHwptInvalidate(nested, 0, 0, 8, 1, 0)));
        fails(Errno.EINVAL, () -> ctx.call(new IommuHwptInvalidate(nested, entries, 0, 0, 1, 0)));
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwptInvalidate(nested, entries, 0, 8, 1, 1)));
        fails(Errno.EOPNOTSUPP, () -> ctx.call(new IommuHwptInvalidate(nested, entries, 0, 8, 1, 0))); // driver has none
        ctx.destroy(nested);
        ctx.destroy(parent);
    }
}
