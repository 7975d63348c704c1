package org.iommufd4j.drivers.mock;

import org.iommufd4j.uapi.selftest.SelftestUapi;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.uapi.selftest.IommuTestCmd;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.inject.IommufdComponent;
import org.iommufd4j.inject.MachineConfig;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuDestroy;
import org.iommufd4j.uapi.IommuHwInfo;
import org.iommufd4j.uapi.IommuHwInfoFlags;
import org.iommufd4j.uapi.IommuHwptAlloc;
import org.iommufd4j.uapi.IommuHwptGetDirtyBitmap;
import org.iommufd4j.uapi.IommuHwptInvalidate;
import org.iommufd4j.uapi.IommuHwptSetDirtyTracking;
import org.iommufd4j.uapi.IommuIoasAlloc;
import org.iommufd4j.uapi.IommuIoasMap;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommuIoasUnmap;
import org.iommufd4j.uapi.IommuOption;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;

/**
 * The kernel selftest's iommufd_utils.h over a simulated machine with the mock driver on the class
 * path: every helper goes through {@link IommufdContext#ioctl} with the struct's bytes, as the C
 * test does, and returns 0 or the errno. {@link #close()} is teardown_iommufd: the context is
 * closed and no object may outlive it.
 */
final class MockKselftest implements AutoCloseable {
    static final long PAGE_SIZE = 4096;
    static final long MOCK_PAGE_SIZE = SelftestUapi.MOCK_PAGE_SIZE;
    static final long MOCK_APERTURE_START = SelftestUapi.MOCK_APERTURE_START;
    static final long MOCK_APERTURE_LAST = SelftestUapi.MOCK_APERTURE_LAST;
    static final int RW = IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE;

    final IommufdComponent machine;
    final SimProcess process;
    final IommufdContext ctx;

    MockKselftest() {
        machine = IommufdComponent.create(new MachineConfig(1L << 30, Path.of("no-plugins"), List.of(new MockDriverFactory())));
        if (machine.drivers().driver("mock").isEmpty()) {
            throw new AssertionError("the mock driver did not load: " + machine.drivers().failures());
        }
        process = SimProcess.root(machine.memory());
        ctx = machine.iommufd().open(process);
    }

    private MockKselftest(IommufdComponent machine, SimProcess process, IommufdContext ctx) {
        this.machine = machine;
        this.process = process;
        this.ctx = ctx;
    }

    /** The same machine and process, calling through another context. */
    MockKselftest withContext(IommufdContext other) {
        return new MockKselftest(machine, process, other);
    }

    @Override
    public void close() {
        ctx.close();
        assertEquals(0, machine.iommufd().liveObjects(), "teardown: objects outlived their context");
    }

    // ------------------------------------------------------------------ raw ioctl

    /** ioctl(fd, cmd, struct): 0 or the errno; outputs land back in {@code out[0]}. */
    @SuppressWarnings("unchecked")
    <T extends Record> int ioctl(int cmd, T in, Object[] out) {
        StructCodec<T> codec = StructCodec.of((Class<T>) in.getClass());
        byte[] bytes = codec.toBytes(in);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int rc = ctx.ioctl(cmd, buf);
        if (out != null) {
            out[0] = codec.decode(bytes);
        }
        return rc < 0 ? -rc : 0;
    }

    static int errno(Errno e) {
        return e.value();
    }

    // ------------------------------------------------------------------ IOMMU_TEST_CMD

