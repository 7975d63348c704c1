/*
 * The part of the iommufd user API (include/uapi/linux/iommufd.h) and of the selftest commands
 * (drivers/iommu/iommufd/iommufd_test.h) that iommufd4j_shim_test uses, written for this project
 * from /work/shared/reference/kernel-iommufd.md §2 and the records in
 * framework/src/main/java/org/iommufd4j/uapi (the same offsets, checked by the static asserts at
 * the end). The system's <linux/iommufd.h> is not used: distributions ship older versions.
 */
#ifndef IOMMUFD4J_UAPI_H
#define IOMMUFD4J_UAPI_H

#include <stddef.h>
#include <stdint.h>

#define IOMMUFD_TYPE ';'
/* _IO(';', nr): iommufd's commands carry neither size nor direction in the number. */
#define IOMMUFD_IO(nr) ((unsigned long)((IOMMUFD_TYPE << 8) | (nr)))

#define IOMMU_DESTROY IOMMUFD_IO(0x80)
#define IOMMU_IOAS_ALLOC IOMMUFD_IO(0x81)
#define IOMMU_IOAS_ALLOW_IOVAS IOMMUFD_IO(0x82)
#define IOMMU_IOAS_COPY IOMMUFD_IO(0x83)
#define IOMMU_IOAS_IOVA_RANGES IOMMUFD_IO(0x84)
#define IOMMU_IOAS_MAP IOMMUFD_IO(0x85)
#define IOMMU_IOAS_UNMAP IOMMUFD_IO(0x86)
#define IOMMU_HWPT_ALLOC IOMMUFD_IO(0x89)
#define IOMMU_FAULT_QUEUE_ALLOC IOMMUFD_IO(0x8e)
#define IOMMU_VIOMMU_ALLOC IOMMUFD_IO(0x90)
#define IOMMU_VDEVICE_ALLOC IOMMUFD_IO(0x91)
/* IOMMUFD_CMD_BASE + 32: only with CONFIG_IOMMUFD_TEST (here: the mock driver plugin). */
#define IOMMU_TEST_CMD IOMMUFD_IO(0x80 + 32)

struct iommu_destroy {
	uint32_t size;
	uint32_t id;
};

struct iommu_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};

struct iommu_iova_range {
	uint64_t start;
	uint64_t last;
};

struct iommu_ioas_iova_ranges {
	uint32_t size;
	uint32_t ioas_id;
	uint32_t num_iovas;
	uint32_t __reserved;
	uint64_t allowed_iovas; /* user pointer to struct iommu_iova_range[num_iovas] */
	uint64_t out_iova_alignment;
};

#define IOMMU_IOAS_MAP_FIXED_IOVA (1u << 0)
#define IOMMU_IOAS_MAP_WRITEABLE (1u << 1)
#define IOMMU_IOAS_MAP_READABLE (1u << 2)

struct iommu_ioas_map {
	uint32_t size;
	uint32_t flags;
	uint32_t ioas_id;
	uint32_t __reserved;
	uint64_t user_va;
	uint64_t length;
	uint64_t iova;
};

struct iommu_ioas_copy {
	uint32_t size;
	uint32_t flags;
	uint32_t dst_ioas_id;
	uint32_t src_ioas_id;
	uint64_t length;
	uint64_t dst_iova;
	uint64_t src_iova;
};

struct iommu_ioas_unmap {
	uint32_t size;
	uint32_t ioas_id;
	uint64_t iova;
	uint64_t length;
};

#define IOMMU_HWPT_ALLOC_NEST_PARENT (1u << 0)
#define IOMMU_HWPT_FAULT_ID_VALID (1u << 2)

struct iommu_hwpt_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pt_id;
	uint32_t out_hwpt_id;
	uint32_t __reserved;
	uint32_t data_type;
	uint32_t data_len;
	uint64_t data_uptr;
	uint32_t fault_id;
	uint32_t __reserved2;
};

struct iommu_fault_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_fault_id;
	uint32_t out_fault_fd;
};

#define IOMMU_PGFAULT_PERM_READ (1u << 0)
#define IOMMU_PGFAULT_PERM_WRITE (1u << 1)

/* What a read of a fault fd returns, one per fault. */
struct iommu_hwpt_pgfault {
	uint32_t flags;
	uint32_t dev_id;
	uint32_t pasid;
	uint32_t grpid;
	uint32_t perm;
	uint32_t __reserved;
	uint64_t addr;
	uint32_t length;
	uint32_t cookie;
};

#define IOMMUFD_PAGE_RESP_SUCCESS 0u

/* What is written to a fault fd to answer a fault. */
struct iommu_hwpt_page_response {
	uint32_t cookie;
	uint32_t code;
};

struct iommu_viommu_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t type;
	uint32_t dev_id;
	uint32_t hwpt_id;
	uint32_t out_viommu_id;
	uint32_t data_len;
	uint32_t __reserved;
	uint64_t data_uptr;
};

struct iommu_vdevice_alloc {
	uint32_t size;
	uint32_t viommu_id;
	uint32_t dev_id;
	uint32_t out_vdevice_id;
	uint64_t virt_id;
};

