package org.iommufd4j.selftest;

import static org.iommufd4j.selftest.kit.KernelAssertions.expectErrno;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommufd4j.core.IommufdContext;
import org.iommufd4j.ioas.IoasCalls;
import org.iommufd4j.selftest.kit.Awaits;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.Pending;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuDestroy;
import org.iommufd4j.uapi.IommuIoasCopy;
import org.iommufd4j.uapi.IommuIoasMapFlags;
import org.iommufd4j.uapi.IommuOption;
import org.iommufd4j.uapi.IommuOptionId;
import org.iommufd4j.uapi.IommuOptionOps;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * FIXTURE(iommufd_ioas) of iommufd.c: an IOAS, with zero, one or two mock domains attached
 * through mock devices, and a temporary memory limit in one variant.
 */
@Fixture(value = "iommufd_ioas", variants = IommufdIoasTest.Variant.class)
final class IommufdIoasTest {
    /** The FIXTURE_VARIANT_ADD entries. */
    enum Variant {
        no_domain(0, 0, false),
        /** One mock domain, and a second PASID-capable device. */
        @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN devices")
        @Pending(Awaits.DEVICES)
        mock_domain(1, 0, true),
        @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN devices")
        @Pending(Awaits.DEVICES)
        two_mock_domain(2, 0, false),
        /** One mock domain with IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT 16. */
        @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN devices and IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT")
        @Pending(Awaits.DEVICES)
        mock_domain_limit(1, 16, false);

        final int mockDomains;
        final int memoryLimit;
        final boolean pasidCapable;

        Variant(int mockDomains, int memoryLimit, boolean pasidCapable) {
            this.mockDomains = mockDomains;
            this.memoryLimit = memoryLimit;
            this.pasidCapable = pasidCapable;
        }
    }

    /**
     * The mock's constants (iommufd_test.h), used by the no_domain cases too as plain IOVAs and
     * offsets: there they need no mock driver.
     */
    static final long MOCK_APERTURE_START = 1L << 24;
    static final long MOCK_PAGE_SIZE = 2048;

    private SelftestMachine machine;
    private int ioasId;
    /** {@code self->base_iova}: 0 without a domain, MOCK_APERTURE_START with one. */
    private long baseIova;
    /** The mock device of the domain variants ({@code self->stdev_id}); 0 without one. */
    private int stdevId;

    @BeforeEach
    void setup(SelftestMachine machine, Variant variant) {
        this.machine = machine;
        ioasId = machine.ctx().ioasAlloc();
        // test_ioctl_set_default_memory_limit() is a no-op here: every case runs on a fresh machine
        // whose mock limit is the default. The variants with mock domains (and the memory limit)
        // are @Pending until devices land (issue #4); their setup cannot run before then.
        if (variant.mockDomains != 0 || variant.memoryLimit != 0 || variant.pasidCapable) {
            throw new IllegalStateException(variant + ": mock domains are not available yet");
        }
    }

    private IommufdContext ctx() {
        return machine.ctx();
    }

    @AfterEach
    void teardown() {
        // teardown_iommufd: close, then nothing may be left (objects, page frames).
        machine.close();
    }

    /** Closing the file frees the IOAS: the teardown's leak check is the test. */
    @KernelTest
    void ioas_auto_destroy() {
        assertEquals(1, machine.ctx().objects().size(), "setup's IOAS");
    }

    @KernelTest
    void ioas_destroy() {
        if (stdevId != 0) {
            // IOAS cannot be freed while a device has a HWPT using it
            expectErrno(Errno.EBUSY, () -> ctx().destroy(ioasId));
        } else {
            // Can allocate and manually free an IOAS table
            machine.ctx().call(new IommuDestroy(ioasId));
            assertEquals(0, machine.ctx().objects().size());
        }
    }

    /** Parent/nested HWPT alloc, negative errnos, fault queue and IOPF, invalidate negatives, teardown order. */
    @KernelTest
    @MockOnly("IOMMU_HWPT_DATA_SELFTEST and IOMMU_TEST_OP_MD_CHECK_IOTLB")
    @Pending(Awaits.NESTING)
    void alloc_hwpt_nested() {
    }

    /** A mock device attached directly to an existing HWPT ID. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN")
    @Pending(Awaits.DEVICES)
    void hwpt_attach() {
    }

    /** GET_HW_INFO with zero, exact, larger and smaller buffers; ENOENT without a device. */
    @KernelTest
    @MockOnly("struct iommu_test_hw_info")
    @Pending(Awaits.DEVICES)
    void get_hw_info() {
    }

    /** Automatic IOVAs: alignment, reserved and allowed ranges, EADDRINUSE. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_ADD_RESERVED")
    void area_auto_iova() {
    }

    /** A huge reserved range leaves no room: MAP is ENOSPC (syzbot regression). */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_ADD_RESERVED")
    void reserved_overflow() {
    }

