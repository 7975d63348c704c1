package org.iommufd4j.selftest.kit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;


import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.uapi.selftest.IommuTestCmd;
import org.iommufd4j.uapi.selftest.IommuTestPayloads;
import org.iommufd4j.uapi.selftest.SelftestUapi;
import org.iommufd4j.uapi.selftest.IommuTestOp;
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
import org.iommufd4j.uapi.IommuIoasMapFile;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommuIoasUnmap;
import org.iommufd4j.uapi.IommuOption;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.StructCodec;
import org.iommufd4j.uapi.IommuFaultAlloc;
import org.iommufd4j.uapi.IommuHwQueueAlloc;
import org.iommufd4j.uapi.IommuHwptPageResponse;
import org.iommufd4j.uapi.IommuHwptPgfault;
import org.iommufd4j.uapi.IommuHwptPgfaultPerm;
import org.iommufd4j.uapi.IommuPageResponseCode;
import org.iommufd4j.uapi.IommuVdeviceAlloc;
import org.iommufd4j.uapi.IommuVeventqAlloc;
import org.iommufd4j.uapi.IommuVeventqFlag;
import org.iommufd4j.uapi.IommuViommuAlloc;
import org.iommufd4j.uapi.IommufdVeventHeader;

/**
 * The kernel selftest's iommufd_utils.h: every helper goes through {@link IommufdContext#ioctl} with
 * the struct's bytes, as the C test does, and returns 0 or the errno (the helpers named like the
 * kernel's {@code test_cmd_*} assert success instead). IOMMU_TEST_CMD is encoded from
 * {@code org.iommufd4j.uapi.selftest}, the layout of iommufd_test.h: the mock plugin that answers
 * it is loaded from its jar, never seen here.
 */
public final class IommufdUtils {
    public static final long PAGE_SIZE = 4096;
    public static final long MOCK_PAGE_SIZE = SelftestUapi.MOCK_PAGE_SIZE;
    public static final long MOCK_APERTURE_START = SelftestUapi.MOCK_APERTURE_START;
    public static final long MOCK_APERTURE_LAST = SelftestUapi.MOCK_APERTURE_LAST;
    public static final int RW = IommuIoasMapFlags.READABLE | IommuIoasMapFlags.WRITEABLE;

    private final SimProcess process;
    private final IommufdContext ctx;

    /** Helpers for the test's own context ({@code self->fd}) and process. */
    public IommufdUtils(SelftestMachine machine) {
        this(machine.process(), machine.ctx());
    }

    /** Helpers calling through {@code ctx} as {@code process}. */
    public IommufdUtils(SimProcess process, IommufdContext ctx) {
        this.process = process;
        this.ctx = ctx;
    }

    /** The same process calling through another context (a second open of /dev/iommu). */
    public IommufdUtils withContext(IommufdContext other) {
        return new IommufdUtils(process, other);
    }

    public IommufdContext ctx() {
        return ctx;
    }

    public SimProcess process() {
        return process;
    }

    // ------------------------------------------------------------------ raw ioctl

    /** ioctl(fd, cmd, struct): 0 or the errno; outputs land back in {@code out[0]}. */
    @SuppressWarnings("unchecked")
    public <T extends Record> int ioctl(int cmd, T in, Object[] out) {
        StructCodec<T> codec = StructCodec.of((Class<T>) in.getClass());
        byte[] bytes = codec.toBytes(in);
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int rc = ctx.ioctl(cmd, buf);
        if (out != null) {
            out[0] = codec.decode(bytes);
        }
        return rc < 0 ? -rc : 0;
    }

    public static int errno(Errno e) {
        return e.value();
    }

    // ------------------------------------------------------------------ IOMMU_TEST_CMD