/* ---------------------------------------------------------------- iommufd_test.h */

enum {
	IOMMU_TEST_OP_ADD_RESERVED = 1,
	IOMMU_TEST_OP_MOCK_DOMAIN,
	IOMMU_TEST_OP_MD_CHECK_MAP,
	IOMMU_TEST_OP_MD_CHECK_REFS,
	IOMMU_TEST_OP_CREATE_ACCESS,
	IOMMU_TEST_OP_DESTROY_ACCESS_PAGES,
	IOMMU_TEST_OP_ACCESS_PAGES,
	IOMMU_TEST_OP_ACCESS_RW,
	IOMMU_TEST_OP_SET_TEMP_MEMORY_LIMIT,
	IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE,
	IOMMU_TEST_OP_ACCESS_REPLACE_IOAS,
	IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS,
	IOMMU_TEST_OP_DIRTY,
	IOMMU_TEST_OP_MD_CHECK_IOTLB,
	IOMMU_TEST_OP_TRIGGER_IOPF,
};

#define MOCK_APERTURE_START (1ull << 24)
#define MOCK_APERTURE_LAST ((1ull << 31) - 1)
#define MOCK_ACCESS_RW_WRITE (1u << 0)

#define IOMMU_HWPT_DATA_SELFTEST 0xdeadu
#define IOMMU_TEST_IOTLB_DEFAULT 0xbadbeefu
#define IOMMU_VIOMMU_TYPE_SELFTEST 0xdeadbeefu

struct iommu_test_cmd {
	uint32_t size;
	uint32_t op;
	uint32_t id;
	uint32_t __reserved;
	union {
		struct {
			uint64_t start;
			uint64_t length;
		} add_reserved;
		struct {
			uint32_t out_stdev_id;
			uint32_t out_hwpt_id;
			uint32_t out_idev_id; /* the device's ID for HWPT_ALLOC, VIOMMU_ALLOC, ... */
		} mock_domain;
		struct {
			uint32_t out_stdev_id;
			uint32_t out_hwpt_id;
			uint32_t out_idev_id;
			uint32_t dev_flags;
		} mock_domain_flags;
		struct {
			uint32_t pt_id;
		} mock_domain_replace;
		struct {
			uint64_t iova;
			uint64_t length;
			uint64_t uptr;
		} check_map;
		struct {
			uint32_t out_access_fd;
			uint32_t flags;
		} create_access;
		struct {
			uint64_t iova;
			uint64_t length;
			uint64_t uptr;
			uint32_t flags;
		} access_rw;
		struct {
			uint32_t dev_id;
			uint32_t pasid;
			uint32_t grpid;
			uint32_t perm;
			uint64_t addr;
		} trigger_iopf;
		uint8_t bytes[48];
	};
	uint32_t last;
};

/* IOMMU_HWPT_ALLOC data of type IOMMU_HWPT_DATA_SELFTEST. */
struct iommu_hwpt_selftest {
	uint32_t iotlb;
	uint32_t pagetable_type;
};

/* IOMMU_VIOMMU_ALLOC data of type IOMMU_VIOMMU_TYPE_SELFTEST: the mock publishes two pages for mmap. */
struct iommu_viommu_selftest {
	uint32_t in_data;
	uint32_t out_data;
	uint64_t out_mmap_offset;
	uint64_t out_mmap_length;
};

/* The offsets the Java records declare (@KernelStruct size and @At offsets). */
_Static_assert(sizeof(struct iommu_ioas_alloc) == 12, "iommu_ioas_alloc");
_Static_assert(sizeof(struct iommu_ioas_iova_ranges) == 32, "iommu_ioas_iova_ranges");
_Static_assert(sizeof(struct iommu_ioas_map) == 40, "iommu_ioas_map");
_Static_assert(sizeof(struct iommu_ioas_copy) == 40, "iommu_ioas_copy");
_Static_assert(sizeof(struct iommu_ioas_unmap) == 24, "iommu_ioas_unmap");
_Static_assert(sizeof(struct iommu_hwpt_alloc) == 48, "iommu_hwpt_alloc");
_Static_assert(sizeof(struct iommu_fault_alloc) == 16, "iommu_fault_alloc");
_Static_assert(sizeof(struct iommu_hwpt_pgfault) == 40, "iommu_hwpt_pgfault");
_Static_assert(sizeof(struct iommu_viommu_alloc) == 40, "iommu_viommu_alloc");
_Static_assert(sizeof(struct iommu_vdevice_alloc) == 24, "iommu_vdevice_alloc");
_Static_assert(sizeof(struct iommu_test_cmd) == 72, "iommu_test_cmd");
_Static_assert(offsetof(struct iommu_test_cmd, last) == 64, "iommu_test_cmd.last");
_Static_assert(offsetof(struct iommu_test_cmd, access_rw.flags) == 16 + 24, "access_rw.flags");
_Static_assert(offsetof(struct iommu_test_cmd, trigger_iopf.addr) == 16 + 16, "trigger_iopf.addr");
_Static_assert(sizeof(struct iommu_viommu_selftest) == 24, "iommu_viommu_selftest");

#endif