    /** _IOMMU_TEST_CMD(op) with a payload record; returns the errno and puts the command back in {@code out}. */
    int testCmd(int op, int id, Record payload, IommuTestCmd[] out) {
        byte[] p = new byte[IommuTestCmd.PAYLOAD_SIZE];
        if (payload != null) {
            @SuppressWarnings("unchecked")
            StructCodec<Record> codec = (StructCodec<Record>) StructCodec.of(payload.getClass());
            codec.encode(payload, ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN));
        }
        Object[] o = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_TEST_CMD, new IommuTestCmd(op, id, 0, p, 0), o);
        if (out != null) {
            out[0] = (IommuTestCmd) o[0];
        }
        return rc;
    }

    static <P extends Record> P payload(IommuTestCmd cmd, Class<P> type) {
        return StructCodec.of(type).decode(cmd.payload());
    }

    /** test_cmd_mock_domain_flags: {stdev, hwpt, idev}; asserts success. */
    int[] mockDomain(int ptId, int flags) {
        int[] ids = new int[3];
        assertEquals(0, mockDomainErr(ptId, flags, ids), "MOCK_DOMAIN_FLAGS on " + ptId);
        return ids;
    }

    int mockDomainErr(int ptId, int flags, int[] ids) {
        IommuTestCmd[] out = new IommuTestCmd[1];
        int rc = testCmd(IommuTestOp.MOCK_DOMAIN_FLAGS, ptId,
                new org.iommufd4j.uapi.selftest.IommuTestPayloads.MockDomainFlags(0, 0, 0, flags), out);
        if (rc == 0 && ids != null) {
            var p = payload(out[0], org.iommufd4j.uapi.selftest.IommuTestPayloads.MockDomainFlags.class);
            ids[0] = p.outStdevId();
            ids[1] = p.outHwptId();
            ids[2] = p.outIdevId();
        }
        return rc;
    }

    /** test_cmd_mock_domain_replace: returns the errno; {@code hwpt[0]} gets the attached HWPT. */
    int mockDomainReplace(int stdevId, int ptId, int[] hwpt) {
        IommuTestCmd[] out = new IommuTestCmd[1];
        int rc = testCmd(IommuTestOp.MOCK_DOMAIN_REPLACE, stdevId,
                new org.iommufd4j.uapi.selftest.IommuTestPayloads.MockDomainReplace(ptId), out);
        if (rc == 0 && hwpt != null) {
            hwpt[0] = payload(out[0], org.iommufd4j.uapi.selftest.IommuTestPayloads.MockDomainReplace.class).ptId();
        }
        return rc;
    }

    /** check_mock_iova: MD_CHECK_MAP. */
    int checkMap(int hwptId, long iova, long uptr, long length) {
        return testCmd(IommuTestOp.MD_CHECK_MAP, hwptId,
                new org.iommufd4j.uapi.selftest.IommuTestPayloads.CheckMap(iova, length, uptr), null);
    }

    /** check_refs: MD_CHECK_REFS. */
    int checkRefs(long uptr, long length, int refs) {
        return testCmd(IommuTestOp.MD_CHECK_REFS, 0,
                new org.iommufd4j.uapi.selftest.IommuTestPayloads.CheckRefs(length, uptr, refs), null);
    }

    int pasidOp(int op, int stdevId, int pasid, int ptId) {
        Record p = op == IommuTestOp.PASID_DETACH ? new org.iommufd4j.uapi.selftest.IommuTestPayloads.PasidDetach(pasid)
                : new org.iommufd4j.uapi.selftest.IommuTestPayloads.PasidPt(pasid, ptId);
        return testCmd(op, stdevId, p, null);
    }

    // ------------------------------------------------------------------ framework ioctls

    int ioasAlloc() {
        Object[] out = new Object[1];
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_IOAS_ALLOC, new IommuIoasAlloc(0, 0), out));
        return ((IommuIoasAlloc) out[0]).outIoasId();
    }

    int destroy(int id) {
        return ioctl(IommufdIoctl.IOMMU_DESTROY, new IommuDestroy(id), null);
    }

    /** test_ioctl_ioas_map: auto IOVA, read/write; returns the IOVA. */
    long ioasMap(int ioasId, long uptr, long length) {
        Object[] out = new Object[1];
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_IOAS_MAP, new IommuIoasMap(RW, ioasId, 0, uptr, length, 0), out));
        return ((IommuIoasMap) out[0]).iova();
    }

    int ioasMapFixed(int ioasId, long uptr, long length, long iova) {
        return ioctl(IommufdIoctl.IOMMU_IOAS_MAP, new IommuIoasMap(RW | IommuIoasMapFlags.FIXED_IOVA, ioasId, 0, uptr, length, iova), null);
    }

    int ioasUnmap(int ioasId, long iova, long length) {
        return ioctl(IommufdIoctl.IOMMU_IOAS_UNMAP, new IommuIoasUnmap(ioasId, iova, length), null);
    }

    int setHugePages(int ioasId, boolean enable) {
        return ioctl(IommufdIoctl.IOMMU_OPTION, new IommuOption(1 /* HUGE_PAGES */, 0 /* SET */, 0, ioasId, enable ? 1 : 0), null);
    }

    /** HWPT_ALLOC; returns the errno, the ID in {@code id[0]}. {@code data} is copied to user memory. */
    int hwptAlloc(int devId, int ptId, int flags, int dataType, byte[] data, int[] id) {
        long uptr = 0;
        int len = 0;
        if (data != null) {
            uptr = process.mmapAnonymous(PAGE_SIZE, false);
            process.write(uptr, data, 0, data.length);
            len = data.length;
        }
        return hwptAlloc(devId, ptId, flags, dataType, uptr, len, id);
    }

    int hwptAlloc(int devId, int ptId, int flags, int dataType, long uptr, int len, int[] id) {
        Object[] out = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_HWPT_ALLOC, new IommuHwptAlloc(flags, devId, ptId, 0, 0, dataType, len, uptr, 0, 0), out);
        if (rc == 0 && id != null) {
            id[0] = ((IommuHwptAlloc) out[0]).outHwptId();
        }
        return rc;
    }

    int hwptAlloc(int devId, int ptId, int flags) {
        int[] id = new int[1];
        assertEquals(0, hwptAlloc(devId, ptId, flags, 0, null, id), "HWPT_ALLOC dev " + devId + " pt " + ptId);
        return id[0];
    }

    static byte[] selftestData(int iotlb, int pagetableType) {
        return StructCodec.of(SelftestUapi.IommuHwptSelftest.class).toBytes(new SelftestUapi.IommuHwptSelftest(iotlb, pagetableType));
    }

    int setDirtyTracking(int hwptId, boolean enable) {
        return ioctl(IommufdIoctl.IOMMU_HWPT_SET_DIRTY_TRACKING, new IommuHwptSetDirtyTracking(enable ? 1 : 0, hwptId, 0), null);
    }

    int getDirtyBitmap(int hwptId, long iova, long length, long pageSize, long bitmap, int flags) {
        return ioctl(IommufdIoctl.IOMMU_HWPT_GET_DIRTY_BITMAP,
                new IommuHwptGetDirtyBitmap(hwptId, flags, 0, iova, length, pageSize, bitmap), null);
    }

    /** test_cmd_get_hw_info with or without INPUT_TYPE; the struct comes back in {@code out[0]}. */
    int getHwInfo(int devId, int inType, boolean inputType, long uptr, int len, IommuHwInfo[] out) {
        Object[] o = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_GET_HW_INFO, new IommuHwInfo(inputType ? IommuHwInfoFlags.INPUT_TYPE : 0, devId, len, uptr,
                inType, 0, 0, 0), o);
        if (out != null) {
            out[0] = (IommuHwInfo) o[0];
        }
        return rc;
    }

    int hwptInvalidate(int hwptId, long uptr, int dataType, int entryLen, int[] entryNum) {
        Object[] o = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_HWPT_INVALIDATE, new IommuHwptInvalidate(hwptId, uptr, dataType, entryLen, entryNum[0], 0), o);
        entryNum[0] = ((IommuHwptInvalidate) o[0]).entryNum();
        return rc;
    }
}
