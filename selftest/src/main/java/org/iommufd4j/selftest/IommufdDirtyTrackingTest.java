package org.iommufd4j.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.IommufdUtils;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwCapabilities;
import org.iommufd4j.uapi.IommuHwInfo;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuHwptGetDirtyBitmapFlags;
import org.iommufd4j.uapi.selftest.IommuTestOp;
import org.iommufd4j.uapi.selftest.SelftestUapi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;

/**
 * FIXTURE(iommufd_dirty_tracking) of tools/testing/selftests/iommu/iommufd.c: dirty tracking on
 * mock domains over buffers of 8 KiB to 128 MiB, with and without huge pages.
 */
@Fixture(value = "iommufd_dirty_tracking", variants = IommufdDirtyTrackingTest.Variant.class)
@MockOnly("IOMMU_TEST_OP_DIRTY and mock devices")
final class IommufdDirtyTrackingTest {
    private static final long MOCK_PAGE_SIZE = SelftestUapi.MOCK_PAGE_SIZE;
    private static final long MOCK_HUGE_PAGE_SIZE = SelftestUapi.MOCK_HUGE_PAGE_SIZE;
    private static final long MOCK_APERTURE_START = SelftestUapi.MOCK_APERTURE_START;
    private static final long PAGE_SIZE = SelftestMachine.PAGE_SIZE;
    /** iommufd.c HUGEPAGE_SIZE (hpage_pmd_size; 2 MiB on x86). */
    private static final long HUGEPAGE_SIZE = 2L << 20;

    /** The FIXTURE_VARIANT_ADD entries: buffer_size and hugepages. */
    enum Variant {
        /** half of an u8 index bitmap */
        domain_dirty8k(8L << 10, false),
        /** one u8 index bitmap */
        domain_dirty16k(16L << 10, false),
        /** one u32 index bitmap */
        domain_dirty64k(64L << 10, false),
        /** one u64 index bitmap */
        domain_dirty128k(128L << 10, false),
        /** two u64 index and trailing end bitmap */
        domain_dirty320k(320L << 10, false),
        /** 4K bitmap (64M IOVA range) */
        domain_dirty64M(64L << 20, false),
        domain_dirty64M_huge(64L << 20, true),
        /** 8K bitmap (128M IOVA range) */
        domain_dirty128M(128L << 20, false),
        domain_dirty128M_huge(128L << 20, true);

        final long bufferSize;
        final boolean hugepages;

        Variant(long bufferSize, boolean hugepages) {
            this.bufferSize = bufferSize;
            this.hugepages = hugepages;
        }
    }

    private SelftestMachine machine;
    private IommufdUtils t;
    private Variant variant;
    private int ioasId;
    private int hwptId;
    private int stdevId;
    private int idevId;
    private long pageSize;
    private long bitmapSize;
    private long bitmap;
    private long buffer;

    @BeforeEach
    void setup(SelftestMachine machine, Variant variant) {
        this.machine = machine;
        this.variant = variant;
        Assumptions.assumeTrue(variant.bufferSize >= MOCK_PAGE_SIZE,
                () -> "Skipping buffer_size=" + variant.bufferSize + ", less than MOCK_PAGE_SIZE=" + MOCK_PAGE_SIZE);
        // The mock driver answers IOMMU_TEST_CMD once it is loaded (the kernel's CONFIG_IOMMUFD_TEST).
        machine.driverUnderTest();
        t = new IommufdUtils(machine);
        SimProcess process = machine.process();

        int mmapFlags = SimProcess.MAP_SHARED | SimProcess.MAP_ANONYMOUS | SimProcess.MAP_FIXED;
        long mmapBufferSize = variant.bufferSize;
        if (variant.hugepages) {
            // MAP_POPULATE will cause the kernel to fail mmap if THPs are not available.
            mmapFlags |= SimProcess.MAP_HUGETLB | SimProcess.MAP_POPULATE;
            // The allocation must be aligned to HUGEPAGE_SIZE: mmap rounds the length up to it.
            mmapBufferSize = Math.max(mmapBufferSize, HUGEPAGE_SIZE);
        }
        // posix_memalign(HUGEPAGE_SIZE), then mmap(MAP_FIXED) over it.
        long reserved = process.mmapAnonymous(mmapBufferSize + HUGEPAGE_SIZE, false);
        long aligned = (reserved + HUGEPAGE_SIZE - 1) & -HUGEPAGE_SIZE;
        buffer = process.mmap(aligned, mmapBufferSize, SimProcess.PROT_READ | SimProcess.PROT_WRITE, mmapFlags, -1, 0);
        assertEquals(aligned, buffer);

        pageSize = MOCK_PAGE_SIZE;
        bitmapSize = variant.bufferSize / pageSize;
        // Provision with an extra (PAGE_SIZE) for the unaligned case
        long size = (bitmapSize + 7) / 8;
        bitmap = process.mmapAnonymous(size + PAGE_SIZE, false);

        ioasId = t.ioasAlloc();
        // For dirty testing it is important that the page size fed into the iommu page tables
        // matches the size the dirty logic expects, or set_dirty can touch too much stuff.
        if (!variant.hugepages) {
            assertEquals(0, t.setHugePages(ioasId, false));
        }
        int[] ids = t.mockDomain(ioasId, 0);
        stdevId = ids[0];
        hwptId = ids[1];
        idevId = ids[2];
    }

    @AfterEach
    void teardown() {
        machine.close();
    }

