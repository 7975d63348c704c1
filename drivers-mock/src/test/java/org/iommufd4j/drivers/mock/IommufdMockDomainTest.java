package org.iommufd4j.drivers.mock;

import static org.iommufd4j.drivers.mock.MockKselftest.MOCK_APERTURE_START;
import static org.iommufd4j.drivers.mock.MockKselftest.MOCK_PAGE_SIZE;
import static org.iommufd4j.drivers.mock.MockKselftest.PAGE_SIZE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuHwptAllocFlags;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The kernel's FIXTURE(iommufd_mock_domain) tests basic, all_aligns, replace and alloc_hwpt, for the
 * one_domain and two_domains variants (the hugepage and file variants need hugetlb and memfd
 * mappings of the fixture's buffer and come with the selftest port).
 */
class IommufdMockDomainTest {
    /** FIXTURE_SETUP(iommufd_mock_domain). */
    static final class Fixture implements AutoCloseable {
        final MockKselftest t = new MockKselftest();
        final int ioasId;
        final int[] stdevIds;
        final int[] hwptIds;
        final int[] idevIds;
        final long buffer;
        final long mmapBufSize = PAGE_SIZE * 8;

        Fixture(int mockDomains) {
            ioasId = t.ioasAlloc();
            stdevIds = new int[mockDomains];
            hwptIds = new int[mockDomains];
            idevIds = new int[mockDomains];
            for (int i = 0; i < mockDomains; i++) {
                int[] ids = t.mockDomain(ioasId, 0);
                stdevIds[i] = ids[0];
                hwptIds[i] = ids[1];
                idevIds[i] = ids[2];
            }
            buffer = t.process.mmapAnonymous(PAGE_SIZE * 16, true);
        }

        /** check_mock_iova over every domain of the fixture. */
        void checkMockIova(long uptr, long iova, long length) {
            for (int hwpt : hwptIds) {
                assertEquals(0, t.checkMap(hwpt, iova, uptr, length), "MD_CHECK_MAP hwpt " + hwpt + " iova 0x" + Long.toHexString(iova));
            }
        }

        @Override
        public void close() {
            // teardown_iommufd: nothing of the buffer may still be pinned
            t.ctx.close();
            assertEquals(0, t.process.pinCountAt(buffer));
            assertEquals(0, t.machine.iommufd().liveObjects());
        }
    }

    @ParameterizedTest(name = "{0} domain(s)")
    @ValueSource(ints = {1, 2})
    void basic(int domains) {
        try (Fixture f = new Fixture(domains)) {
            MockKselftest t = f.t;
            long iova = t.ioasMap(f.ioasId, f.buffer, PAGE_SIZE);
            f.checkMockIova(f.buffer, iova, PAGE_SIZE);

            long bufSize = f.mmapBufSize;
            long buf = t.process.mmapAnonymous(bufSize, true);
            // EFAULT half way through mapping
            t.process.munmap(buf + bufSize / 2, bufSize / 2);
            assertEquals(Errno.EFAULT.value(), t.ioctl(org.iommufd4j.uapi.IommufdIoctl.IOMMU_IOAS_MAP,
                    new org.iommufd4j.uapi.IommuIoasMap(MockKselftest.RW, f.ioasId, 0, buf, bufSize, 0), null));
            // EFAULT on first page
            t.process.munmap(buf, bufSize / 2);
            assertEquals(Errno.EFAULT.value(), t.ioctl(org.iommufd4j.uapi.IommufdIoctl.IOMMU_IOAS_MAP,
                    new org.iommufd4j.uapi.IommuIoasMap(MockKselftest.RW, f.ioasId, 0, buf, bufSize, 0), null));
        }
    }

    @ParameterizedTest(name = "{0} domain(s)")
    @ValueSource(ints = {1, 2})
    void allAligns(int domains) {
        try (Fixture f = new Fixture(domains)) {
            MockKselftest t = f.t;
            long bufSize = f.mmapBufSize;
            long buf = t.process.mmapAnonymous(bufSize, true);
            // Touch the buffer so its pages exist before the first reference check.
            t.process.write(buf, new byte[(int) bufSize], 0, (int) bufSize);
            assertEquals(0, t.checkRefs(buf, bufSize, 0));
            for (long start = 0; start < bufSize; start += MOCK_PAGE_SIZE) {
                for (long end = start + MOCK_PAGE_SIZE; end < bufSize; end += MOCK_PAGE_SIZE) {
                    long length = end - start;
                    long iova = t.ioasMap(f.ioasId, buf + start, length);
                    f.checkMockIova(buf + start, iova, length);
                    long first = start / PAGE_SIZE * PAGE_SIZE;
                    assertEquals(0, t.checkRefs(buf + first, end / PAGE_SIZE * PAGE_SIZE - first, 1),
                            "pins of [" + start + ", " + end + ")");
                    assertEquals(0, t.ioasUnmap(f.ioasId, iova, length));
                }
            }
            assertEquals(0, t.checkRefs(buf, bufSize, 0));
            t.process.munmap(buf, bufSize);
        }
    }

    @ParameterizedTest(name = "{0} domain(s)")
    @ValueSource(ints = {2})
    void allAlignsCopy(int domains) {
        try (Fixture f = new Fixture(domains)) {
            MockKselftest t = f.t;
            long bufSize = f.mmapBufSize;
            long buf = t.process.mmapAnonymous(bufSize, true);
            t.process.write(buf, new byte[(int) bufSize], 0, (int) bufSize);
            assertEquals(0, t.checkRefs(buf, bufSize, 0));
            for (long start = 0; start < bufSize; start += MOCK_PAGE_SIZE) {
                for (long end = start + MOCK_PAGE_SIZE; end < bufSize; end += MOCK_PAGE_SIZE) {
                    long length = end - start;
                    long iova = t.ioasMap(f.ioasId, buf + start, length);
                    // Add and destroy a domain while the area exists
                    int old = f.hwptIds[1];
                    int[] ids = t.mockDomain(f.ioasId, 0);
                    f.hwptIds[1] = ids[1];
                    f.checkMockIova(buf + start, iova, length);
                    long first = start / PAGE_SIZE * PAGE_SIZE;
                    assertEquals(0, t.checkRefs(buf + first, end / PAGE_SIZE * PAGE_SIZE - first, 1));
                    assertEquals(0, t.destroy(ids[0]));
                    f.hwptIds[1] = old;
                    assertEquals(0, t.ioasUnmap(f.ioasId, iova, length));
                }
            }
            assertEquals(0, t.checkRefs(buf, bufSize, 0));
        }
    }

    @ParameterizedTest(name = "{0} domain(s)")
    @ValueSource(ints = {1, 2})
    void replace(int domains) {
        try (Fixture f = new Fixture(domains)) {
            MockKselftest t = f.t;
            int ioasId = t.ioasAlloc();
            assertEquals(0, t.mockDomainReplace(f.stdevIds[0], ioasId, null));
            // Replacing the IOAS causes the prior HWPT to be deallocated, thus ENOENT.
            if (domains == 1) {
                assertEquals(Errno.ENOENT.value(), t.mockDomainReplace(f.stdevIds[0], f.hwptIds[0], null));
            }
            assertEquals(0, t.mockDomainReplace(f.stdevIds[0], ioasId, null));
            if (domains >= 2) {
                assertEquals(0, t.mockDomainReplace(f.stdevIds[0], f.hwptIds[1], null));
                assertEquals(0, t.mockDomainReplace(f.stdevIds[0], f.hwptIds[1], null));
                assertEquals(0, t.mockDomainReplace(f.stdevIds[0], f.hwptIds[0], null));
            }
            int[] attached = new int[1];
            assertEquals(0, t.mockDomainReplace(f.stdevIds[0], f.ioasId, attached));
            assertEquals(0, t.destroy(ioasId));
            if (domains == 1) {
                assertEquals(Errno.EBUSY.value(), t.destroy(attached[0]), "the new automatic HWPT is in use");
            }
        }
    }

    @ParameterizedTest(name = "{0} domain(s)")
    @ValueSource(ints = {1, 2})
    void allocHwpt(int domains) {
        try (Fixture f = new Fixture(domains)) {
            MockKselftest t = f.t;
            for (int i = 0; i < domains; i++) {
                int[] id = new int[1];
                assertEquals(Errno.EOPNOTSUPP.value(), t.hwptAlloc(f.idevIds[i], f.ioasId, ~IommuHwptAllocFlags.NEST_PARENT, 0, null, id));
                int hwpt0 = t.hwptAlloc(f.idevIds[i], f.ioasId, 0);
                int hwpt1 = t.hwptAlloc(f.idevIds[i], f.ioasId, IommuHwptAllocFlags.NEST_PARENT);

                // hw_pagetable rotation
                assertEquals(0, t.mockDomainReplace(f.stdevIds[i], hwpt0, null));
                assertEquals(Errno.EBUSY.value(), t.destroy(hwpt0));
                assertEquals(0, t.mockDomainReplace(f.stdevIds[i], hwpt1, null));
                assertEquals(Errno.EBUSY.value(), t.destroy(hwpt1));
                assertEquals(0, t.mockDomainReplace(f.stdevIds[i], f.ioasId, null));
                assertEquals(0, t.destroy(hwpt1));

                int[] ids = t.mockDomain(hwpt0, 0);
                assertEquals(hwpt0, ids[1], "a device attached to an explicit HWPT reports it");
                assertEquals(0, t.destroy(ids[0]));
                assertEquals(0, t.destroy(hwpt0));
            }
        }
    }

    @ParameterizedTest(name = "{0} domain(s)")
    @ValueSource(ints = {1, 2})
    void mappingsReachEveryDomainAndTheirAperture(int domains) {
        try (Fixture f = new Fixture(domains)) {
            MockKselftest t = f.t;
            // The mock aperture starts at 16 MiB: the domain reserved what lies below it in the IOAS.
            assertEquals(Errno.EINVAL.value(), t.ioasMapFixed(f.ioasId, f.buffer, PAGE_SIZE, MOCK_APERTURE_START - PAGE_SIZE));
            assertEquals(0, t.ioasMapFixed(f.ioasId, f.buffer, PAGE_SIZE, MOCK_APERTURE_START));
            f.checkMockIova(f.buffer, MOCK_APERTURE_START, PAGE_SIZE);
        }
    }
}
