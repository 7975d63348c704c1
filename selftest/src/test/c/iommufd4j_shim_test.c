/*
 * iommufd4j_shim_test: a /dev/iommu program, written for this project, that PreloadShimTest runs
 * under LD_PRELOAD=libiommufd4j-preload.so against an in-process iommufd4j server. It uses only
 * the system calls a real iommufd user makes (open, ioctl, mmap, poll, read, write, fork, dup),
 * so what it checks is what an unmodified C program sees: kernel errnos, its own memory changed by
 * DMA, real file descriptors. Output is TAP; the exit status is 0 only when every test passed.
 *
 *   iommufd4j_shim_test            all tests (needs a server)
 *   iommufd4j_shim_test --no-server  only: opening /dev/iommu fails with ENODEV
 */
#define _GNU_SOURCE
#include "iommufd4j_uapi.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096ul
#define BUFFER_SIZE (16 * PAGE)

/* ------------------------------------------------------------------ TAP */

static int tests_run;
static int tests_failed;

static void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("# ", stdout);
	vprintf(fmt, ap);
	fputc('\n', stdout);
	va_end(ap);
}

/* Fails the current test (returns false from it) with the condition, where and errno. */
#define EXPECT(cond)                                                                               \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			diag("%s:%d: expected %s (errno %d: %s)", __FILE__, __LINE__, #cond, errno, \
			     strerror(errno));                                                     \
			return false;                                                              \
		}                                                                                  \
	} while (0)

/* A call that must fail with exactly `err`. */
#define EXPECT_ERRNO(err, call)                                                                    \
	do {                                                                                       \
		errno = 0;                                                                         \
		long rc_ = (long)(call);                                                           \
		if (rc_ != -1 || errno != (err)) {                                                 \
			diag("%s:%d: %s returned %ld errno %d (%s), expected -1 errno %d (%s)",    \
			     __FILE__, __LINE__, #call, rc_, errno, strerror(errno), (err),        \
			     strerror(err));                                                       \
			return false;                                                              \
		}                                                                                  \
	} while (0)

#define EXPECT_OK(call) EXPECT((call) == 0)

static void run(const char *name, bool (*test)(void))
{
	bool ok = test();
	tests_run++;
	if (!ok)
		tests_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", tests_run, name);
}

/* ------------------------------------------------------------------ helpers (iommufd_utils.h style) */

static int open_iommufd(void)
{
	return open("/dev/iommu", O_RDWR | O_CLOEXEC);
}

static int ioas_alloc(int fd, uint32_t *id)
{
	struct iommu_ioas_alloc cmd = {.size = sizeof(cmd)};
	int rc = ioctl(fd, IOMMU_IOAS_ALLOC, &cmd);
	*id = cmd.out_ioas_id;
	return rc;
}

static int destroy(int fd, uint32_t id)
{
	struct iommu_destroy cmd = {.size = sizeof(cmd), .id = id};
	return ioctl(fd, IOMMU_DESTROY, &cmd);
}

static int ioas_map(int fd, uint32_t ioas, void *buf, uint64_t length, uint64_t *iova, bool fixed)
{
	struct iommu_ioas_map cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE | (fixed ? IOMMU_IOAS_MAP_FIXED_IOVA : 0),
		.ioas_id = ioas,
		.user_va = (uintptr_t)buf,
		.length = length,
		.iova = fixed ? *iova : 0,
	};
	int rc = ioctl(fd, IOMMU_IOAS_MAP, &cmd);
	*iova = cmd.iova;
	return rc;
}

static int ioas_unmap(int fd, uint32_t ioas, uint64_t iova, uint64_t length, uint64_t *unmapped)
{
	struct iommu_ioas_unmap cmd = {.size = sizeof(cmd), .ioas_id = ioas, .iova = iova, .length = length};
	int rc = ioctl(fd, IOMMU_IOAS_UNMAP, &cmd);
	if (unmapped != NULL)
		*unmapped = cmd.length;
	return rc;
}

static struct iommu_test_cmd test_cmd(uint32_t op, uint32_t id)
{
	struct iommu_test_cmd cmd;
	memset(&cmd, 0, sizeof(cmd));
	cmd.size = sizeof(cmd);
	cmd.op = op;
	cmd.id = id;
	return cmd;
}

/* MOCK_DOMAIN_FLAGS(0) on pt_id: a mock device attached to it; its stdev, hwpt and device IDs. */
static int mock_domain(int fd, uint32_t pt_id, uint32_t *stdev, uint32_t *hwpt, uint32_t *idev)
{
	struct iommu_test_cmd cmd = test_cmd(IOMMU_TEST_OP_MOCK_DOMAIN_FLAGS, pt_id);
	int rc = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	*stdev = cmd.mock_domain_flags.out_stdev_id;
	*hwpt = cmd.mock_domain_flags.out_hwpt_id;
	*idev = cmd.mock_domain_flags.out_idev_id;
	return rc;
}