    /** _IOMMU_TEST_CMD(op) with a payload record; returns the errno and puts the command back in {@code out}. */
    public int testCmd(int op, int id, Record payload, IommuTestCmd[] out) {
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

    public static <P extends Record> P payload(IommuTestCmd cmd, Class<P> type) {
        return StructCodec.of(type).decode(cmd.payload());
    }

    /** test_cmd_mock_domain_flags: {stdev, hwpt, idev}; asserts success. */
    public int[] mockDomain(int ptId, int flags) {
        int[] ids = new int[3];
        assertEquals(0, mockDomainErr(ptId, flags, ids), "MOCK_DOMAIN_FLAGS on " + ptId);
        return ids;
    }

    public int mockDomainErr(int ptId, int flags, int[] ids) {
        IommuTestCmd[] out = new IommuTestCmd[1];
        int rc = testCmd(IommuTestOp.MOCK_DOMAIN_FLAGS, ptId,
                new IommuTestPayloads.MockDomainFlags(0, 0, 0, flags), out);
        if (rc == 0 && ids != null) {
            var p = payload(out[0], IommuTestPayloads.MockDomainFlags.class);
            ids[0] = p.outStdevId();
            ids[1] = p.outHwptId();
            ids[2] = p.outIdevId();
        }
        return rc;
    }

    /** test_cmd_mock_domain_replace: returns the errno; {@code hwpt[0]} gets the attached HWPT. */
    public int mockDomainReplace(int stdevId, int ptId, int[] hwpt) {
        IommuTestCmd[] out = new IommuTestCmd[1];
        int rc = testCmd(IommuTestOp.MOCK_DOMAIN_REPLACE, stdevId,
                new IommuTestPayloads.MockDomainReplace(ptId), out);
        if (rc == 0 && hwpt != null) {
            hwpt[0] = payload(out[0], IommuTestPayloads.MockDomainReplace.class).ptId();
        }
        return rc;
    }

    /** check_mock_iova: MD_CHECK_MAP. */
    public int checkMap(int hwptId, long iova, long uptr, long length) {
        return testCmd(IommuTestOp.MD_CHECK_MAP, hwptId,
                new IommuTestPayloads.CheckMap(iova, length, uptr), null);
    }

    /** check_refs: MD_CHECK_REFS. */
    public int checkRefs(long uptr, long length, int refs) {
        return testCmd(IommuTestOp.MD_CHECK_REFS, 0,
                new IommuTestPayloads.CheckRefs(length, uptr, refs), null);
    }

    public int pasidOp(int op, int stdevId, int pasid, int ptId) {
        Record p = op == IommuTestOp.PASID_DETACH ? new IommuTestPayloads.PasidDetach(pasid)
                : new IommuTestPayloads.PasidPt(pasid, ptId);
        return testCmd(op, stdevId, p, null);
    }

    /** _test_ioctl_set_temp_memory_limit: SET_TEMP_MEMORY_LIMIT in KiB; returns the errno. */
    public int setTempMemoryLimit(int limit) {
        return testCmd(IommuTestOp.SET_TEMP_MEMORY_LIMIT, 0, new IommuTestPayloads.MemoryLimit(limit), null);
    }

    /** test_ioctl_set_default_memory_limit: 65536 KiB, as iommufd_utils.h sets it. */
    public void setDefaultMemoryLimit() {
        assertEquals(0, setTempMemoryLimit(65536), "SET_TEMP_MEMORY_LIMIT default");
    }

    /** ADD_RESERVED on IOAS {@code ioasId}; returns the errno. */
    public int addReserved(int ioasId, long start, long length) {
        return testCmd(IommuTestOp.ADD_RESERVED, ioasId, new IommuTestPayloads.AddReserved(start, length), null);
    }

    // ------------------------------------------------------------------ the selftest access (an fd)

    /** _test_cmd_create_access: returns the errno; the access fd lands in {@code fd[0]}. */
    public int createAccessErr(int ioasId, int flags, int[] fd) {
        IommuTestCmd[] out = new IommuTestCmd[1];
        int rc = testCmd(IommuTestOp.CREATE_ACCESS, ioasId, new IommuTestPayloads.CreateAccess(0, flags), out);
        if (rc == 0 && fd != null) {
            fd[0] = payload(out[0], IommuTestPayloads.CreateAccess.class).outAccessFd();
        }
        return rc;
    }

    /** test_cmd_create_access: asserts success, returns the access fd ({@code access_id} in the C test). */
    public int createAccess(int ioasId, int flags) {
        int[] fd = new int[1];
        assertEquals(0, createAccessErr(ioasId, flags, fd), "CREATE_ACCESS on " + ioasId);
        return fd[0];
    }

    /** _test_cmd_destroy_access: close(access_fd); 0 or the errno (EBADF when it is not open). */
    public int destroyAccessErr(int accessFd) {
        try {
            process.close(accessFd);
            return 0;
        } catch (org.iommufd4j.uapi.IommufdException e) {
            return e.errno().value();
        }
    }

    /** test_cmd_destroy_access: asserts the close succeeds. */
    public void destroyAccess(int accessFd) {
        assertEquals(0, destroyAccessErr(accessFd), "close(access fd " + accessFd + ")");
    }

    /** ACCESS_PAGES through access fd {@code accessFd}; returns the errno, the item in {@code pagesId[0]}. */
    public int accessPages(int accessFd, long iova, long length, long uptr, int flags, int[] pagesId) {
        IommuTestCmd[] out = new IommuTestCmd[1];
        int rc = testCmd(IommuTestOp.ACCESS_PAGES, accessFd, new IommuTestPayloads.AccessPages(flags, 0, iova, length, uptr), out);
        if (rc == 0 && pagesId != null) {
            pagesId[0] = payload(out[0], IommuTestPayloads.AccessPages.class).outAccessPagesId();
        }
        return rc;
    }

    /** _test_cmd_destroy_access_pages: returns the errno. */
    public int destroyAccessPages(int accessFd, int pagesId) {
        return testCmd(IommuTestOp.DESTROY_ACCESS_PAGES, accessFd, new IommuTestPayloads.DestroyAccessPages(pagesId), null);
    }

    /** ACCESS_RW through access fd {@code accessFd}; returns the errno. */
    public int accessRw(int accessFd, long iova, long length, long uptr, int flags) {
        return testCmd(IommuTestOp.ACCESS_RW, accessFd, new IommuTestPayloads.AccessRw(iova, length, uptr, flags), null);
    }

    /** _test_cmd_access_replace_ioas: returns the errno. */
    public int accessReplaceIoas(int accessFd, int ioasId) {
        return testCmd(IommuTestOp.ACCESS_REPLACE_IOAS, accessFd, new IommuTestPayloads.AccessReplaceIoas(ioasId), null);
    }

    // ------------------------------------------------------------------ framework ioctls

    public int ioasAlloc() {
        Object[] out = new Object[1];
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_IOAS_ALLOC, new IommuIoasAlloc(0, 0), out));
        return ((IommuIoasAlloc) out[0]).outIoasId();
    }

    public int destroy(int id) {
        return ioctl(IommufdIoctl.IOMMU_DESTROY, new IommuDestroy(id), null);
    }

    /** test_ioctl_ioas_map: auto IOVA, read/write; returns the IOVA. */
    public long ioasMap(int ioasId, long uptr, long length) {
        Object[] out = new Object[1];
        assertEquals(0, ioctl(IommufdIoctl.IOMMU_IOAS_MAP, new IommuIoasMap(RW, ioasId, 0, uptr, length, 0), out));
        return ((IommuIoasMap) out[0]).iova();
    }

    /** _test_ioctl_ioas_map with auto IOVA and the given flags: the errno; the IOVA in {@code iova[0]} on success. */
    public int ioasMapErr(int ioasId, long uptr, long length, int flags, long[] iova) {
        Object[] out = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_IOAS_MAP, new IommuIoasMap(flags, ioasId, 0, uptr, length, 0), out);
        if (rc == 0 && iova != null) {
            iova[0] = ((IommuIoasMap) out[0]).iova();
        }
        return rc;
    }

    /** _test_ioctl_ioas_map_file with auto IOVA, read/write: the errno; the IOVA in {@code iova[0]} on success. */
    public int ioasMapFileErr(int ioasId, int fd, long start, long length, long[] iova) {
        Object[] out = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_IOAS_MAP_FILE, new IommuIoasMapFile(RW, ioasId, fd, start, length, 0), out);
        if (rc == 0 && iova != null) {
            iova[0] = ((IommuIoasMapFile) out[0]).iova();
        }
        return rc;
    }

    /** _test_ioctl_ioas_map_file with IOMMU_IOAS_MAP_FIXED_IOVA, read/write: the errno. */
    public int ioasMapFixedFile(int ioasId, int fd, long start, long length, long iova) {
        return ioctl(IommufdIoctl.IOMMU_IOAS_MAP_FILE,
                new IommuIoasMapFile(RW | IommuIoasMapFlags.FIXED_IOVA, ioasId, fd, start, length, iova), null);
    }

    /** Linux O_CLOEXEC (asm-generic/fcntl.h), the open flags _test_cmd_get_dmabuf passes. */
    public static final int O_CLOEXEC = 02000000;

    /**
     * _test_cmd_get_dmabuf: IOMMU_TEST_OP_DMABUF_GET, whose ioctl value is the new dma-buf fd;
     * returns that fd, or the negative errno.
     */
    public int getDmabufFd(long length) {
        byte[] p = new byte[IommuTestCmd.PAYLOAD_SIZE];
        StructCodec.of(IommuTestPayloads.DmabufGet.class).encode(new IommuTestPayloads.DmabufGet((int) length, O_CLOEXEC),
                ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN));
        byte[] cmd = StructCodec.of(IommuTestCmd.class).toBytes(new IommuTestCmd(IommuTestOp.DMABUF_GET, 0, 0, p, 0));
        return ctx.ioctl(IommufdIoctl.IOMMU_TEST_CMD, ByteBuffer.wrap(cmd).order(ByteOrder.LITTLE_ENDIAN));
    }

    /** test_cmd_get_dmabuf: asserts success and returns the fd. */
    public int getDmabuf(long length) {
        int fd = getDmabufFd(length);
        assertTrue(fd >= 0, "DMABUF_GET length " + length + " returned " + fd);
        return fd;
    }

    /** _test_cmd_revoke_dmabuf: IOMMU_TEST_OP_DMABUF_REVOKE; the errno. */
    public int revokeDmabuf(int dmabufFd, boolean revoked) {
        return testCmd(IommuTestOp.DMABUF_REVOKE, 0, new IommuTestPayloads.DmabufRevoke(dmabufFd, revoked ? 1 : 0), null);
    }

    /** test_ioctl_ioas_map_id_file: asserts success and returns the IOVA. */
    public long ioasMapFile(int ioasId, int fd, long start, long length) {
        long[] iova = new long[1];
        assertEquals(0, ioasMapFileErr(ioasId, fd, start, length, iova), "IOAS_MAP_FILE fd " + fd + " [" + start + ", +" + length + ")");
        return iova[0];
    }

    public int ioasMapFixed(int ioasId, long uptr, long length, long iova) {
        return ioctl(IommufdIoctl.IOMMU_IOAS_MAP, new IommuIoasMap(RW | IommuIoasMapFlags.FIXED_IOVA, ioasId, 0, uptr, length, iova), null);
    }

    public int ioasUnmap(int ioasId, long iova, long length) {
        return ioctl(IommufdIoctl.IOMMU_IOAS_UNMAP, new IommuIoasUnmap(ioasId, iova, length), null);
    }

    public int setHugePages(int ioasId, boolean enable) {
        return ioctl(IommufdIoctl.IOMMU_OPTION, new IommuOption(1 /* HUGE_PAGES */, 0 /* SET */, 0, ioasId, enable ? 1 : 0), null);
    }

    /** HWPT_ALLOC; returns the errno, the ID in {@code id[0]}. {@code data} is copied to user memory. */
    public int hwptAlloc(int devId, int ptId, int flags, int dataType, byte[] data, int[] id) {
        long uptr = 0;
        int len = 0;
        if (data != null) {
            uptr = process.mmapAnonymous(PAGE_SIZE, false);
            process.write(uptr, data, 0, data.length);
            len = data.length;
        }
        return hwptAlloc(devId, ptId, flags, dataType, uptr, len, id);
    }

    public int hwptAlloc(int devId, int ptId, int flags, int dataType, long uptr, int len, int[] id) {
        Object[] out = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_HWPT_ALLOC, new IommuHwptAlloc(flags, devId, ptId, 0, 0, dataType, len, uptr, 0, 0), out);
        if (rc == 0 && id != null) {
            id[0] = ((IommuHwptAlloc) out[0]).outHwptId();
        }
        return rc;
    }

    public int hwptAlloc(int devId, int ptId, int flags) {
        int[] id = new int[1];
        assertEquals(0, hwptAlloc(devId, ptId, flags, 0, null, id), "HWPT_ALLOC dev " + devId + " pt " + ptId);
        return id[0];
    }

    public static byte[] selftestData(int iotlb, int pagetableType) {
        return StructCodec.of(SelftestUapi.IommuHwptSelftest.class).toBytes(new SelftestUapi.IommuHwptSelftest(iotlb, pagetableType));
    }

    public int setDirtyTracking(int hwptId, boolean enable) {
        return ioctl(IommufdIoctl.IOMMU_HWPT_SET_DIRTY_TRACKING, new IommuHwptSetDirtyTracking(enable ? 1 : 0, hwptId, 0), null);
    }

    public int getDirtyBitmap(int hwptId, long iova, long length, long pageSize, long bitmap, int flags) {
        return ioctl(IommufdIoctl.IOMMU_HWPT_GET_DIRTY_BITMAP,
                new IommuHwptGetDirtyBitmap(hwptId, flags, 0, iova, length, pageSize, bitmap), null);
    }

    /** test_cmd_get_hw_info with or without INPUT_TYPE; the struct comes back in {@code out[0]}. */
    public int getHwInfo(int devId, int inType, boolean inputType, long uptr, int len, IommuHwInfo[] out) {
        Object[] o = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_GET_HW_INFO, new IommuHwInfo(inputType ? IommuHwInfoFlags.INPUT_TYPE : 0, devId, len, uptr,
                inType, 0, 0, 0), o);
        if (out != null) {
            out[0] = (IommuHwInfo) o[0];
        }
        return rc;
    }

    public int hwptInvalidate(int hwptId, long uptr, int dataType, int entryLen, int[] entryNum) {
        Object[] o = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_HWPT_INVALIDATE, new IommuHwptInvalidate(hwptId, uptr, dataType, entryLen, entryNum[0], 0), o);
        entryNum[0] = ((IommuHwptInvalidate) o[0]).entryNum();
        return rc;
    }
    /** _test_cmd_mock_domain (IOMMU_TEST_OP_MOCK_DOMAIN): the errno; {stdev, hwpt, idev} in {@code ids} on success. */
    public int mockDomainOp(int ptId, int[] ids) {
        IommuTestCmd[] out = new IommuTestCmd[1];
        int rc = testCmd(IommuTestOp.MOCK_DOMAIN, ptId, new IommuTestPayloads.MockDomain(0, 0, 0), out);
        if (rc == 0 && ids != null) {
            var p = payload(out[0], IommuTestPayloads.MockDomain.class);
            ids[0] = p.outStdevId();
            ids[1] = p.outHwptId();
            ids[2] = p.outIdevId();
        }
        return rc;
    }

    // ------------------------------------------------------------------ dirty tracking

    /** test_cmd_hwpt_alloc_iommupt: a paging HWPT of mock page-table type {@code iommuptType}; asserts success. */
    public int hwptAllocIommupt(int devId, int ptId, int flags, int iommuptType) {
        int[] id = new int[1];
        assertEquals(0, hwptAlloc(devId, ptId, flags, SelftestUapi.IOMMU_HWPT_DATA_SELFTEST, selftestData(0, iommuptType), id),
                "HWPT_ALLOC (iommupt type " + iommuptType + ") dev " + devId + " pt " + ptId);
        return id[0];
    }

    /** _test_cmd_mock_domain_set_dirty (IOMMU_TEST_OP_DIRTY): the errno; the count of dirtied PTEs in {@code nrDirty[0]}. */
    public int mockDomainSetDirty(int hwptId, long length, long iova, long pageSize, long bitmap, long[] nrDirty) {
        IommuTestCmd[] out = new IommuTestCmd[1];
        int rc = testCmd(IommuTestOp.DIRTY, hwptId, new IommuTestPayloads.Dirty(0, iova, length, pageSize, bitmap, 0), out);
        if (rc == 0 && nrDirty != null) {
            nrDirty[0] = payload(out[0], IommuTestPayloads.Dirty.class).outNrDirty();
        }
        return rc;
    }

    /**
     * _test_mock_dirty_bitmaps: marks the first {@code pageSize} of every other PTE of
     * {@code ptePageSize} dirty through IOMMU_TEST_OP_DIRTY, reads the bitmap back with
     * GET_DIRTY_BITMAP (each dirty PTE must show as exactly its {@code ptePageSize / pageSize}
     * bits), then reads again: all clear, unless {@code flags} has NO_CLEAR.
     */
    public void mockDirtyBitmaps(int hwptId, long length, long iova, long pageSize, long ptePageSize, long bitmap,
            long nbits, int flags) {
        long npte = ptePageSize / pageSize;
        long pteset = 2 * npte;
        long nr = nbits / pteset == 0 ? 1 : nbits / pteset;
        int bitmapSize = (int) ((nbits + 7) / 8);

        // Mark all even bits as dirty in the mock domain
        byte[] bits = new byte[bitmapSize];
        for (long i = 0; i < nbits; i += pteset) {
            bits[(int) (i >>> 3)] |= (byte) (1 << (i & 7));
        }
        process.write(bitmap, bits, 0, bitmapSize);
        long[] outDirty = new long[1];
        assertEquals(0, mockDomainSetDirty(hwptId, length, iova, pageSize, bitmap, outDirty), "IOMMU_TEST_OP_DIRTY");
        assertEquals(nr, outDirty[0], "out_nr_dirty");

        // Expect all even bits as dirty in the user bitmap
        byte[] got = new byte[bitmapSize];
        process.write(bitmap, new byte[bitmapSize], 0, bitmapSize);
        assertEquals(0, getDirtyBitmap(hwptId, iova, length, pageSize, bitmap, flags), "GET_DIRTY_BITMAP");
        process.read(bitmap, got, 0, bitmapSize);
        for (long i = 0; i < nbits; i += pteset) {
            for (long j = 0; j < pteset; j++) {
                if ((j < npte) != testBit(got, i + j)) {
                    assertEquals(j < npte, testBit(got, i + j), "bit " + (i + j) + " of " + nbits);
                }
            }
            assertEquals(i % pteset == 0, testBit(got, i), "bit " + i);
        }

        process.write(bitmap, new byte[bitmapSize], 0, bitmapSize);
        assertEquals(0, getDirtyBitmap(hwptId, iova, length, pageSize, bitmap, flags), "GET_DIRTY_BITMAP again");
        process.read(bitmap, got, 0, bitmapSize);
        // It as read already -- expect all zeroes (unless NO_CLEAR kept them)
        boolean noClear = (flags & org.iommufd4j.uapi.IommuHwptGetDirtyBitmapFlags.NO_CLEAR) != 0;
        for (long i = 0; i < nbits; i += pteset) {
            for (long j = 0; j < pteset; j++) {
                boolean expected = j < npte && noClear;
                if (expected != testBit(got, i + j)) {
                    assertEquals(expected, testBit(got, i + j), "bit " + (i + j) + " of " + nbits + " after the first read");
                }
            }
        }
    }

    private static boolean testBit(byte[] b, long bit) {
        return (b[(int) (bit >>> 3)] & (1 << (bit & 7))) != 0;
    }

    // ------------------------------------------------------------------ faults, vIOMMU objects (issue #4)

    /** Copies {@code data} into a fresh page of the process; 0 for null. */
    public long userCopy(byte[] data) {
        if (data == null) {
            return 0;
        }
        long uptr = process.mmapAnonymous(PAGE_SIZE, false);
        process.write(uptr, data, 0, data.length);
        return uptr;
    }

    /** _test_ioctl_fault_alloc: {@code out = {fault_id, fault_fd}}. */
    public int faultAlloc(int[] out) {
        Object[] o = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_FAULT_QUEUE_ALLOC, new IommuFaultAlloc(0, 0, 0), o);
        if (rc == 0) {
            out[0] = ((IommuFaultAlloc) o[0]).outFaultId();
            out[1] = ((IommuFaultAlloc) o[0]).outFaultFd();
        }
        return rc;
    }

    /** _test_cmd_hwpt_alloc_iopf: HWPT_ALLOC with a fault_id. */
    public int hwptAllocIopf(int devId, int ptId, int faultId, int flags, int dataType, byte[] data, int[] id) {
        return hwptAllocIopf(devId, ptId, faultId, flags, dataType, userCopy(data), data == null ? 0 : data.length, id);
    }

    /** _test_cmd_hwpt_alloc_iopf with the data already in user memory at {@code uptr}. */
    public int hwptAllocIopf(int devId, int ptId, int faultId, int flags, int dataType, long uptr, int len, int[] id) {
        Object[] out = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_HWPT_ALLOC, new IommuHwptAlloc(flags, devId, ptId, 0, 0, dataType,
                len, uptr, faultId, 0), out);
        if (rc == 0 && id != null) {
            id[0] = ((IommuHwptAlloc) out[0]).outHwptId();
        }
        return rc;
    }

    /**
     * _test_cmd_trigger_iopf: TRIGGER_IOPF (grpid 2, read|write, addr 0xdeadbeaf), then one
     * iommu_hwpt_pgfault read from the fault fd and a SUCCESS response with its cookie written
     * back; a read or write of nothing is EIO.
     */
    public int triggerIopf(int devId, int pasid, int faultFd) {
        int rc = testCmd(IommuTestOp.TRIGGER_IOPF, 0, new IommuTestPayloads.TriggerIopf(devId, pasid, 0x2,
                IommuHwptPgfaultPerm.READ | IommuHwptPgfaultPerm.WRITE, 0xdeadbeafL), null);
        if (rc != 0) {
            return rc;
        }
        StructCodec<IommuHwptPgfault> fc = StructCodec.of(IommuHwptPgfault.class);
        byte[] fault = new byte[fc.size()];
        if (process.readFd(faultFd, fault, 0, fault.length) <= 0) {
            return Errno.EIO.value();
        }
        StructCodec<IommuHwptPageResponse> rcodec = StructCodec.of(IommuHwptPageResponse.class);
        byte[] response = rcodec.toBytes(new IommuHwptPageResponse(fc.decode(fault).cookie(), IommuPageResponseCode.SUCCESS));
        if (process.writeFd(faultFd, response, 0, response.length) <= 0) {
            return Errno.EIO.value();
        }
        return 0;
    }

    /** _test_cmd_viommu_alloc: returns the errno; the ID in {@code id[0]}; {@code data} is read back into {@code dataOut[0]}. */
    public int viommuAlloc(int devId, int hwptId, int type, byte[] data, int[] id, byte[][] dataOut) {
        long uptr = userCopy(data);
        Object[] out = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_VIOMMU_ALLOC, new IommuViommuAlloc(0, type, devId, hwptId, 0,
                data == null ? 0 : data.length, 0, uptr), out);
        if (rc == 0 && id != null) {
            id[0] = ((IommuViommuAlloc) out[0]).outViommuId();
        }
        if (data != null && dataOut != null) {
            dataOut[0] = new byte[data.length];
            process.read(uptr, dataOut[0], 0, data.length);
        }
        return rc;
    }

    /** _test_cmd_vdevice_alloc. */
    public int vdeviceAlloc(int viommuId, int devId, long virtId, int[] id) {
        Object[] out = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_VDEVICE_ALLOC, new IommuVdeviceAlloc(viommuId, devId, 0, virtId), out);
        if (rc == 0 && id != null) {
            id[0] = ((IommuVdeviceAlloc) out[0]).outVdeviceId();
        }
        return rc;
    }

    /** _test_cmd_hw_queue_alloc. */
    public int hwQueueAlloc(int viommuId, int type, int index, long iova, long length, int[] id) {
        Object[] out = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_HW_QUEUE_ALLOC, new IommuHwQueueAlloc(0, viommuId, type, index, 0, iova, length), out);
        if (rc == 0 && id != null) {
            id[0] = ((IommuHwQueueAlloc) out[0]).outHwQueueId();
        }
        return rc;
    }

    /** _test_cmd_veventq_alloc with a depth: {@code out = {veventq_id, veventq_fd}} (may be null). */
    public int veventqAlloc(int viommuId, int type, int depth, int[] out) {
        Object[] o = new Object[1];
        int rc = ioctl(IommufdIoctl.IOMMU_VEVENTQ_ALLOC, new IommuVeventqAlloc(0, viommuId, type, depth, 0, 0, 0), o);
        if (rc == 0 && out != null) {
            out[0] = ((IommuVeventqAlloc) o[0]).outVeventqId();
            out[1] = ((IommuVeventqAlloc) o[0]).outVeventqFd();
        }
        return rc;
    }

    /** _test_cmd_trigger_vevents: TRIGGER_VEVENT {@code n} times, stopping at the first failure. */
    public int triggerVevents(int devId, int n) {
        for (int i = 0; i < n; i++) {
            int rc = testCmd(IommuTestOp.TRIGGER_VEVENT, 0, new IommuTestPayloads.TriggerVevent(devId), null);
            if (rc != 0) {
                return rc;
            }
        }
        return 0;
    }

    /**
     * _test_cmd_read_vevents: reads {@code n} header+event records at once; a LOST_EVENTS header
     * or a sequence gap is EOVERFLOW, an event of another virt_id EINVAL, an empty read EFAULT.
     * Like the C helper, every record's payload is taken from the first one.
     */
    public int readVevents(int veventqFd, int n, int virtId, int[] prevSeq) {
        StructCodec<IommufdVeventHeader> hc = StructCodec.of(IommufdVeventHeader.class);
        StructCodec<SelftestUapi.IommuViommuEventSelftest> ec = StructCodec.of(SelftestUapi.IommuViommuEventSelftest.class);
        int stride = hc.size() + ec.size();
        byte[] data = new byte[n * stride];
        int bytes;
        try {
            bytes = process.readFd(veventqFd, data, 0, data.length);
        } catch (org.iommufd4j.uapi.IommufdException e) {
            return e.errno().value();
        }
        if (bytes <= 0) {
            return Errno.EFAULT.value();
        }
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) {
            int flags = b.getInt(i * stride);
            int seq = b.getInt(i * stride + 4);
            if ((flags & IommuVeventqFlag.LOST_EVENTS) != 0 || seq - prevSeq[0] > 1) {
                prevSeq[0] = seq;
                return Errno.EOVERFLOW.value();
            }
            prevSeq[0] = seq;
            if (b.getInt(hc.size()) != virtId) {
                return Errno.EINVAL.value();
            }
        }
        return 0;
    }

    /** read(2) on a special fd: the byte count, or -errno. */
    public int readFd(int fd, byte[] buf, int len) {
        try {
            return process.readFd(fd, buf, 0, len);
        } catch (org.iommufd4j.uapi.IommufdException e) {
            return -e.errno().value();
        }
    }

    /** test_cmd_dev_check_cache: DEV_CHECK_CACHE on DEVICE {@code devId}. */
    public int devCheckCache(int devId, int cacheId, int value) {
        return testCmd(IommuTestOp.DEV_CHECK_CACHE, devId, new IommuTestPayloads.CheckDevCache(cacheId, value), null);
    }

    /** _test_cmd_viommu_invalidate: entries copied to user memory (null: a NULL data_uptr); entry_num in/out. */
    public int viommuInvalidate(int viommuId, byte[] entries, int dataType, int entryLen, int[] entryNum) {
        return hwptInvalidate(viommuId, userCopy(entries), dataType, entryLen, entryNum);
    }
}
