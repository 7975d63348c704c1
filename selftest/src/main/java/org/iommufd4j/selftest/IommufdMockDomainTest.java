package org.iommufd4j.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.iommufd4j.memory.SimProcess;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.IommufdUtils;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.iommufd4j.uapi.IommuIoasCopy;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommufdIoctl;
import org.iommufd4j.uapi.selftest.SelftestUapi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * FIXTURE(iommufd_mock_domain) of iommufd.c: maps checked entry by entry in one or two mock
 * domains, from anonymous memory, huge pages or a memfd.
 */
@Fixture(value = "iommufd_mock_domain", variants = IommufdMockDomainTest.Variant.class)
@MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN and IOMMU_TEST_OP_MD_CHECK_MAP")
final class IommufdMockDomainTest {
    /** The FIXTURE_VARIANT_ADD entries: mock_domains, hugepages, file. */
    enum Variant {
        one_domain(1, false, false),
        two_domains(2, false, false),
        one_domain_hugepage(1, true, false),
        two_domains_hugepage(2, true, false),
        one_domain_file(1, false, true),
        one_domain_file_hugepage(1, true, true);

        final int mockDomains;
        final boolean hugepages;
        final boolean file;

        Variant(int mockDomains, boolean hugepages, boolean file) {
            this.mockDomains = mockDomains;
            this.hugepages = hugepages;
            this.file = file;
        }
    }

    private static final long PAGE_SIZE = IommufdUtils.PAGE_SIZE;
    private static final long MOCK_PAGE_SIZE = IommufdUtils.MOCK_PAGE_SIZE;
    private static final int PROT_RW = SimProcess.PROT_READ | SimProcess.PROT_WRITE;

    private SelftestMachine machine;
    private Variant variant;
    private IommufdUtils t;
    private SimProcess process;
    private int ioasId;
    private int hwptId;
    private final int[] hwptIds = new int[2];
    private final int[] stdevIds = new int[2];
    private final int[] idevIds = new int[2];
    private int mmapFlags;
    private long mmapBufSize;

    @BeforeEach
    void setup(SelftestMachine machine, Variant variant) {
        this.machine = machine;
        this.variant = variant;
        // The mock driver answers IOMMU_TEST_CMD once it is loaded.
        machine.driverUnderTest();
        t = new IommufdUtils(machine);
        process = machine.process();
        ioasId = t.ioasAlloc();
        assertTrue(hwptIds.length >= variant.mockDomains);
        for (int i = 0; i != variant.mockDomains; i++) {
            int[] ids = t.mockDomain(ioasId, 0);
            stdevIds[i] = ids[0];
            hwptIds[i] = ids[1];
            idevIds[i] = ids[2];
            // test_cmd_dev_check_cache_all(idev_ids[0], IOMMU_TEST_DEV_CACHE_DEFAULT)
            for (int cacheId = 0; cacheId != SelftestUapi.MOCK_DEV_CACHE_NUM; cacheId++) {
                assertEquals(0, t.devCheckCache(idevIds[0], cacheId, SelftestUapi.IOMMU_TEST_DEV_CACHE_DEFAULT),
                        "DEV_CHECK_CACHE entry " + cacheId);
            }
        }
        hwptId = hwptIds[0];

        mmapFlags = SimProcess.MAP_SHARED | SimProcess.MAP_ANONYMOUS;
        mmapBufSize = PAGE_SIZE * 8;
        if (variant.hugepages) {
            mmapFlags |= SimProcess.MAP_HUGETLB | SimProcess.MAP_POPULATE;
            mmapBufSize = SimProcess.HUGEPAGE_SIZE * 2;
        }
    }

    @AfterEach
    void teardown() {
        machine.close();
    }

    /** check_mock_iova: the user pages made it to every domain of the fixture. */
    private void checkMockIova(long uptr, long iova, long length) {
        assertEquals(0, t.checkMap(hwptId, iova, uptr, length), "MD_CHECK_MAP hwpt " + hwptId + " iova 0x" + Long.toHexString(iova));
        if (hwptIds[1] != 0) {
            assertEquals(0, t.checkMap(hwptIds[1], iova, uptr, length),
                    "MD_CHECK_MAP hwpt " + hwptIds[1] + " iova 0x" + Long.toHexString(iova));
        }
    }

    /** check_refs. */
    private void checkRefs(long uptr, long length, int refs) {
        assertEquals(0, t.checkRefs(uptr, length, refs), "MD_CHECK_REFS [0x" + Long.toHexString(uptr) + ", +0x"
                + Long.toHexString(length) + ") = " + refs);
    }

    /** memfd_mmap of iommufd_utils.h: a memfd of {@code length} bytes mapped; {@code mfd[0]} gets the fd. */
    private long memfdMmap(long length, int prot, int flags, int[] mfd) {
        mfd[0] = process.memfdCreate("buffer");
        process.file(mfd[0]).truncate(length);
        return process.mmap(0, length, prot, flags, mfd[0], 0);
    }

