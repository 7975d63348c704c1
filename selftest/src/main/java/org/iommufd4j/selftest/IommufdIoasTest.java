package org.iommufd4j.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.iommufd4j.selftest.kit.Awaits;
import org.iommufd4j.selftest.kit.Fixture;
import org.iommufd4j.selftest.kit.KernelTest;
import org.iommufd4j.selftest.kit.MockOnly;
import org.iommufd4j.selftest.kit.Pending;
import org.iommufd4j.selftest.kit.SelftestMachine;
import org.iommufd4j.uapi.Errno;
import org.iommufd4j.uapi.IommuDestroy;
import org.iommufd4j.uapi.IommufdException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assertions;
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

    private SelftestMachine machine;
    private int ioasId;
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
            IommufdException busy = Assertions.assertThrows(IommufdException.class, () -> machine.ctx().destroy(ioasId));
            assertEquals(Errno.EBUSY, busy.errno());
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

    /** A mapped area does not change destroy behaviour. */
    @KernelTest
    @Pending(Awaits.IOAS_PAGETABLE)
    void ioas_area_destroy() {
    }

    /** Ten fixed maps are freed on close. */
    @KernelTest
    @Pending(Awaits.IOAS_PAGETABLE)
    void ioas_area_auto_destroy() {
    }

    /** GET_HW_INFO with zero, exact, larger and smaller buffers; ENOENT without a device. */
    @KernelTest
    @MockOnly("struct iommu_test_hw_info")
    @Pending(Awaits.DEVICES)
    void get_hw_info() {
    }

    /** Unmap on empty and split unmap are ENOENT; overlapping fixed map is EEXIST; unmap-all is idempotent. */
    @KernelTest
    @Pending(Awaits.IOAS_PAGETABLE)
    void area() {
    }

    /** A covering range unmaps only whole areas and returns the byte count. */
    @KernelTest
    @Pending(Awaits.IOAS_PAGETABLE)
    void unmap_fully_contained_areas() {
    }

    /** Automatic IOVAs: alignment, reserved and allowed ranges, EADDRINUSE. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED")
    @Pending(Awaits.IOAS_PAGETABLE)
    void area_auto_iova() {
    }

    /** A huge reserved range leaves no room: MAP is ENOSPC (syzbot regression). */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED")
    @Pending(Awaits.IOAS_PAGETABLE)
    void reserved_overflow() {
    }

    /** Allowed and reserved ranges intersecting: EADDRINUSE in both orders. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED")
    @Pending(Awaits.IOAS_PAGETABLE)
    void area_allowed() {
    }

    /** IOAS_COPY within one IOAS and between two. */
    @KernelTest
    @Pending(Awaits.IOAS_PAGETABLE)
    void copy_area() {
    }

    /** IOVA range reporting, EMSGSIZE, a reserved hole, the mock aperture and alignment. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ADD_RESERVED and MOCK_APERTURE_*")
    @Pending(Awaits.IOAS_PAGETABLE)
    void iova_ranges() {
    }

    /** Pin through an access across a huge page, then destroy the domain. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS")
    @Pending(Awaits.ACCESS)
    void access_domain_destory() {
    }

    /** Access pin/unpin loops, two users, a domain added while pinned. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS, IOMMU_TEST_OP_ACCESS_PAGES")
    @Pending(Awaits.ACCESS)
    void access_pin() {
    }

    /** An IOAS unmap forces the access's unmap callback. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS")
    @Pending(Awaits.ACCESS)
    void access_pin_unmap() {
    }

    /** ACCESS_RW at many offsets and lengths, fast and slow paths. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ACCESS_RW")
    @Pending(Awaits.ACCESS)
    void access_rw() {
    }

    /** ACCESS_RW with an IOVA offset of MOCK_PAGE_SIZE. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_ACCESS_RW, MOCK_PAGE_SIZE")
    @Pending(Awaits.ACCESS)
    void access_rw_unaligned() {
    }

    /** A map made by a child that exited: copy works if pinned, else attach is EFAULT. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_MOCK_DOMAIN, IOMMU_TEST_OP_CREATE_ACCESS")
    @Pending(Awaits.PROCESS_MEMORY)
    void fork_gone() {
    }

    /** A map made by a live child, read through an access. */
    @KernelTest
    @MockOnly("IOMMU_TEST_OP_CREATE_ACCESS")
    @Pending(Awaits.PROCESS_MEMORY)
    void fork_present() {
    }

    /** HUGE_PAGES get/set per IOAS; value 2 is EINVAL. */
    @KernelTest
    @Pending(Awaits.IOMMU_OPTION)
    void ioas_option_huge_pages() {
    }

    /** Lengths 1..2 pages; with a domain, lengths not a multiple of MOCK_PAGE_SIZE are EINVAL. */
    @KernelTest
    @Pending(Awaits.IOAS_PAGETABLE)
    void ioas_iova_alloc() {
    }

    /** Raising the IOVA alignment with HUGE_PAGES=0; EADDRINUSE over a misaligned map. */
    @KernelTest
    @Pending(Awaits.IOAS_PAGETABLE)
    void ioas_align_change() {
    }

    /** Copies at 511-byte strides; outside the mapping is ENOENT. */
    @KernelTest
    @Pending(Awaits.IOAS_PAGETABLE)
    void copy_sweep() {
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
}