    /** Allowed and reserved ranges intersecting: EADDRINUSE in both orders. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_ADD_RESERVED")
    void area_allowed() {
    }

    /** IOVA range reporting, EMSGSIZE, a reserved hole, the mock aperture and alignment. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED and MOCK_APERTURE_*")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_ADD_RESERVED")
    void iova_ranges() {
    }

    /** Pin through an access across a huge page, then destroy the domain. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_CREATE_ACCESS and its ACCESS_PAGES/ACCESS_RW")
    void access_domain_destory() {
    }

    /** Access pin/unpin loops, two users, a domain added while pinned. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_TEST_OP_ACCESS_PAGES")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_CREATE_ACCESS and its ACCESS_PAGES/ACCESS_RW")
    void access_pin() {
    }

    /** An IOAS unmap forces the access's unmap callback. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_CREATE_ACCESS and its ACCESS_PAGES/ACCESS_RW")
    void access_pin_unmap() {
    }

    /** ACCESS_RW at many offsets and lengths, fast and slow paths. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ACCESS_RW")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_CREATE_ACCESS and its ACCESS_PAGES/ACCESS_RW")
    void access_rw() {
    }

    /** ACCESS_RW with an IOVA offset of MOCK_PAGE_SIZE. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ACCESS_RW, MOCK_PAGE_SIZE")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_CREATE_ACCESS and its ACCESS_PAGES/ACCESS_RW")
    void access_rw_unaligned() {
    }

    /** A map made by a child that exited: copy works if pinned, else attach is EFAULT. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN, IOMMU_TEST_OP_CREATE_ACCESS")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_CREATE_ACCESS and mock domains")
    void fork_gone() {
    }

    /** A map made by a live child, read through an access. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS")
    @Pending(value = Awaits.TEST_CMD, detail = "IOMMU_TEST_OP_CREATE_ACCESS and mock domains")
    void fork_present() {
    }

    /** MAP_FILE of the mock dma-buf: zero length, start=size, size+1 are EINVAL. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_DMABUF_GET")
    @Pending(Awaits.DMA_BUF)
    void dmabuf_simple() {
    }

    /** Revoke makes MAP ENODEV; unrevoke makes it work again. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_DMABUF_REVOKE")
    @Pending(Awaits.DMA_BUF)
    void dmabuf_revoke() {
    }

    // ------------------------------------------------------------ ported with the io_pagetable (issue #3)

    private long pageSize() {
        return SelftestMachine.PAGE_SIZE;
    }

    @KernelTest
    void ioas_area_destroy() {
        // Adding an area does not change ability to destroy
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), pageSize(), baseIova);
        if (stdevId != 0) {
            expectErrno(Errno.EBUSY, () -> ctx().destroy(ioasId));
        } else {
            ctx().destroy(ioasId);
        }
    }

    @KernelTest
    void ioas_area_auto_destroy() {
        // Can allocate and automatically free an IOAS table with many areas
        for (int i = 0; i != 10; i++) {
            IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), pageSize(), baseIova + i * pageSize());
        }
    }

    @KernelTest
    void area() {
        long page = pageSize();
        long buffer = machine.buffer();
        // Unmap fails if nothing is mapped
        for (int i = 0; i != 10; i++) {
            long iova = i * page;
            expectErrno(Errno.ENOENT, () -> IoasCalls.unmap(ctx(), ioasId, iova, page));
        }
        // Unmap works
        for (int i = 0; i != 10; i++) {
            IoasCalls.mapFixed(ctx(), ioasId, buffer, page, baseIova + i * page);
        }
        for (int i = 0; i != 10; i++) {
            IoasCalls.unmap(ctx(), ioasId, baseIova + i * page, page);
        }
        // Split fails
        IoasCalls.mapFixed(ctx(), ioasId, buffer, page * 2, baseIova + 16 * page);
        expectErrno(Errno.ENOENT, () -> IoasCalls.unmap(ctx(), ioasId, baseIova + 16 * page, page));
        expectErrno(Errno.ENOENT, () -> IoasCalls.unmap(ctx(), ioasId, baseIova + 17 * page, page));
        // Over map fails
        expectErrno(Errno.EEXIST, () -> IoasCalls.mapFixed(ctx(), ioasId, buffer, page * 2, baseIova + 16 * page));
        expectErrno(Errno.EEXIST, () -> IoasCalls.mapFixed(ctx(), ioasId, buffer, page, baseIova + 16 * page));
        expectErrno(Errno.EEXIST, () -> IoasCalls.mapFixed(ctx(), ioasId, buffer, page, baseIova + 17 * page));
        expectErrno(Errno.EEXIST, () -> IoasCalls.mapFixed(ctx(), ioasId, buffer, page * 2, baseIova + 15 * page));
        expectErrno(Errno.EEXIST, () -> IoasCalls.mapFixed(ctx(), ioasId, buffer, page * 3, baseIova + 15 * page));
        // unmap all works
        IoasCalls.unmap(ctx(), ioasId, 0, -1L);
        // Unmap all succeeds on an empty IOAS
        IoasCalls.unmap(ctx(), ioasId, 0, -1L);
    }

    @KernelTest
    void unmap_fully_contained_areas() {
        long page = pageSize();
        // Give no_domain some space to rewind base_iova
        long base = baseIova + 4 * page;
        for (int i = 0; i != 4; i++) {
            IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), 8 * page, base + i * 16 * page);
        }
        // Unmap not fully contained area doesn't work
        expectErrno(Errno.ENOENT, () -> IoasCalls.unmap(ctx(), ioasId, base - 4 * page, 8 * page));
        expectErrno(Errno.ENOENT, () -> IoasCalls.unmap(ctx(), ioasId, base + 3 * 16 * page + 8 * page - 4 * page, 8 * page));
        // Unmap fully contained areas works
        long unmapped = IoasCalls.unmap(ctx(), ioasId, base - 4 * page, 3 * 16 * page + 8 * page + 4 * page);
        assertEquals(32 * page, unmapped);
    }

    @KernelTest
    void copy_area() {
        long page = pageSize();
        int flags = IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.WRITEABLE;
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), page, baseIova);
        // Copy inside a single IOAS
        ctx().call(new IommuIoasCopy(flags, ioasId, ioasId, page, baseIova + page, baseIova));
        // Copy between IOAS's
        int dst = ctx().ioasAlloc();
        ctx().call(new IommuIoasCopy(flags, dst, ioasId, page, 0, baseIova));
    }

    @KernelTest
    void ioas_option_huge_pages() {
        IommufdContext c = ctx();
        assertEquals(1, c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.GET, 0, ioasId, 3)).val64());
        c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.SET, 0, ioasId, 0));
        assertEquals(0, c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.GET, 0, ioasId, 3)).val64());
        expectErrno(Errno.EINVAL, () -> c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.SET, 0, ioasId, 2)));
        c.call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.SET, 0, ioasId, 1));
    }

    @KernelTest
    void ioas_iova_alloc(Variant variant) {
        for (long length = 1; length != pageSize() * 2; length++) {
            long len = length;
            if (variant.mockDomains != 0 && (length % MOCK_PAGE_SIZE) != 0) {
                expectErrno(Errno.EINVAL, () -> IoasCalls.map(ctx(), ioasId, machine.buffer(), len));
            } else {
                long iova = IoasCalls.map(ctx(), ioasId, machine.buffer(), length);
                IoasCalls.unmap(ctx(), ioasId, iova, length);
            }
        }
    }

    @KernelTest
    void ioas_align_change(Variant variant) {
        long page = pageSize();
        // 0 means everything must be aligned to PAGE_SIZE
        IommuOption alignToPage = new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.SET, 0, ioasId, 0);
        // We cannot upgrade the alignment using OPTION_HUGE_PAGES when a domain and map are present.
        if (variant.mockDomains != 0) {
            return;
        }
        // We can upgrade to PAGE_SIZE alignment when things are aligned right
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), page, MOCK_APERTURE_START);
        ctx().call(alignToPage);
        // Misalignment is rejected at map time
        expectErrno(Errno.EINVAL, () -> IoasCalls.mapFixed(ctx(), ioasId, machine.buffer() + MOCK_PAGE_SIZE, page,
                MOCK_APERTURE_START + page));
        ctx().call(alignToPage);
        // Reduce alignment
        ctx().call(new IommuOption(IommuOptionId.HUGE_PAGES, IommuOptionOps.SET, 0, ioasId, 1));
        // Confirm misalignment is rejected during alignment upgrade
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer() + MOCK_PAGE_SIZE, page, MOCK_APERTURE_START + page);
        expectErrno(Errno.EADDRINUSE, () -> ctx().call(alignToPage));
        IoasCalls.unmap(ctx(), ioasId, MOCK_APERTURE_START + page, page);
        IoasCalls.unmap(ctx(), ioasId, MOCK_APERTURE_START, page);
    }

    @KernelTest
    void copy_sweep(Variant variant) {
        int dstIoasId = ctx().ioasAlloc();
        long length = MOCK_PAGE_SIZE;
        int flags = IommuIoasMapFlags.FIXED_IOVA | IommuIoasMapFlags.WRITEABLE;
        long lastIova = MOCK_APERTURE_START + SelftestMachine.BUFFER_SIZE - (variant.mockDomains != 0 ? 1 : 2);
        IoasCalls.mapFixed(ctx(), ioasId, machine.buffer(), lastIova - MOCK_APERTURE_START + 1, MOCK_APERTURE_START);
        for (long iova = MOCK_APERTURE_START - pageSize(); iova <= lastIova; iova += 511) {
            IommuIoasCopy copy = new IommuIoasCopy(flags, dstIoasId, ioasId, length, MOCK_APERTURE_START, iova);
            if (iova < MOCK_APERTURE_START || iova + length - 1 > lastIova) {
                expectErrno(Errno.ENOENT, () -> ctx().call(copy));
            } else {
                ctx().call(copy);
                IoasCalls.unmap(ctx(), dstIoasId, copy.dstIova(), length);
            }
        }
        ctx().destroy(dstIoasId);
    }
}