    private void testBasicMmap() {
        long bufSize = mmapBufSize;
        // Simple one page map
        long iova = t.ioasMap(ioasId, machine.buffer(), PAGE_SIZE);
        checkMockIova(machine.buffer(), iova, PAGE_SIZE);

        long buf = process.mmap(0, bufSize, PROT_RW, mmapFlags, -1, 0);

        // EFAULT half way through mapping
        process.munmap(buf + bufSize / 2, bufSize / 2);
        assertEquals(Errno.EFAULT.value(), t.ioasMapErr(ioasId, buf, bufSize, IommufdUtils.RW, null));

        // EFAULT on first page
        process.munmap(buf, bufSize / 2);
        assertEquals(Errno.EFAULT.value(), t.ioasMapErr(ioasId, buf, bufSize, IommufdUtils.RW, null));
    }

    private void testBasicFile() {
        long bufSize = mmapBufSize;
        // Simple one page map
        long iova = t.ioasMapFile(ioasId, machine.mfd(), 0, PAGE_SIZE);
        checkMockIova(machine.mfdBuffer(), iova, PAGE_SIZE);

        int[] mfdTmp = new int[1];
        memfdMmap(bufSize, PROT_RW, SimProcess.MAP_SHARED, mfdTmp);

        assertEquals(Errno.EINVAL.value(), t.ioasMapFileErr(ioasId, mfdTmp[0], 0, bufSize + 1, null));

        process.file(mfdTmp[0]).truncate(0);
        assertEquals(Errno.EINVAL.value(), t.ioasMapFileErr(ioasId, mfdTmp[0], 0, bufSize, null));

        process.close(mfdTmp[0]);
    }

    @KernelTest
    void basic() {
        if (variant.file) {
            testBasicFile();
        } else {
            testBasicMmap();
        }
    }

    @KernelTest
    void ro_unshare() {
        // open("/proc/self/exe"): the simulated process has no executable; a file with contents of
        // its own stands in for it (what matters is a MAP_PRIVATE page of a file's page cache).
        int fd = process.memfdCreate("exe");
        byte[] contents = new byte[(int) PAGE_SIZE];
        Arrays.fill(contents, (byte) 0x7f);
        process.file(fd).write(0, contents, 0, contents.length);

        long buf = process.mmap(0, PAGE_SIZE, PROT_RW, SimProcess.MAP_PRIVATE, fd, 0);
        process.close(fd);

        /*
         * There have been lots of changes to the "unshare" mechanism in get_user_pages(), make sure
         * it works right. The write to the page after we map it for reading should not change the
         * assigned PFN.
         */
        long[] iova = new long[1];
        assertEquals(0, t.ioasMapErr(ioasId, buf, PAGE_SIZE, IommuIoasMapFlags.READABLE, iova));
        checkMockIova(buf, iova[0], PAGE_SIZE);
        byte[] ones = new byte[(int) PAGE_SIZE];
        Arrays.fill(ones, (byte) 1);
        process.write(buf, ones, 0, ones.length);
        checkMockIova(buf, iova[0], PAGE_SIZE);
        process.munmap(buf, PAGE_SIZE);
    }

    /** all_aligns and all_aligns_copy: every start/end in the variant's steps, mapped, checked, unmapped. */
    private void allAligns(boolean copy) {
        long testStep = variant.hugepages ? mmapBufSize / 16 : MOCK_PAGE_SIZE;
        long bufSize = mmapBufSize;
        int[] mfd = {-1};
        long buf;
        if (variant.file) {
            buf = memfdMmap(bufSize, PROT_RW, SimProcess.MAP_SHARED, mfd);
            assertTrue(mfd[0] > 0);
        } else {
            buf = process.mmap(0, bufSize, PROT_RW, mmapFlags, -1, 0);
        }
        checkRefs(buf, bufSize, 0);

        /*
         * Map every combination of page size and alignment within a big region, less for hugepage
         * case as it takes so long to finish.
         */
        for (long start = 0; start < bufSize; start += testStep) {
            long end = variant.hugepages ? bufSize : start + MOCK_PAGE_SIZE;
            for (; end < bufSize; end += MOCK_PAGE_SIZE) {
                long length = end - start;
                long iova = variant.file ? t.ioasMapFile(ioasId, mfd[0], start, length) : t.ioasMap(ioasId, buf + start, length);
                int mockStdevId = 0;
                int oldId = hwptIds[1];
                if (copy) {
                    // Add and destroy a domain while the area exists
                    int[] ids = t.mockDomain(ioasId, 0);
                    mockStdevId = ids[0];
                    hwptIds[1] = ids[1];
                }
                checkMockIova(buf + start, iova, length);
                checkRefs(buf + start / PAGE_SIZE * PAGE_SIZE, end / PAGE_SIZE * PAGE_SIZE - start / PAGE_SIZE * PAGE_SIZE, 1);
                if (copy) {
                    assertEquals(0, t.destroy(mockStdevId));
                    hwptIds[1] = oldId;
                }
                assertEquals(0, t.ioasUnmap(ioasId, iova, length));
            }
        }
        checkRefs(buf, bufSize, 0);
        process.munmap(buf, bufSize);
        if (variant.file) {
            process.close(mfd[0]);
        }
    }

