package org.iommufd4j.drivers.mock;

import org.iommufd4j.uapi.selftest.SelftestUapi;
import static org.iommufd4j.drivers.mock.MockKselftest.MOCK_APERTURE_START;
import static org.iommufd4j.drivers.mock.MockKselftest.MOCK_PAGE_SIZE;
import static org.iommufd4j.drivers.mock.MockKselftest.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommufd4j.uapi.selftest.IommuTestCmd;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.uapi.selftest.IommuTestPayloads.Dirty;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwCapabilities;
import org.iommufd4j.uapi.IommuHwInfo;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuHwptGetDirtyBitmapFlags;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel's FIXTURE(iommufd_dirty_tracking): enforce_dirty, set_dirty_tracking,
 * device_dirty_capability, get_dirty_bitmap and get_dirty_bitmap_no_clear, for the variants whose
 * buffer is plain anonymous memory (domain_dirty8k .. 320k, 64M; the _huge variants need hugetlb).
 */
class IommufdDirtyTrackingTest {
    static final class Fixture implements AutoCloseable {
        final MockKselftest t = new MockKselftest();
        final long bufferSize;
        final long buffer;
        final long bitmap;
        final long bitmapSize;
        final int ioasId;
        final int stdevId;
        final int hwptId;
        final int idevId;

        Fixture(long bufferSize) {
            this.bufferSize = bufferSize;
            buffer = t.process.mmapAnonymous(bufferSize, true);
            bitmapSize = bufferSize / MOCK_PAGE_SIZE;
            // room for the unaligned cases: + PAGE_SIZE
            bitmap = t.process.mmapAnonymous((bitmapSize + 7) / 8 + PAGE_SIZE + PAGE_SIZE, false);
            ioasId = t.ioasAlloc();
            // The page size fed into the IO page table must match what the dirty logic expects.
            assertEquals(0, t.setHugePages(ioasId, false));
            int[] ids = t.mockDomain(ioasId, 0);
            stdevId = ids[0];
            hwptId = ids[1];
            idevId = ids[2];
        }

        @Override
        public void close() {
            t.close();
        }
    }

    @ParameterizedTest(name = "buffer {0}")
    @ValueSource(longs = {8 << 10, 16 << 10})
    void enforceDirty(long size) {
        try (Fixture f = new Fixture(size)) {
            MockKselftest t = f.t;
            int devFlags = SelftestUapi.MOCK_FLAGS_DEVICE_NO_DIRTY;
            int hwptId = t.hwptAlloc(f.idevId, f.ioasId, IommuHwptAllocFlags.DIRTY_TRACKING);
            int[] ids = t.mockDomain(hwptId, 0);
            assertEquals(Errno.EINVAL.value(), t.mockDomainErr(hwptId, devFlags, null));
            assertEquals(0, t.destroy(ids[0]));
            assertEquals(0, t.destroy(hwptId));

            // An IOMMU device that does not support dirty tracking
            int ioasId = t.ioasAlloc();
            int[] noDirty = t.mockDomain(ioasId, devFlags);
            assertEquals(Errno.EOPNOTSUPP.value(), t.hwptAlloc(noDirty[2], ioasId, IommuHwptAllocFlags.DIRTY_TRACKING, 0, null, new int[1]));
            assertEquals(0, t.destroy(noDirty[0]));
        }
    }

    @ParameterizedTest(name = "buffer {0}")
    @ValueSource(longs = {8 << 10})
    void setDirtyTracking(long size) {
        try (Fixture f = new Fixture(size)) {
            MockKselftest t = f.t;
            int hwptId = t.hwptAlloc(f.idevId, f.ioasId, IommuHwptAllocFlags.DIRTY_TRACKING);
            int[] ids = t.mockDomain(hwptId, 0);
            assertEquals(0, t.setDirtyTracking(hwptId, true));
            assertEquals(0, t.setDirtyTracking(hwptId, false));
            // A HWPT without dirty ops, and something that is not a paging HWPT
            assertEquals(Errno.EOPNOTSUPP.value(), t.setDirtyTracking(f.hwptId, true));
            assertEquals(Errno.ENOENT.value(), t.setDirtyTracking(f.ioasId, true));
            assertEquals(0, t.destroy(ids[0]));
            assertEquals(0, t.destroy(hwptId));
        }
    }

    @ParameterizedTest(name = "buffer {0}")
    @ValueSource(longs = {8 << 10})
    void pasidSetDirtyTracking(long size) {
        try (Fixture f = new Fixture(size)) {
            MockKselftest t = f.t;
            int pasid = 100;
            int hwptId = t.hwptAlloc(f.idevId, f.ioasId, IommuHwptAllocFlags.PASID | IommuHwptAllocFlags.DIRTY_TRACKING);
            int[] ids = t.mockDomain(hwptId, SelftestUapi.MOCK_FLAGS_DEVICE_PASID);
            assertEquals(0, t.pasidOp(IommuTestOp.PASID_ATTACH, ids[0], pasid, hwptId));
            assertEquals(0, t.setDirtyTracking(hwptId, true));
            assertEquals(0, t.setDirtyTracking(hwptId, false));
            assertEquals(0, t.pasidOp(IommuTestOp.PASID_DETACH, ids[0], pasid, 0));
            assertEquals(0, t.destroy(ids[0]));

            int ioasId = t.ioasAlloc();
            int[] noDirty = t.mockDomain(ioasId, SelftestUapi.MOCK_FLAGS_DEVICE_PASID | SelftestUapi.MOCK_FLAGS_DEVICE_NO_DIRTY);
            assertEquals(Errno.EINVAL.value(), t.pasidOp(IommuTestOp.PASID_ATTACH, noDirty[0], pasid, hwptId));
            assertEquals(0, t.destroy(noDirty[0]));
            assertEquals(0, t.destroy(hwptId));
        }
    }