static int mock_domain_replace(int fd, uint32_t stdev, uint32_t pt_id)
{
	struct iommu_test_cmd cmd = test_cmd(IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE, stdev);
	cmd.mock_domain_replace.pt_id = pt_id;
	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int check_map(int fd, uint32_t hwpt, uint64_t iova, void *buf, uint64_t length)
{
	struct iommu_test_cmd cmd = test_cmd(IOMMU_TEST_OP_MD_CHECK_MAP, hwpt);
	cmd.check_map.iova = iova;
	cmd.check_map.length = length;
	cmd.check_map.uptr = (uintptr_t)buf;
	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

/* CREATE_ACCESS on an IOAS: the access is a file descriptor of its own. */
static int create_access(int fd, uint32_t ioas, int *access_fd)
{
	struct iommu_test_cmd cmd = test_cmd(IOMMU_TEST_OP_CREATE_ACCESS, ioas);
	int rc = ioctl(fd, IOMMU_TEST_CMD, &cmd);
	*access_fd = (int)cmd.create_access.out_access_fd;
	return rc;
}

static int access_rw(int fd, int access_fd, uint64_t iova, void *buf, uint64_t length, bool write)
{
	struct iommu_test_cmd cmd = test_cmd(IOMMU_TEST_OP_ACCESS_RW, (uint32_t)access_fd);
	cmd.access_rw.iova = iova;
	cmd.access_rw.length = length;
	cmd.access_rw.uptr = (uintptr_t)buf;
	cmd.access_rw.flags = write ? MOCK_ACCESS_RW_WRITE : 0;
	return ioctl(fd, IOMMU_TEST_CMD, &cmd);
}

static int hwpt_alloc(int fd, uint32_t flags, uint32_t dev, uint32_t pt, uint32_t data_type, void *data,
		      uint32_t data_len, uint32_t fault_id, uint32_t *out)
{
	struct iommu_hwpt_alloc cmd = {
		.size = sizeof(cmd),
		.flags = flags,
		.dev_id = dev,
		.pt_id = pt,
		.data_type = data_type,
		.data_len = data_len,
		.data_uptr = (uintptr_t)data,
		.fault_id = fault_id,
	};
	int rc = ioctl(fd, IOMMU_HWPT_ALLOC, &cmd);
	*out = cmd.out_hwpt_id;
	return rc;
}

static int viommu_alloc(int fd, uint32_t dev, uint32_t hwpt, struct iommu_viommu_selftest *data, uint32_t *out)
{
	struct iommu_viommu_alloc cmd = {
		.size = sizeof(cmd),
		.type = IOMMU_VIOMMU_TYPE_SELFTEST,
		.dev_id = dev,
		.hwpt_id = hwpt,
		.data_len = data != NULL ? sizeof(*data) : 0,
		.data_uptr = (uintptr_t)data,
	};
	int rc = ioctl(fd, IOMMU_VIOMMU_ALLOC, &cmd);
	*out = cmd.out_viommu_id;
	return rc;
}

/*
 * IOMMU_DESTROY of an object whose fd was just closed. The kernel releases the file inside
 * close(); the shim's close waits until the server has closed its end of the fd's connection, but
 * the server may still be releasing the file right after that, so EBUSY is retried for up to a
 * second (a file that is never released still fails).
 */
static int destroy_after_close(int fd, uint32_t id)
{
	for (int tries = 0;; tries++) {
		int rc = destroy(fd, id);
		if (rc == 0 || errno != EBUSY || tries == 1000)
			return rc;
		usleep(1000);
	}
}

static void fill(void *buf, size_t length, uint32_t seed)
{
	uint8_t *p = buf;
	for (size_t i = 0; i < length; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

static void *page_buffer(size_t length)
{
	void *p = mmap(NULL, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

/* ------------------------------------------------------------------ tests */

static bool other_paths_pass_through(void)
{
	/* Only "/dev/iommu" is the shim's: everything else is the real file system. */
	int fd = open("/dev/null", O_RDWR);
	EXPECT(fd >= 0);
	char c;
	EXPECT(read(fd, &c, 1) == 0);
	EXPECT(write(fd, "x", 1) == 1);
	EXPECT_OK(close(fd));
	EXPECT_ERRNO(ENOENT, open("/dev/iommu-not-this-one", O_RDWR));
	fd = openat(AT_FDCWD, "/dev/null", O_RDONLY);
	EXPECT(fd >= 0);
	EXPECT_OK(close(fd));
	return true;
}

static bool open_and_close(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	EXPECT((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
	uint32_t ioas;
	EXPECT_OK(ioas_alloc(fd, &ioas));
	EXPECT(ioas != 0);
	EXPECT_OK(close(fd));
	EXPECT_ERRNO(EBADF, ioas_alloc(fd, &ioas));

	/* Without O_CLOEXEC, and through openat(): still an iommufd, without the flag. */
	fd = openat(AT_FDCWD, "/dev/iommu", O_RDWR);
	EXPECT(fd >= 0);
	EXPECT((fcntl(fd, F_GETFD) & FD_CLOEXEC) == 0);
	EXPECT_OK(ioas_alloc(fd, &ioas));

	/* Two opens are two contexts: one's IDs mean nothing in the other. */
	int other = open_iommufd();
	EXPECT(other >= 0);
	EXPECT_ERRNO(ENOENT, destroy(other, ioas));
	EXPECT_OK(destroy(fd, ioas));
	EXPECT_OK(close(other));
	EXPECT_OK(close(fd));
	return true;
}

static bool ioas_map_unmap(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	uint32_t ioas;
	EXPECT_OK(ioas_alloc(fd, &ioas));

	/* A malloc'd buffer at an IOVA the IOAS picks... */
	void *heap = aligned_alloc(PAGE, BUFFER_SIZE);
	EXPECT(heap != NULL);
	memset(heap, 0x5a, BUFFER_SIZE);
	uint64_t iova = 0;
	EXPECT_OK(ioas_map(fd, ioas, heap, BUFFER_SIZE, &iova, false));
	EXPECT(iova != 0 && iova % PAGE == 0);

	/* ...and an mmap'd one at a fixed IOVA; the same IOVA again is taken. */
	void *buf = page_buffer(BUFFER_SIZE);
	EXPECT(buf != NULL);
	uint64_t fixed = MOCK_APERTURE_START;
	EXPECT_OK(ioas_map(fd, ioas, buf, BUFFER_SIZE, &fixed, true));
	EXPECT(fixed == MOCK_APERTURE_START);
	uint64_t again = MOCK_APERTURE_START;
	EXPECT_ERRNO(EEXIST, ioas_map(fd, ioas, buf, PAGE, &again, true));

	uint64_t unmapped = 0;
	EXPECT_OK(ioas_unmap(fd, ioas, fixed, BUFFER_SIZE, &unmapped));
	EXPECT(unmapped == BUFFER_SIZE);
	EXPECT_ERRNO(ENOENT, ioas_unmap(fd, ioas, fixed, BUFFER_SIZE, NULL));
	/* Unmap everything: iova 0, length UINT64_MAX; the length unmapped comes back. */
	EXPECT_OK(ioas_unmap(fd, ioas, 0, UINT64_MAX, &unmapped));
	EXPECT(unmapped == BUFFER_SIZE);

	EXPECT_OK(destroy(fd, ioas));
	EXPECT_OK(close(fd));
	free(heap);
	munmap(buf, BUFFER_SIZE);
	return true;
}

static bool iova_ranges(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	uint32_t ioas;
	EXPECT_OK(ioas_alloc(fd, &ioas));
	struct iommu_iova_range ranges[4];
	memset(ranges, 0xff, sizeof(ranges));
	struct iommu_ioas_iova_ranges cmd = {
		.size = sizeof(cmd), .ioas_id = ioas, .num_iovas = 4, .allowed_iovas = (uintptr_t)ranges};
	EXPECT_OK(ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	EXPECT(cmd.num_iovas == 1);
	EXPECT(ranges[0].start == 0 && ranges[0].last == UINT64_MAX);
	EXPECT(cmd.out_iova_alignment == 1);

	/* No room: EMSGSIZE, with the number needed written back. */
	cmd.num_iovas = 0;
	EXPECT_ERRNO(EMSGSIZE, ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	EXPECT(cmd.num_iovas == 1);

	/* A mock device narrows the IOAS to the mock aperture. */
	uint32_t stdev, hwpt, idev;
	EXPECT_OK(mock_domain(fd, ioas, &stdev, &hwpt, &idev));
	cmd.num_iovas = 4;
	EXPECT_OK(ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd));
	EXPECT(cmd.num_iovas == 1);
	EXPECT(ranges[0].start == MOCK_APERTURE_START && ranges[0].last == MOCK_APERTURE_LAST);

	/* The array pointer is the caller's: a bogus one is EFAULT. */
	cmd.allowed_iovas = 8;
	EXPECT_ERRNO(EFAULT, ioctl(fd, IOMMU_IOAS_IOVA_RANGES, &cmd));

	EXPECT_OK(destroy(fd, stdev));
	EXPECT_OK(close(fd));
	return true;
}

static bool access_rw_changes_program_memory(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	uint32_t ioas;
	EXPECT_OK(ioas_alloc(fd, &ioas));
	uint8_t *buf = page_buffer(BUFFER_SIZE);
	EXPECT(buf != NULL);
	fill(buf, BUFFER_SIZE, 1);
	uint64_t iova = 0;
	EXPECT_OK(ioas_map(fd, ioas, buf, BUFFER_SIZE, &iova, false));
	int access;
	EXPECT_OK(create_access(fd, ioas, &access));
	EXPECT(access >= 0 && access != fd);
	EXPECT(fcntl(access, F_GETFD) >= 0);

	/* A read through the access sees the program's buffer... */
	uint8_t tmp[300];
	EXPECT_OK(access_rw(fd, access, iova + PAGE - 100, tmp, sizeof(tmp), false));
	EXPECT(memcmp(tmp, buf + PAGE - 100, sizeof(tmp)) == 0);

	/* ...a DMA write changes the program's memory... */
	fill(tmp, sizeof(tmp), 2);
	EXPECT_OK(access_rw(fd, access, iova + 3 * PAGE - 7, tmp, sizeof(tmp), true));
	EXPECT(memcmp(buf + 3 * PAGE - 7, tmp, sizeof(tmp)) == 0);

	/* ...and the program's own later writes are what the device reads. */
	memset(buf + 5 * PAGE, 0xc3, 64);
	memset(tmp, 0, sizeof(tmp));
	EXPECT_OK(access_rw(fd, access, iova + 5 * PAGE, tmp, 64, false));
	for (int i = 0; i < 64; i++)
		EXPECT(tmp[i] == 0xc3);

	/* An IOVA that is not mapped (iommufd_access_rw: no contiguous area). */
	EXPECT_ERRNO(ENOENT, access_rw(fd, access, iova + BUFFER_SIZE + 64 * PAGE, tmp, 8, false));

	EXPECT_OK(close(access));
	EXPECT_OK(ioas_unmap(fd, ioas, iova, BUFFER_SIZE, NULL));
	EXPECT_OK(close(fd));
	munmap(buf, BUFFER_SIZE);
	return true;
}

static bool ioas_copy(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	uint32_t src, dst;
	EXPECT_OK(ioas_alloc(fd, &src));
	EXPECT_OK(ioas_alloc(fd, &dst));
	uint8_t *buf = page_buffer(BUFFER_SIZE);
	EXPECT(buf != NULL);
	fill(buf, BUFFER_SIZE, 3);
	uint64_t src_iova = MOCK_APERTURE_START;
	EXPECT_OK(ioas_map(fd, src, buf, BUFFER_SIZE, &src_iova, true));

	struct iommu_ioas_copy cmd = {
		.size = sizeof(cmd),
		.flags = IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.dst_ioas_id = dst,
		.src_ioas_id = src,
		.length = 4 * PAGE,
		.src_iova = src_iova + 2 * PAGE,
	};
	EXPECT_OK(ioctl(fd, IOMMU_IOAS_COPY, &cmd));
	EXPECT(cmd.dst_iova != 0);
	/* Copying a range the source does not map. */
	struct iommu_ioas_copy bad = cmd;
	bad.src_iova = src_iova + BUFFER_SIZE;
	EXPECT_ERRNO(ENOENT, ioctl(fd, IOMMU_IOAS_COPY, &bad));

	/* The destination IOAS now maps the same pages: read them through an access on it. */
	int access;
	EXPECT_OK(create_access(fd, dst, &access));
	uint8_t *tmp = page_buffer(4 * PAGE);
	EXPECT(tmp != NULL);
	EXPECT_OK(access_rw(fd, access, cmd.dst_iova, tmp, 4 * PAGE, false));
	EXPECT(memcmp(tmp, buf + 2 * PAGE, 4 * PAGE) == 0);
	EXPECT_OK(close(access));

	EXPECT_OK(ioas_unmap(fd, dst, cmd.dst_iova, 4 * PAGE, NULL));
	EXPECT_OK(ioas_unmap(fd, src, src_iova, BUFFER_SIZE, NULL));
	EXPECT_OK(close(fd));
	munmap(buf, BUFFER_SIZE);
	munmap(tmp, 4 * PAGE);
	return true;
}

static bool mock_domain_check_map(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	uint32_t ioas, stdev, hwpt, idev;
	EXPECT_OK(ioas_alloc(fd, &ioas));
	EXPECT_OK(mock_domain(fd, ioas, &stdev, &hwpt, &idev));
	EXPECT(stdev != 0 && hwpt != 0 && idev != 0);
	/* The attached HWPT is busy while the device uses it. */
	EXPECT_ERRNO(EBUSY, destroy(fd, hwpt));

	uint8_t *buf = page_buffer(BUFFER_SIZE);
	EXPECT(buf != NULL);
	fill(buf, BUFFER_SIZE, 4);
	uint64_t iova = 0;
	EXPECT_OK(ioas_map(fd, ioas, buf, BUFFER_SIZE, &iova, false));
	EXPECT(iova >= MOCK_APERTURE_START && iova + BUFFER_SIZE - 1 <= MOCK_APERTURE_LAST);
	/* The mock domain maps exactly the program's pages at those IOVAs. */
	EXPECT_OK(check_map(fd, hwpt, iova, buf, BUFFER_SIZE));
	EXPECT_OK(check_map(fd, hwpt, iova + PAGE, buf + PAGE, 2 * PAGE));
	EXPECT_ERRNO(EINVAL, check_map(fd, hwpt, iova + BUFFER_SIZE, buf, PAGE));

	EXPECT_OK(ioas_unmap(fd, ioas, iova, BUFFER_SIZE, NULL));
	EXPECT_ERRNO(EINVAL, check_map(fd, hwpt, iova, buf, PAGE));
	EXPECT_OK(destroy(fd, stdev));
	EXPECT_OK(destroy(fd, ioas));
	EXPECT_OK(close(fd));
	munmap(buf, BUFFER_SIZE);
	return true;
}

static bool viommu_mmap(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	uint32_t ioas, stdev, hwpt, idev, parent, viommu;
	EXPECT_OK(ioas_alloc(fd, &ioas));
	EXPECT_OK(mock_domain(fd, ioas, &stdev, &hwpt, &idev));
	EXPECT_OK(hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0, NULL, 0, 0, &parent));
	struct iommu_viommu_selftest data = {.in_data = 0xbeef};
	EXPECT_OK(viommu_alloc(fd, idev, parent, &data, &viommu));
	EXPECT(data.out_data == 0xbeef);
	EXPECT(data.out_mmap_length > 0);

	/* The published region only, exactly: another offset or length is ENXIO. */
	off_t off = (off_t)data.out_mmap_offset;
	size_t len = data.out_mmap_length;
	EXPECT(mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off + (off_t)PAGE) == MAP_FAILED);
	EXPECT(errno == ENXIO);
	EXPECT(mmap(NULL, len / 2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off) == MAP_FAILED);
	EXPECT(errno == ENXIO);

	/* What iommufd_fops_mmap refuses: a private mapping, an executable one. */
	EXPECT(mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, off) == MAP_FAILED);
	EXPECT(errno == EINVAL);
	EXPECT(mmap(NULL, len, PROT_READ | PROT_EXEC, MAP_SHARED, fd, off) == MAP_FAILED);
	EXPECT(errno == EPERM);

	uint32_t *region = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, off);
	EXPECT(region != MAP_FAILED);
	/* The mock wrote in_data into the region's first word (the loopback test). */
	EXPECT(region[0] == 0xbeef);
	/* The mapping holds the vIOMMU: it cannot be destroyed until munmap. */
	EXPECT_ERRNO(EBUSY, destroy(fd, viommu));

	/* A second, read-only mapping of the region is a second reference. */
	const char *ro = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, off);
	EXPECT(ro != MAP_FAILED);
	EXPECT(*(const uint32_t *)ro == 0xbeef);
	EXPECT_OK(munmap(region, len));
	EXPECT_ERRNO(EBUSY, destroy(fd, viommu));
	/* Its pages go one at a time; the reference goes with the last. */
	EXPECT(len >= 2 * PAGE);
	EXPECT_OK(munmap((void *)ro, PAGE));
	EXPECT_ERRNO(EBUSY, destroy(fd, viommu));
	EXPECT_OK(munmap((void *)(ro + PAGE), len - PAGE));
	EXPECT_OK(destroy(fd, viommu));

	/*
	 * As a vma holds the kernel's file, a mapping keeps the context open after close(fd); its
	 * munmap then releases everything (PreloadShimTest checks the server is left empty).
	 */
	EXPECT_OK(viommu_alloc(fd, idev, parent, &data, &viommu));
	region = mmap(NULL, data.out_mmap_length, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      (off_t)data.out_mmap_offset);
	EXPECT(region != MAP_FAILED);
	EXPECT_OK(close(fd));
	EXPECT(region[0] == 0xbeef);
	EXPECT_OK(munmap(region, data.out_mmap_length));
	return true;
}

static bool fault_queue(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	uint32_t ioas, stdev, hwpt, idev, parent, viommu, nested;
	EXPECT_OK(ioas_alloc(fd, &ioas));
	EXPECT_OK(mock_domain(fd, ioas, &stdev, &hwpt, &idev));
	EXPECT_OK(hwpt_alloc(fd, IOMMU_HWPT_ALLOC_NEST_PARENT, idev, ioas, 0, NULL, 0, 0, &parent));
	EXPECT_OK(viommu_alloc(fd, idev, parent, NULL, &viommu));

	struct iommu_fault_alloc fa = {.size = sizeof(fa)};
	EXPECT_OK(ioctl(fd, IOMMU_FAULT_QUEUE_ALLOC, &fa));
	EXPECT(fa.out_fault_id != 0);
	int fault_fd = (int)fa.out_fault_fd;
	/* The fd the kernel writes back is a real descriptor of this process. */
	EXPECT(fault_fd >= 0 && fault_fd != fd);
	EXPECT(fcntl(fault_fd, F_GETFD) >= 0);

	struct iommu_hwpt_selftest data = {.iotlb = IOMMU_TEST_IOTLB_DEFAULT};
	EXPECT_OK(hwpt_alloc(fd, IOMMU_HWPT_FAULT_ID_VALID, idev, viommu, IOMMU_HWPT_DATA_SELFTEST, &data,
			     sizeof(data), fa.out_fault_id, &nested));
	struct iommu_vdevice_alloc vd = {.size = sizeof(vd), .viommu_id = viommu, .dev_id = idev, .virt_id = 0x99};
	EXPECT_OK(ioctl(fd, IOMMU_VDEVICE_ALLOC, &vd));
	EXPECT_OK(mock_domain_replace(fd, stdev, nested));

	/* Nothing pending: poll times out, a read returns nothing. */
	int pipe_fds[2];
	EXPECT_OK(pipe(pipe_fds));
	struct pollfd pfd[2] = {{.fd = fault_fd, .events = POLLIN}, {.fd = pipe_fds[0], .events = POLLIN}};
	EXPECT(poll(pfd, 2, 20) == 0);

	struct iommu_test_cmd trig = test_cmd(IOMMU_TEST_OP_TRIGGER_IOPF, 0);
	trig.trigger_iopf.dev_id = idev;
	trig.trigger_iopf.pasid = 1;
	trig.trigger_iopf.grpid = 2;
	trig.trigger_iopf.perm = IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE;
	trig.trigger_iopf.addr = 0xdeadbeafull;
	EXPECT_OK(ioctl(fd, IOMMU_TEST_CMD, &trig));

	/* poll() wakes for the fault fd only; the pipe in the same set stays quiet. */
	EXPECT(poll(pfd, 2, 5000) == 1);
	EXPECT((pfd[0].revents & POLLIN) != 0);
	EXPECT(pfd[1].revents == 0);

	struct iommu_hwpt_pgfault fault;
	memset(&fault, 0, sizeof(fault));
	EXPECT(read(fault_fd, &fault, sizeof(fault)) == (ssize_t)sizeof(fault));
	EXPECT(fault.dev_id == idev);
	EXPECT(fault.grpid == 2);
	EXPECT(fault.perm == (IOMMU_PGFAULT_PERM_READ | IOMMU_PGFAULT_PERM_WRITE));
	EXPECT(fault.addr == 0xdeadbeafull);

	struct iommu_hwpt_page_response resp = {.cookie = fault.cookie, .code = IOMMUFD_PAGE_RESP_SUCCESS};
	EXPECT(write(fault_fd, &resp, sizeof(resp)) == (ssize_t)sizeof(resp));
	/* Answered: nothing is left to read. */
	EXPECT(poll(pfd, 1, 0) == 0);

	EXPECT_OK(mock_domain_replace(fd, stdev, ioas));
	EXPECT_OK(destroy(fd, nested));
	EXPECT_OK(close(fault_fd));
	EXPECT_OK(destroy_after_close(fd, fa.out_fault_id));
	EXPECT_OK(destroy(fd, vd.out_vdevice_id));
	EXPECT_OK(destroy(fd, viommu));
	EXPECT_OK(destroy(fd, parent));
	EXPECT_OK(destroy(fd, stdev));
	EXPECT_OK(close(pipe_fds[0]));
	EXPECT_OK(close(pipe_fds[1]));
	EXPECT_OK(close(fd));
	return true;
}

/*
 * The child's side of fork_child_maps: its own memory, mapped through its inherited iommufd. It
 * stays alive until the parent has read the map (the server reads a client's pages from the
 * living process, see README "Limits").
 */
static int child_maps(int fd, uint32_t ioas, int access, uint8_t *buf, uint64_t iova, int ready, int go)
{
	fill(buf, BUFFER_SIZE, 77); /* copy-on-write: only the child sees these bytes */
	int rc = ioas_map(fd, ioas, buf, BUFFER_SIZE, &iova, true) == 0 ? 0 : 10 + errno;
	/* The access fd it inherited is the same access, now reading the child's own memory. */
	uint8_t check[64];
	if (rc == 0 && access_rw(fd, access, iova + PAGE, check, sizeof(check), false) != 0)
		rc = 40 + errno;
	else if (rc == 0 && memcmp(check, buf + PAGE, sizeof(check)) != 0)
		rc = 4;
	char c = (char)rc;
	if (write(ready, &c, 1) != 1)
		return 2;
	return read(go, &c, 1) == 1 ? rc : 3;
}

static bool fork_child_maps(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	uint32_t ioas, stdev, hwpt, idev;
	EXPECT_OK(ioas_alloc(fd, &ioas));
	EXPECT_OK(mock_domain(fd, ioas, &stdev, &hwpt, &idev));
	uint8_t *buf = page_buffer(BUFFER_SIZE);
	EXPECT(buf != NULL);
	fill(buf, BUFFER_SIZE, 5);
	uint64_t iova = MOCK_APERTURE_START + 64 * PAGE;
	int ready[2], go[2];
	EXPECT_OK(pipe(ready));
	EXPECT_OK(pipe(go));
	int access;
	EXPECT_OK(create_access(fd, ioas, &access));

	pid_t pid = fork();
	EXPECT(pid >= 0);
	if (pid == 0)
		_exit(child_maps(fd, ioas, access, buf, iova, ready[1], go[0]));
	char c = 1;
	bool mapped = read(ready[0], &c, 1) == 1 && c == 0;
	bool checked = false;
	uint8_t *want = page_buffer(BUFFER_SIZE);
	uint8_t *got = page_buffer(BUFFER_SIZE);
	if (mapped && want != NULL && got != NULL) {
		/* The parent sees the child's map in the shared context, holding the child's bytes. */
		fill(want, BUFFER_SIZE, 77);
		checked = access_rw(fd, access, iova, got, BUFFER_SIZE, false) == 0 &&
			  memcmp(got, want, BUFFER_SIZE) == 0;
		if (!checked)
			diag("ACCESS_RW of the child's map: errno %d, or other bytes", errno);
	}
	EXPECT(write(go[1], "", 1) == 1);
	int status;
	EXPECT(waitpid(pid, &status, 0) == pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		diag("child status 0x%x (exit 10 + errno: IOAS_MAP failed, 40 + errno: ACCESS_RW failed, 4: other bytes)",
		     status);
	EXPECT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	EXPECT(mapped);
	EXPECT(checked);
	EXPECT(memcmp(buf, want, BUFFER_SIZE) != 0); /* and they never were the parent's */
	EXPECT_OK(close(access));

	/* The child's exit closed its connection, not the parent's context. */
	uint64_t unmapped;
	EXPECT_OK(ioas_unmap(fd, ioas, iova, BUFFER_SIZE, &unmapped));
	EXPECT(unmapped == BUFFER_SIZE);
	EXPECT_OK(destroy(fd, stdev));
	EXPECT_OK(close(fd));
	for (int i = 0; i < 2; i++) {
		close(ready[i]);
		close(go[i]);
	}
	munmap(buf, BUFFER_SIZE);
	munmap(want, BUFFER_SIZE);
	munmap(got, BUFFER_SIZE);
	return true;
}

static bool dup_shares_the_context(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	int fd2 = dup(fd);
	EXPECT(fd2 >= 0 && fd2 != fd);
	int fd3 = fcntl(fd, F_DUPFD_CLOEXEC, 100);
	EXPECT(fd3 >= 100);
	EXPECT((fcntl(fd3, F_GETFD) & FD_CLOEXEC) != 0);
	EXPECT(dup2(fd, 200) == 200);

	uint32_t a, b, c;
	EXPECT_OK(ioas_alloc(fd2, &a));
	EXPECT_OK(ioas_alloc(fd3, &b));
	EXPECT_OK(ioas_alloc(200, &c));
	/* One file: every descriptor sees every object. */
	EXPECT_OK(destroy(fd, a));
	EXPECT_OK(destroy(fd2, b));
	EXPECT_OK(destroy(fd3, c));

	/* Closing the original leaves the context to the duplicates. */
	EXPECT_OK(close(fd));
	EXPECT_OK(ioas_alloc(fd2, &a));
	EXPECT_OK(close(fd2));
	EXPECT_OK(close(200));
	EXPECT_OK(destroy(fd3, a));
	EXPECT_OK(close(fd3));
	return true;
}

struct thread_arg {
	int fd;
	int failures;
};

static void *alloc_destroy_loop(void *p)
{
	struct thread_arg *a = p;
	for (int i = 0; i < 100; i++) {
		uint32_t id;
		if (ioas_alloc(a->fd, &id) != 0 || destroy(a->fd, id) != 0)
			a->failures++;
	}
	return NULL;
}

static bool threads_share_the_fd(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	pthread_t threads[4];
	struct thread_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){.fd = fd};
		EXPECT_OK(pthread_create(&threads[i], NULL, alloc_destroy_loop, &args[i]));
	}
	for (int i = 0; i < 4; i++) {
		EXPECT_OK(pthread_join(threads[i], NULL));
		EXPECT(args[i].failures == 0);
	}
	EXPECT_OK(close(fd));
	return true;
}

static bool dispatch_errnos(void)
{
	int fd = open_iommufd();
	EXPECT(fd >= 0);
	struct iommu_ioas_alloc alloc = {.size = sizeof(alloc)};

	/* ENOTTY: below the first command, past the last, and another driver's number. */
	EXPECT_ERRNO(ENOTTY, ioctl(fd, IOMMUFD_IO(0x7f), &alloc));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, IOMMUFD_IO(0xff), &alloc));
	EXPECT_ERRNO(ENOTTY, ioctl(fd, 0x5401ul /* TCGETS */, &alloc));

	/* EINVAL: size below the command's minimum. */
	alloc.size = sizeof(alloc) - 1;
	EXPECT_ERRNO(EINVAL, ioctl(fd, IOMMU_IOAS_ALLOC, &alloc));

	/* E2BIG: a larger struct whose tail is not zero; a zero tail is accepted. */
	struct {
		struct iommu_ioas_alloc cmd;
		uint32_t tail;
	} big = {.cmd = {.size = sizeof(big)}, .tail = 1};
	EXPECT_ERRNO(E2BIG, ioctl(fd, IOMMU_IOAS_ALLOC, &big));
	big.tail = 0;
	EXPECT_OK(ioctl(fd, IOMMU_IOAS_ALLOC, &big));
	EXPECT(big.cmd.out_ioas_id != 0);

	/* EOPNOTSUPP: a flag the command does not know. */
	alloc.size = sizeof(alloc);
	alloc.flags = 1;
	EXPECT_ERRNO(EOPNOTSUPP, ioctl(fd, IOMMU_IOAS_ALLOC, &alloc));

	/* EFAULT: no struct at all, a struct cut off by an unmapped page, a bogus inner pointer. */
	EXPECT_ERRNO(EFAULT, ioctl(fd, IOMMU_IOAS_ALLOC, NULL));
	uint8_t *pages = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	EXPECT(pages != MAP_FAILED);
	EXPECT_OK(munmap(pages + PAGE, PAGE));
	uint32_t *size_at_end = (uint32_t *)(pages + PAGE - sizeof(uint32_t));
	*size_at_end = sizeof(struct iommu_ioas_alloc);
	EXPECT_ERRNO(EFAULT, ioctl(fd, IOMMU_IOAS_ALLOC, size_at_end));
	/* IOAS_MAP pins lazily: with a device attached, the unmapped page cannot be pinned. */
	uint32_t stdev, hwpt, idev;
	EXPECT_OK(mock_domain(fd, big.cmd.out_ioas_id, &stdev, &hwpt, &idev));
	uint64_t iova = 0;
	EXPECT_ERRNO(EFAULT, ioas_map(fd, big.cmd.out_ioas_id, pages + PAGE, PAGE, &iova, false));
	EXPECT_OK(destroy(fd, stdev));

	/* ENOENT: an ID that names nothing. */
	EXPECT_ERRNO(ENOENT, destroy(fd, 0xfffffu));

	/* None of it hurt the context. */
	EXPECT_OK(destroy(fd, big.cmd.out_ioas_id));
	EXPECT_OK(munmap(pages, PAGE));
	EXPECT_OK(close(fd));
	return true;
}

static bool no_server(void)
{
	EXPECT_ERRNO(ENODEV, open("/dev/iommu", O_RDWR));
	EXPECT_ERRNO(ENODEV, openat(AT_FDCWD, "/dev/iommu", O_RDWR | O_CLOEXEC));
	/* The rest of the file system is unaffected. */
	int fd = open("/dev/null", O_RDONLY);
	EXPECT(fd >= 0);
	EXPECT_OK(close(fd));
	return true;
}

int main(int argc, char **argv)
{
	/* Unbuffered: a forked child must not inherit (and print again) half a line of TAP. */
	setvbuf(stdout, NULL, _IONBF, 0);
	/* A hung server must fail the run, not the build's patience. */
	alarm(120);
	printf("TAP version 13\n");
	if (argc > 1 && strcmp(argv[1], "--no-server") == 0) {
		printf("1..1\n");
		run("open_without_server_is_ENODEV", no_server);
	} else {
		printf("1..13\n");
		run("other_paths_pass_through", other_paths_pass_through);
		run("open_and_close", open_and_close);
		run("ioas_map_unmap", ioas_map_unmap);
		run("iova_ranges", iova_ranges);
		run("access_rw_changes_program_memory", access_rw_changes_program_memory);
		run("ioas_copy", ioas_copy);
		run("mock_domain_check_map", mock_domain_check_map);
		run("viommu_mmap", viommu_mmap);
		run("fault_queue", fault_queue);
		run("fork_child_maps", fork_child_maps);
		run("dup_shares_the_context", dup_shares_the_context);
		run("threads_share_the_fd", threads_share_the_fd);
		run("dispatch_errnos", dispatch_errnos);
	}
	if (tests_failed > 0)
		diag("%d of %d failed", tests_failed, tests_run);
	return tests_failed == 0 ? 0 : 1;
}