    @KernelTest
    void enforce_dirty() {
        // Regular case
        int devFlags = SelftestUapi.MOCK_FLAGS_DEVICE_NO_DIRTY;
        int hwpt = t.hwptAlloc(idevId, ioasId, IommuHwptAllocFlags.DIRTY_TRACKING);
        int stddev = t.mockDomain(hwpt, 0)[0];
        assertEquals(Errno.EINVAL.value(), t.mockDomainErr(hwpt, devFlags, null));
        assertEquals(0, t.destroy(stddev));
        assertEquals(0, t.destroy(hwpt));

        // IOMMU device does not support dirty tracking
        int ioas = t.ioasAlloc();
        int[] ids = t.mockDomain(ioas, devFlags);
        assertEquals(Errno.EOPNOTSUPP.value(),
                t.hwptAlloc(ids[2], ioas, IommuHwptAllocFlags.DIRTY_TRACKING, 0, null, new int[1]));
        assertEquals(0, t.destroy(ids[0]));
    }

    @KernelTest
    void set_dirty_tracking() {
        int hwpt = t.hwptAlloc(idevId, ioasId, IommuHwptAllocFlags.DIRTY_TRACKING);
        int stddev = t.mockDomain(hwpt, 0)[0];
        assertEquals(0, t.setDirtyTracking(hwpt, true));
        assertEquals(0, t.setDirtyTracking(hwpt, false));

        assertEquals(0, t.destroy(stddev));
        assertEquals(0, t.destroy(hwpt));
    }

    @KernelTest
    void pasid_set_dirty_tracking() {
        int pasid = 100;
        int devFlags = SelftestUapi.MOCK_FLAGS_DEVICE_PASID;

        // Regular case
        int hwpt = t.hwptAlloc(idevId, ioasId, IommuHwptAllocFlags.PASID | IommuHwptAllocFlags.DIRTY_TRACKING);
        int stddev = t.mockDomain(hwpt, devFlags)[0];
        assertEquals(0, t.pasidOp(IommuTestOp.PASID_ATTACH, stddev, pasid, hwpt));
        assertEquals(0, t.setDirtyTracking(hwpt, true));
        assertEquals(0, t.setDirtyTracking(hwpt, false));
        assertEquals(0, t.pasidOp(IommuTestOp.PASID_DETACH, stddev, pasid, 0));

        assertEquals(0, t.destroy(stddev));

        // IOMMU device does not support dirty tracking
        devFlags |= SelftestUapi.MOCK_FLAGS_DEVICE_NO_DIRTY;
        int ioas = t.ioasAlloc();
        stddev = t.mockDomain(ioas, devFlags)[0];
        assertEquals(Errno.EINVAL.value(), t.pasidOp(IommuTestOp.PASID_ATTACH, stddev, pasid, hwpt));

        assertEquals(0, t.destroy(stddev));
        assertEquals(0, t.destroy(hwpt));
    }

    @KernelTest
    void device_dirty_capability() {
        int hwpt = t.hwptAlloc(idevId, ioasId, 0);
        int stddev = t.mockDomain(hwpt, 0)[0];
        // test_cmd_get_hw_capabilities
        IommuHwInfo[] info = new IommuHwInfo[1];
        assertEquals(0, t.getHwInfo(idevId, 0, false, 0, 0, info));
        long caps = info[0].outCapabilities();
        assertEquals(IommuHwCapabilities.DIRTY_TRACKING, caps & IommuHwCapabilities.DIRTY_TRACKING);

        assertEquals(0, t.destroy(stddev));
        assertEquals(0, t.destroy(hwpt));
    }

    @KernelTest
    void get_dirty_bitmap() {
        dirtyBitmaps(0);
    }

    @KernelTest
    void get_dirty_bitmap_no_clear() {
        dirtyBitmaps(IommuHwptGetDirtyBitmapFlags.NO_CLEAR);
    }

    /** The common body of get_dirty_bitmap and get_dirty_bitmap_no_clear, which differ only in flags. */
    private void dirtyBitmaps(int flags) {
        long ptePageSize = variant.hugepages ? MOCK_HUGE_PAGE_SIZE : MOCK_PAGE_SIZE;

        assertEquals(0, t.ioasMapFixed(ioasId, buffer, variant.bufferSize, MOCK_APERTURE_START));

        int hwpt = t.hwptAllocIommupt(idevId, ioasId, IommuHwptAllocFlags.DIRTY_TRACKING,
                variant.hugepages ? SelftestUapi.MOCK_IOMMUPT_HUGE : SelftestUapi.MOCK_IOMMUPT_DEFAULT);

        assertEquals(0, t.setDirtyTracking(hwpt, true));

        t.mockDirtyBitmaps(hwpt, variant.bufferSize, MOCK_APERTURE_START, pageSize, ptePageSize, bitmap, bitmapSize, flags);

        // PAGE_SIZE unaligned bitmap
        t.mockDirtyBitmaps(hwpt, variant.bufferSize, MOCK_APERTURE_START, pageSize, ptePageSize, bitmap + MOCK_PAGE_SIZE,
                bitmapSize, flags);

        // u64 unaligned bitmap
        t.mockDirtyBitmaps(hwpt, variant.bufferSize, MOCK_APERTURE_START, pageSize, ptePageSize, bitmap + 0xff1,
                bitmapSize, flags);

        assertEquals(0, t.destroy(hwpt));
    }
}