    @ParameterizedTest(name = "buffer {0}")
    @ValueSource(longs = {8 << 10})
    void deviceDirtyCapability(long size) {
        try (Fixture f = new Fixture(size)) {
            MockKselftest t = f.t;
            int hwptId = t.hwptAlloc(f.idevId, f.ioasId, 0);
            int[] ids = t.mockDomain(hwptId, 0);
            IommuHwInfo[] info = new IommuHwInfo[1];
            assertEquals(0, t.getHwInfo(f.idevId, 0, false, 0, 0, info));
            assertEquals(IommuHwCapabilities.DIRTY_TRACKING, info[0].outCapabilities() & IommuHwCapabilities.DIRTY_TRACKING);
            assertEquals(0, t.destroy(ids[0]));
            assertEquals(0, t.destroy(hwptId));
        }
    }

    @ParameterizedTest(name = "buffer {0}")
    @ValueSource(longs = {8 << 10, 16 << 10, 64 << 10, 128 << 10, 320 << 10, 64 << 20})
    void getDirtyBitmap(long size) {
        dirtyBitmaps(size, 0);
    }

    @ParameterizedTest(name = "buffer {0}")
    @ValueSource(longs = {8 << 10, 16 << 10, 64 << 10, 128 << 10, 320 << 10})
    void getDirtyBitmapNoClear(long size) {
        dirtyBitmaps(size, IommuHwptGetDirtyBitmapFlags.NO_CLEAR);
    }

    private static void dirtyBitmaps(long size, int flags) {
        try (Fixture f = new Fixture(size)) {
            MockKselftest t = f.t;
            assertEquals(0, t.ioasMapFixed(f.ioasId, f.buffer, size, MOCK_APERTURE_START));
            int[] id = new int[1];
            assertEquals(0, t.hwptAlloc(f.idevId, f.ioasId, IommuHwptAllocFlags.DIRTY_TRACKING, SelftestUapi.IOMMU_HWPT_DATA_SELFTEST,
                    MockKselftest.selftestData(0, SelftestUapi.MOCK_IOMMUPT_DEFAULT), id));
            int hwptId = id[0];
            assertEquals(0, t.setDirtyTracking(hwptId, true));
            mockDirtyBitmaps(t, hwptId, size, MOCK_APERTURE_START, MOCK_PAGE_SIZE, MOCK_PAGE_SIZE, f.bitmap, f.bitmapSize, flags);
            // PAGE_SIZE unaligned bitmap
            mockDirtyBitmaps(t, hwptId, size, MOCK_APERTURE_START, MOCK_PAGE_SIZE, MOCK_PAGE_SIZE, f.bitmap + MOCK_PAGE_SIZE,
                    f.bitmapSize, flags);
            // u64 unaligned bitmap
            mockDirtyBitmaps(t, hwptId, size, MOCK_APERTURE_START, MOCK_PAGE_SIZE, MOCK_PAGE_SIZE, f.bitmap + 0xff1,
                    f.bitmapSize, flags);
            assertEquals(0, t.destroy(hwptId));
        }
    }

    /** iommufd_utils.h _test_mock_dirty_bitmaps. */
    static void mockDirtyBitmaps(MockKselftest t, int hwptId, long length, long iova, long pageSize, long ptePageSize,
            long bitmap, long nbits, int flags) {
        long npte = ptePageSize / pageSize;
        long pteset = 2 * npte;
        long nr = nbits / pteset == 0 ? 1 : nbits / pteset;
        int bitmapSize = (int) ((nbits + 7) / 8);

        // Mark all even bits as dirty in the mock domain
        byte[] bits = new byte[bitmapSize];
        for (long i = 0; i < nbits; i += pteset) {
            bits[(int) (i >>> 3)] |= (byte) (1 << (i & 7));
        }
        t.process.write(bitmap, bits, 0, bitmapSize);
        IommuTestCmd[] out = new IommuTestCmd[1];
        assertEquals(0, t.testCmd(IommuTestOp.DIRTY, hwptId, new Dirty(0, iova, length, pageSize, bitmap, 0), out));
        assertEquals(nr, MockKselftest.payload(out[0], Dirty.class).outNrDirty());

        // Expect all even bits as dirty in the user bitmap
        t.process.write(bitmap, new byte[bitmapSize], 0, bitmapSize);
        assertEquals(0, t.getDirtyBitmap(hwptId, iova, length, pageSize, bitmap, flags));
        byte[] got = new byte[bitmapSize];
        t.process.read(bitmap, got, 0, bitmapSize);
        for (long i = 0; i < nbits; i += pteset) {
            for (long j = 0; j < pteset; j++) {
                assertEquals(j < npte, testBit(got, i + j), "bit " + (i + j));
            }
            assertEquals(i % pteset == 0, testBit(got, i));
        }

        t.process.write(bitmap, new byte[bitmapSize], 0, bitmapSize);
        assertEquals(0, t.getDirtyBitmap(hwptId, iova, length, pageSize, bitmap, flags));
        t.process.read(bitmap, got, 0, bitmapSize);
        // Read already: all zeroes, unless NO_CLEAR kept them
        for (long i = 0; i < nbits; i += pteset) {
            for (long j = 0; j < pteset; j++) {
                assertEquals(j < npte && (flags & IommuHwptGetDirtyBitmapFlags.NO_CLEAR) != 0, testBit(got, i + j),
                        "bit " + (i + j) + " after the first read");
            }
        }
    }

    private static boolean testBit(byte[] b, long bit) {
        return (b[(int) (bit >>> 3)] & (1 << (bit & 7))) != 0;
    }
}