    @KernelTest
    void all_aligns() {
        allAligns(false);
    }

    @KernelTest
    void all_aligns_copy() {
        allAligns(true);
    }

    @KernelTest
    void user_copy() {
        long buf = variant.file ? machine.mfdBuffer() : machine.buffer();
        long bufferSize = SelftestMachine.BUFFER_SIZE;
        long dstIova = IommufdUtils.MOCK_APERTURE_START;
        int copyFlags = IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.WRITEABLE;

        // Pin the pages in an IOAS with no domains then copy to an IOAS with domains
        int srcIoasId = t.ioasAlloc();
        long srcIova = variant.file ? t.ioasMapFile(srcIoasId, machine.mfd(), 0, bufferSize) : t.ioasMap(srcIoasId, buf, bufferSize);
        int accessFd = t.createAccess(srcIoasId, SelftestUapi.MOCK_FLAGS_ACCESS_CREATE_NEEDS_PIN_PAGES);

        int[] pagesId = new int[1];
        assertEquals(0, t.accessPages(accessFd, srcIova, bufferSize, buf, 0, pagesId));
        assertEquals(0, ioasCopy(copyFlags, ioasId, dstIova, srcIoasId, srcIova, bufferSize));
        checkMockIova(buf, dstIova, bufferSize);

        // Now replace the ioas with a new one
        int newIoasId = t.ioasAlloc();
        srcIova = variant.file ? t.ioasMapFile(newIoasId, machine.mfd(), 0, bufferSize) : t.ioasMap(newIoasId, buf, bufferSize);
        assertEquals(0, t.accessReplaceIoas(accessFd, newIoasId));

        // Destroy the old ioas and cleanup copied mapping
        assertEquals(0, t.ioasUnmap(ioasId, dstIova, bufferSize));
        assertEquals(0, t.destroy(srcIoasId));

        // Then run the same test again with the new ioas
        assertEquals(0, t.accessPages(accessFd, srcIova, bufferSize, buf, 0, pagesId));
        assertEquals(0, ioasCopy(copyFlags, ioasId, dstIova, newIoasId, srcIova, bufferSize));
        checkMockIova(buf, dstIova, bufferSize);

        assertEquals(0, t.destroyAccessPages(accessFd, pagesId[0]));
        t.destroyAccess(accessFd);

        assertEquals(0, t.destroy(newIoasId));
    }

    /** ioctl(IOMMU_IOAS_COPY): the errno. */
    private int ioasCopy(int flags, int dstIoasId, long dstIova, int srcIoasId, long srcIova, long length) {
        return t.ioctl(IommufdIoctl.IOMMU_IOAS_COPY, new IommuIoasCopy(flags, dstIoasId, srcIoasId, length, dstIova, srcIova), null);
    }

    @KernelTest
    void replace() {
        int newIoasId = t.ioasAlloc();
        assertEquals(0, t.mockDomainReplace(stdevIds[0], newIoasId, null));

        /*
         * Replacing the IOAS causes the prior HWPT to be deallocated, thus we should get enoent when
         * we try to use it.
         */
        if (variant.mockDomains == 1) {
            assertEquals(Errno.ENOENT.value(), t.mockDomainReplace(stdevIds[0], hwptIds[0], null));
        }

        assertEquals(0, t.mockDomainReplace(stdevIds[0], newIoasId, null));
        if (variant.mockDomains >= 2) {
            assertEquals(0, t.mockDomainReplace(stdevIds[0], hwptIds[1], null));
            assertEquals(0, t.mockDomainReplace(stdevIds[0], hwptIds[1], null));
            assertEquals(0, t.mockDomainReplace(stdevIds[0], hwptIds[0], null));
        }

        assertEquals(0, t.mockDomainReplace(stdevIds[0], ioasId, null));
        assertEquals(0, t.destroy(newIoasId));
    }

    @KernelTest
    void alloc_hwpt() {
        for (int i = 0; i != variant.mockDomains; i++) {
            int[] id = new int[1];
            assertEquals(Errno.EOPNOTSUPP.value(), t.hwptAlloc(idevIds[i], ioasId, ~IommuHwptAllocFlags.NEST_PARENT, 0, null, id));
            int hwpt0 = t.hwptAlloc(idevIds[i], ioasId, 0);
            int hwpt1 = t.hwptAlloc(idevIds[i], ioasId, IommuHwptAllocFlags.NEST_PARENT);

            // Do a hw_pagetable rotation test
            assertEquals(0, t.mockDomainReplace(stdevIds[i], hwpt0, null));
            assertEquals(Errno.EBUSY.value(), t.destroy(hwpt0));
            assertEquals(0, t.mockDomainReplace(stdevIds[i], hwpt1, null));
            assertEquals(Errno.EBUSY.value(), t.destroy(hwpt1));
            assertEquals(0, t.mockDomainReplace(stdevIds[i], ioasId, null));
            assertEquals(0, t.destroy(hwpt1));

            int[] ids = t.mockDomain(hwpt0, 0);
            assertEquals(0, t.destroy(ids[0]));
            assertEquals(0, t.destroy(hwpt0));
        }
    }
}
