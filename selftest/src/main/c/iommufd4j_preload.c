/*
 * libiommufd4j-preload.so: runs an unmodified /dev/iommu program against an iommufd4j server.
 *
 *   ./iommufd4j serve &
 *   LD_PRELOAD=target/iommufd4j/lib/libiommufd4j-preload.so ./program
 *
 * open("/dev/iommu") becomes a Unix-socket connection to the server (protocol: README.md,
 * "Running C programs", and iommufd4j_protocol.h). The program gets that socket's fd as its
 * iommufd: a real descriptor, so close-on-exec, dup, fork and exit behave as with the kernel's
 * file, and the server sees the close of the last descriptor as the file's release. ioctl() on it
 * is forwarded with the raw argument; the server reads and writes the caller's memory through
 * /proc/<pid>/mem, so the shim needs no knowledge of any struct.
 *
 * Everything that is not one of our descriptors goes straight to the next definition
 * (dlsym(RTLD_NEXT)) after one array load, so the shim costs the rest of the program nothing.
 */
#define _GNU_SOURCE
#include "iommufd4j_protocol.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define EXPORT __attribute__((visibility("default")))

#define IOMMU_DEVICE_PATH "/dev/iommu"

/* The fd table covers descriptors below this; a connection that lands above it is refused with
 * EMFILE (programs with 64 Ki open files are not the audience). */
#define MAX_FDS 65536

#ifndef PR_SET_PTRACER
#define PR_SET_PTRACER 0x59616d61
#endif
#ifndef PR_SET_PTRACER_ANY
#define PR_SET_PTRACER_ANY ((unsigned long)-1)
#endif
#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* ------------------------------------------------------------------ the next definitions */

typedef int (*open_fn)(const char *, int, ...);
typedef int (*openat_fn)(int, const char *, int, ...);
typedef int (*open2_fn)(const char *, int);
typedef int (*openat2_fn)(int, const char *, int);
typedef int (*close_fn)(int);
typedef int (*dup_fn)(int);
typedef int (*dup2_fn)(int, int);
typedef int (*dup3_fn)(int, int, int);
typedef int (*fcntl_fn)(int, int, ...);
typedef int (*ioctl_fn)(int, unsigned long, ...);
typedef ssize_t (*read_fn)(int, void *, size_t);
typedef ssize_t (*read_chk_fn)(int, void *, size_t, size_t);
typedef ssize_t (*write_fn)(int, const void *, size_t);
typedef int (*poll_fn)(struct pollfd *, nfds_t, int);
typedef int (*poll_chk_fn)(struct pollfd *, nfds_t, int, size_t);
typedef void *(*mmap_fn)(void *, size_t, int, int, int, off_t);
typedef int (*munmap_fn)(void *, size_t);
typedef int (*close_range_fn)(unsigned int, unsigned int, int);
typedef void (*closefrom_fn)(int);

/*
 * Looks the next definition up on first use (and in the constructor). Lazy as well because another
 * library's constructor may call open() or close() before ours has run.
 */
static void *next_symbol(void **slot, const char *name)
{
	void *f = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (f == NULL) {
		f = dlsym(RTLD_NEXT, name);
		__atomic_store_n(slot, f, __ATOMIC_RELEASE);
	}
	return f;
}

#define NEXT(type, name)                                                                           \
	static void *next_##name##_slot;                                                           \
	static type next_##name(void)                                                              \
	{                                                                                          \
		return (type)next_symbol(&next_##name##_slot, #name);                              \
	}

NEXT(open_fn, open)
NEXT(open_fn, open64)
NEXT(openat_fn, openat)
NEXT(openat_fn, openat64)
NEXT(open2_fn, __open_2)
NEXT(open2_fn, __open64_2)
NEXT(openat2_fn, __openat_2)
NEXT(openat2_fn, __openat64_2)
NEXT(close_fn, close)
NEXT(dup_fn, dup)
NEXT(dup2_fn, dup2)
NEXT(dup3_fn, dup3)
NEXT(fcntl_fn, fcntl)
NEXT(fcntl_fn, fcntl64)
NEXT(ioctl_fn, ioctl)
NEXT(read_fn, read)
NEXT(read_chk_fn, __read_chk)
NEXT(write_fn, write)
NEXT(poll_fn, poll)
NEXT(poll_chk_fn, __poll_chk)
NEXT(mmap_fn, mmap)
NEXT(mmap_fn, mmap64)
NEXT(munmap_fn, munmap)
NEXT(close_range_fn, close_range)
NEXT(closefrom_fn, closefrom)

/* A missing next definition (a libc without fcntl64, say) is an error, never a NULL call. */
#define CALL_NEXT(name, fallback_errno, ...)                                                       \
	(next_##name() != NULL ? next_##name()(__VA_ARGS__) : (errno = (fallback_errno), -1))

/* ------------------------------------------------------------------ connections and the fd table */

enum conn_kind {
	/* one open("/dev/iommu"): IOCTL, MMAP, MUNMAP */
	CONN_CONTEXT = 1,
	/* an fd the server installed (fault queue, vEVENTQ, selftest access): READ, WRITE, POLL */
	CONN_FILE = 2,
};

/*
 * One open file description: what a connection stands for on the server. Several fd numbers
 * point to the same conn after dup(); `refs` counts them so the record is freed with the last.
 */
struct conn {
	enum conn_kind kind;
	int refs;
	uint64_t context_token;
	uint32_t fd_token;
	/* the server it talks to, remembered so a fork child and INSTALL_FD reach the same one */
	char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	/* scratch for the fork handler: this conn has been reconnected already */
	bool reconnected;
};

/*
 * The fd table is read without the lock on every close/read/write/poll/mmap of the program (one
 * load), and written only under `shim_lock`. One global lock also serialises every request: the
 * server answers each at once (POLL and READ never block), so the only cost is that two threads
 * of one program do not overlap their iommufd calls.
 */
static struct conn *fd_table[MAX_FDS];
static int fd_table_high; /* one past the highest fd ever registered; under the lock */
static pthread_mutex_t shim_lock;
static uint32_t next_seq;

/*
 * The mappings made by mmap() of a context fd. Each holds its own duplicate of the context socket
 * (so, as with the kernel's vma holding the file, closing the program's fd does not release the
 * context while the region is mapped) and is released by munmap() with MUNMAP.
 */
struct mapping {
	uintptr_t addr;
	size_t length;
	int sock;
	uint64_t context_token;
	struct mapping *next;
};
static struct mapping *mappings;
static int mapping_count; /* read without the lock by munmap's fast path */

static struct conn *conn_peek(int fd)
{
	if (fd < 0 || fd >= MAX_FDS)
		return NULL;
	return __atomic_load_n(&fd_table[fd], __ATOMIC_ACQUIRE);
}

/* Under the lock. */
static void table_set(int fd, struct conn *c)
{
	__atomic_store_n(&fd_table[fd], c, __ATOMIC_RELEASE);
	if (c != NULL && fd >= fd_table_high)
		fd_table_high = fd + 1;
}

/* Under the lock: fd no longer refers to its conn (closed or replaced by dup2). */
static void table_forget(int fd)
{
	struct conn *c = conn_peek(fd);
	if (c == NULL)
		return;
	table_set(fd, NULL);
	if (--c->refs == 0)
		free(c);
}

static void lock(void)
{
	pthread_mutex_lock(&shim_lock);
}

static void unlock(void)
{
	pthread_mutex_unlock(&shim_lock);
}

/* ------------------------------------------------------------------ socket I/O */

/* Waits until sock can do `events`: the program may have set O_NONBLOCK on its iommufd. */
static int wait_socket(int sock, short events)
{
	struct pollfd p = {.fd = sock, .events = events};
	for (;;) {
		int r = CALL_NEXT(poll, ENOSYS, &p, 1, -1);
		if (r >= 0 || errno != EINTR)
			return r < 0 ? -1 : 0;
	}
}

static int send_all(int sock, struct iovec *iov, int iovcnt)
{
	while (iovcnt > 0) {
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)iovcnt};
		/* MSG_NOSIGNAL: a dead server is an EIO for this call, not a SIGPIPE for the program. */
		ssize_t n = sendmsg(sock, &m, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_socket(sock, POLLOUT) == 0)
				continue;
			return -1;
		}
		while (iovcnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			iovcnt--;
		}
		if (iovcnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

static int recv_all(int sock, void *buf, size_t len)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = recv(sock, p, len, 0);
		if (n == 0) {
			errno = ECONNRESET;
			return -1;
		}
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if ((errno == EAGAIN || errno == EWOULDBLOCK) && wait_socket(sock, POLLIN) == 0)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void put_header(struct i4j_header *h, uint16_t type, uint32_t length, uint32_t seq)
{
	h->magic = I4J_MAGIC;
	h->version = I4J_VERSION;
	h->type = type;
	h->length = length;
	h->seq = seq;
}

static int send_message(int sock, uint16_t type, uint32_t seq, const void *a, size_t alen, const void *b,
			size_t blen)
{
	struct i4j_header h;
	put_header(&h, type, (uint32_t)(alen + blen), seq);
	struct iovec iov[3] = {
		{.iov_base = &h, .iov_len = sizeof(h)},
		{.iov_base = (void *)a, .iov_len = alen},
		{.iov_base = (void *)b, .iov_len = blen},
	};
	return send_all(sock, iov, blen > 0 ? 3 : 2);
}

static int handle_callback(int sock, const struct i4j_header *h, const unsigned char *payload,
			   const char *socket_path);

/*
 * One request and its reply on `sock`, under the lock. The server may send INSTALL_FD/CLOSE_FD
 * callbacks (with our seq) before the reply; they are answered here. Returns the reply's result
 * (>= 0, or -errno from the server) and copies up to `out_cap` bytes of what follows the result
 * into `out` (`*out_len` = how many). A broken or out-of-step stream returns -EIO and shuts the
 * socket down, so later calls fail fast instead of reading someone else's reply.
 */
static int32_t transact(int sock, uint16_t type, const void *a, size_t alen, const void *b, size_t blen,
			void *out, size_t out_cap, size_t *out_len, const char *socket_path)
{
	uint32_t seq = ++next_seq;
	if (out_len != NULL)
		*out_len = 0;
	if (send_message(sock, type, seq, a, alen, b, blen) < 0)
		return -EIO;
	for (;;) {
		struct i4j_header h;
		if (recv_all(sock, &h, sizeof(h)) < 0)
			return -EIO;
		if (h.magic != I4J_MAGIC || h.version != I4J_VERSION || h.length > I4J_MAX_PAYLOAD)
			goto desync;
		unsigned char small[256];
		unsigned char *payload = h.length <= sizeof(small) ? small : malloc(h.length);
		if (payload == NULL)
			goto desync;
		if (recv_all(sock, payload, h.length) < 0) {
			if (payload != small)
				free(payload);
			return -EIO;
		}
		int32_t result;
		if (h.type == I4J_ERROR && h.length >= sizeof(result)) {
			/* The server found our stream malformed and is closing it: report its errno once. */
			memcpy(&result, payload, sizeof(result));
			if (payload != small)
				free(payload);
			shutdown(sock, SHUT_RDWR);
			return result < 0 ? result : -EIO;
		}
		if (h.seq != seq || h.length < sizeof(result)) {
			if (payload != small)
				free(payload);
			goto desync;
		}
		if (h.type == I4J_INSTALL_FD || h.type == I4J_CLOSE_FD) {
			int rc = handle_callback(sock, &h, payload, socket_path);
			if (payload != small)
				free(payload);
			if (rc < 0)
				return -EIO;
			continue;
		}
		/* The reply: normally of the request's type; an ERROR of any type carries -errno too. */
		memcpy(&result, payload, sizeof(result));
		if (out != NULL && h.length > sizeof(result)) {
			size_t n = h.length - sizeof(result);
			if (n > out_cap)
				n = out_cap;
			memcpy(out, payload + sizeof(result), n);
			if (out_len != NULL)
				*out_len = n;
		}
		if (payload != small)
			free(payload);
		return result;
	}
desync:
	shutdown(sock, SHUT_RDWR);
	return -EIO;
}

/* ------------------------------------------------------------------ connecting */

/* $IOMMUFD4J_SOCKET, else $XDG_RUNTIME_DIR/iommufd4j.sock, else /tmp/iommufd4j-<uid>.sock. */
static int default_socket_path(char *path, size_t cap)
{
	const char *env = getenv("IOMMUFD4J_SOCKET");
	int n;
	if (env != NULL && env[0] != '\0')
		n = snprintf(path, cap, "%s", env);
	else if ((env = getenv("XDG_RUNTIME_DIR")) != NULL && env[0] != '\0')
		n = snprintf(path, cap, "%s/iommufd4j.sock", env);
	else
		n = snprintf(path, cap, "/tmp/iommufd4j-%u.sock", (unsigned)getuid());
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* A connected socket to the server, or -1 (errno from socket/connect). */
static int connect_server(const char *path, bool cloexec)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	if (len >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, len + 1);
	int sock = socket(AF_UNIX, SOCK_STREAM | (cloexec ? SOCK_CLOEXEC : 0), 0);
	if (sock < 0)
		return -1;
	while (connect(sock, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINTR)
			continue;
		int saved = errno;
		CALL_NEXT(close, EBADF, sock);
		errno = saved;
		return -1;
	}
	if (sock >= MAX_FDS) {
		CALL_NEXT(close, EBADF, sock);
		errno = EMFILE;
		return -1;
	}
	return sock;
}

/* Sends the first message (OPEN, JOIN or ATTACH) and returns its result; OPEN's token lands in *token. */
static int32_t handshake(int sock, struct conn *c, uint16_t type, uint64_t *token)
{
	uint32_t pid = (uint32_t)getpid();
	unsigned char msg[16];
	size_t len;
	memcpy(msg, &pid, 4);
	if (type == I4J_OPEN) {
		len = 4;
	} else if (type == I4J_JOIN) {
		uint32_t pad = 0;
		memcpy(msg + 4, &pad, 4);
		memcpy(msg + 8, &c->context_token, 8);
		len = 16;
	} else {
		memcpy(msg + 4, &c->fd_token, 4);
		memcpy(msg + 8, &c->context_token, 8);
		len = 16;
	}
	unsigned char out[12];
	size_t out_len;
	int32_t r = transact(sock, type, msg, len, NULL, 0, out, sizeof(out), &out_len, c->socket_path);
	if (r >= 0 && type == I4J_OPEN) {
		/* {i32 result, u32 pad, u64 context_token}: the token follows a pad word. */
		if (out_len < 12)
			return -EPROTO;
		memcpy(token, out + 4, 8);
	}
	return r;
}

static void say(const char *text)
{
	size_t len = strlen(text);
	while (len > 0) {
		ssize_t n = CALL_NEXT(write, EBADF, STDERR_FILENO, text, len);
		if (n <= 0) {
			if (n < 0 && errno == EINTR)
				continue;
			return;
		}
		text += n;
		len -= (size_t)n;
	}
}

/* open("/dev/iommu"): a new context on the server, given back as the socket's fd. */
static int open_iommufd(int flags)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (c == NULL) {
		errno = ENOMEM;
		return -1;
	}
	c->kind = CONN_CONTEXT;
	c->refs = 1;
	if (default_socket_path(c->socket_path, sizeof(c->socket_path)) < 0) {
		say("iommufd4j: the server socket path is longer than a Unix socket address allows\n");
		free(c);
		errno = ENODEV;
		return -1;
	}
	int sock = connect_server(c->socket_path, (flags & O_CLOEXEC) != 0);
	if (sock < 0) {
		/* As the kernel says when /dev/iommu has no driver behind it; the hint says what to do. */
		char hint[sizeof(c->socket_path) + 96];
		snprintf(hint, sizeof(hint), "iommufd4j: no server at %s \xe2\x80\x94 start one with ./iommufd4j serve\n",
			 c->socket_path);
		say(hint);
		free(c);
		errno = ENODEV;
		return -1;
	}
	lock();
	int32_t r = handshake(sock, c, I4J_OPEN, &c->context_token);
	if (r < 0) {
		unlock();
		CALL_NEXT(close, EBADF, sock);
		free(c);
		errno = r == -EIO ? ENODEV : -r;
		return -1;
	}
	/* A stale entry can only be left by a close the shim did not see (a raw syscall). */
	table_forget(sock);
	table_set(sock, c);
	unlock();
	return sock;
}

static bool is_iommu_path(const char *path)
{
	return path != NULL && strcmp(path, IOMMU_DEVICE_PATH) == 0;
}

static bool needs_mode(int flags)
{
	return (flags & O_CREAT) != 0 || (flags & O_TMPFILE) == O_TMPFILE;
}

#define MODE_ARG(flags, mode)                                                                      \
	do {                                                                                       \
		if (needs_mode(flags)) {                                                           \
			va_list ap;                                                                \
			va_start(ap, flags);                                                       \
			mode = (mode_t)va_arg(ap, int);                                            \
			va_end(ap);                                                                \
		}                                                                                  \
	} while (0)

EXPORT int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	MODE_ARG(flags, mode);
	if (is_iommu_path(path))
		return open_iommufd(flags);
	return CALL_NEXT(open, ENOSYS, path, flags, mode);
}

EXPORT int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	MODE_ARG(flags, mode);
	if (is_iommu_path(path))
		return open_iommufd(flags);
	return CALL_NEXT(open64, ENOSYS, path, flags, mode);
}

/* An absolute path ignores dirfd, so openat(any, "/dev/iommu") is ours too. */
EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	MODE_ARG(flags, mode);
	if (is_iommu_path(path))
		return open_iommufd(flags);
	return CALL_NEXT(openat, ENOSYS, dirfd, path, flags, mode);
}

EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
	mode_t mode = 0;
	MODE_ARG(flags, mode);
	if (is_iommu_path(path))
		return open_iommufd(flags);
	return CALL_NEXT(openat64, ENOSYS, dirfd, path, flags, mode);
}

/* The _FORTIFY_SOURCE entry points a program built with -D_FORTIFY_SOURCE calls instead. */
EXPORT int __open_2(const char *path, int flags)
{
	if (is_iommu_path(path))
		return open_iommufd(flags);
	return CALL_NEXT(__open_2, ENOSYS, path, flags);
}

EXPORT int __open64_2(const char *path, int flags)
{
	if (is_iommu_path(path))
		return open_iommufd(flags);
	return CALL_NEXT(__open64_2, ENOSYS, path, flags);
}

EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
	if (is_iommu_path(path))
		return open_iommufd(flags);
	return CALL_NEXT(__openat_2, ENOSYS, dirfd, path, flags);
}

EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
	if (is_iommu_path(path))
		return open_iommufd(flags);
	return CALL_NEXT(__openat64_2, ENOSYS, dirfd, path, flags);
}

/* ------------------------------------------------------------------ callbacks */

/*
 * INSTALL_FD {u32 fd_token, u32 flags, u64 context_token}: the ioctl created a file (fault queue,
 * vEVENTQ, selftest access). Its fd is a new connection ATTACHed to it; the answer is that fd,
 * which the server writes into the struct the ioctl returns.
 */
static int32_t install_fd(const unsigned char *payload, uint32_t length, const char *socket_path)
{
	if (length < 16)
		return -EINVAL;
	if (socket_path == NULL)
		return -EBADF;
	struct conn *c = calloc(1, sizeof(*c));
	if (c == NULL)
		return -ENOMEM;
	uint32_t flags;
	c->kind = CONN_FILE;
	c->refs = 1;
	memcpy(&c->fd_token, payload, 4);
	memcpy(&flags, payload + 4, 4);
	memcpy(&c->context_token, payload + 8, 8);
	snprintf(c->socket_path, sizeof(c->socket_path), "%s", socket_path);
	int sock = connect_server(c->socket_path, (flags & O_CLOEXEC) != 0);
	if (sock < 0) {
		int32_t e = -errno;
		free(c);
		return e;
	}
	int32_t r = handshake(sock, c, I4J_ATTACH, NULL);
	if (r < 0) {
		CALL_NEXT(close, EBADF, sock);
		free(c);
		return r;
	}
	table_forget(sock);
	table_set(sock, c);
	return sock;
}

/* CLOSE_FD {i32 fd}: the ioctl failed after installing fd. Only an fd the shim installed is closed. */
static void close_installed(const unsigned char *payload, uint32_t length)
{
	int32_t fd;
	if (length < 4)
		return;
	memcpy(&fd, payload, 4);
	struct conn *c = conn_peek(fd);
	if (c != NULL && c->kind == CONN_FILE) {
		table_forget(fd);
		CALL_NEXT(close, EBADF, fd);
	}
}

static int handle_callback(int sock, const struct i4j_header *h, const unsigned char *payload,
			   const char *socket_path)
{
	int32_t answer = 0;
	if (h->type == I4J_INSTALL_FD)
		answer = install_fd(payload, h->length, socket_path);
	else
		close_installed(payload, h->length);
	return send_message(sock, h->type, h->seq, &answer, sizeof(answer), NULL, 0);
}

/* ------------------------------------------------------------------ close and dup */

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Under the lock: a shim mapping of this context keeps its connection open (struct mapping). */
static bool context_is_mapped(const struct conn *c)
{
	if (c->kind != CONN_CONTEXT)
		return false;
	for (const struct mapping *m = mappings; m != NULL; m = m->next)
		if (m->context_token == c->context_token)
			return true;
	return false;
}

/* How long close() waits for the server to let go of a connection before it closes anyway. */
#define CLOSE_WAIT_MS 2000

/*
 * The kernel releases a file in close() of its last descriptor, so a program may destroy what the
 * file held right after (close(fault_fd) then IOMMU_DESTROY of the fault object). Over a socket
 * the server would only notice the end of stream some time later. So the last close in this
 * process half-closes the connection and waits (bounded) until the server has closed its end,
 * which it does when it lets go of the connection.
 */
static void close_and_wait(int fd)
{
	if (shutdown(fd, SHUT_WR) < 0)
		return;
	long long deadline = now_ms() + CLOSE_WAIT_MS;
	for (;;) {
		char scratch[64];
		ssize_t n = recv(fd, scratch, sizeof(scratch), MSG_DONTWAIT);
		if (n == 0)
			return;
		if (n > 0)
			continue; /* nothing is outstanding; whatever this is, it is not ours any more */
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return;
		long long left = deadline - now_ms();
		if (left <= 0)
			return;
		struct pollfd p = {.fd = fd, .events = POLLIN};
		CALL_NEXT(poll, ENOSYS, &p, 1, (int)left);
	}
}

EXPORT int close(int fd)
{
	if (conn_peek(fd) != NULL) {
		lock();
		struct conn *c = conn_peek(fd);
		/*
		 * Only this process's last descriptor of the connection: a dup or an mmap of it still
		 * uses the stream. (A fork child has a connection of its own.)
		 */
		bool last = c != NULL && c->refs == 1 && !context_is_mapped(c);
		table_forget(fd);
		if (last)
			close_and_wait(fd);
		unlock();
	}
	return CALL_NEXT(close, ENOSYS, fd);
}

/* Closing a range drops the shim's view of every fd in it (glibc 2.34+ entry points). */
static void forget_range(unsigned int first, unsigned int last)
{
	lock();
	unsigned int end = (unsigned int)fd_table_high;
	for (unsigned int fd = first; fd < end && fd <= last; fd++)
		table_forget((int)fd);
	unlock();
}

EXPORT int close_range(unsigned int first, unsigned int last, int flags)
{
	int r = CALL_NEXT(close_range, ENOSYS, first, last, flags);
	if (r == 0 && (flags & CLOSE_RANGE_CLOEXEC) == 0)
		forget_range(first, last);
	return r;
}

EXPORT void closefrom(int lowfd)
{
	if (next_closefrom() != NULL)
		next_closefrom()(lowfd);
	if (lowfd >= 0)
		forget_range((unsigned int)lowfd, UINT_MAX);
}

/* After a successful dup onto newfd: newfd refers to oldfd's conn (or to none). */
static int after_dup(int oldfd, int newfd)
{
	if (newfd < 0)
		return newfd;
	if (conn_peek(oldfd) == NULL && conn_peek(newfd) == NULL)
		return newfd;
	lock();
	struct conn *c = conn_peek(oldfd);
	table_forget(newfd);
	if (c != NULL && newfd < MAX_FDS) {
		c->refs++;
		table_set(newfd, c);
	}
	unlock();
	return newfd;
}

EXPORT int dup(int oldfd)
{
	return after_dup(oldfd, CALL_NEXT(dup, ENOSYS, oldfd));
}

EXPORT int dup2(int oldfd, int newfd)
{
	int r = CALL_NEXT(dup2, ENOSYS, oldfd, newfd);
	return oldfd == newfd ? r : after_dup(oldfd, r);
}

EXPORT int dup3(int oldfd, int newfd, int flags)
{
	return after_dup(oldfd, CALL_NEXT(dup3, ENOSYS, oldfd, newfd, flags));
}

static int fcntl_common(fcntl_fn next, int fd, int cmd, void *arg)
{
	if (next == NULL) {
		errno = ENOSYS;
		return -1;
	}
	int r = next(fd, cmd, arg);
	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return after_dup(fd, r);
	return r;
}

/* Every fcntl argument is an int or a pointer; passing it on as a pointer is what glibc does. */
EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(next_fcntl(), fd, cmd, arg);
}

EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	va_start(ap, cmd);
	void *arg = va_arg(ap, void *);
	va_end(ap);
	return fcntl_common(next_fcntl64() != NULL ? next_fcntl64() : next_fcntl(), fd, cmd, arg);
}

/* ------------------------------------------------------------------ ioctl */

/*
 * The ioctls the VFS answers itself before the file sees them (fs/ioctl.c do_vfs_ioctl) are done
 * here on the socket's fd; the rest go to the server. FIONBIO is accepted without making our
 * socket non-blocking: /dev/iommu has no blocking operation, so O_NONBLOCK means nothing to it.
 */
static int context_ioctl(int fd, unsigned long request, unsigned long arg)
{
	switch (request) {
	case FIOCLEX:
		return CALL_NEXT(fcntl, ENOSYS, fd, F_SETFD, FD_CLOEXEC);
	case FIONCLEX:
		return CALL_NEXT(fcntl, ENOSYS, fd, F_SETFD, 0);
	case FIONBIO:
		return 0;
	default:
		break;
	}
	struct {
		uint32_t pid;
		uint32_t cmd;
		uint64_t arg;
	} msg = {.pid = (uint32_t)getpid(), .cmd = (uint32_t)request, .arg = arg};
	lock();
	struct conn *c = conn_peek(fd);
	int32_t r = c == NULL ? -EBADF
			      : transact(fd, I4J_IOCTL, &msg, sizeof(msg), NULL, 0, NULL, 0, NULL, c->socket_path);
	unlock();
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

EXPORT int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	va_start(ap, request);
	unsigned long arg = va_arg(ap, unsigned long);
	va_end(ap);
	struct conn *c = conn_peek(fd);
	if (c == NULL)
		return CALL_NEXT(ioctl, ENOSYS, fd, request, arg);
	if (c->kind == CONN_CONTEXT)
		return context_ioctl(fd, request, arg);
	/* The fault, vEVENTQ and access files have no ioctl (file_operations without unlocked_ioctl). */
	errno = ENOTTY;
	return -1;
}

/* ------------------------------------------------------------------ read, write, poll */

/* READ can return at most this much per call; a queue read returns whole records, so this is only a cap. */
#define MAX_READ (1u << 20)

static ssize_t file_read(int fd, struct conn *c, void *buf, size_t count)
{
	if (c->kind != CONN_FILE) {
		errno = EINVAL; /* /dev/iommu has no read method */
		return -1;
	}
	uint32_t n = count > MAX_READ ? MAX_READ : (uint32_t)count;
	uint32_t msg[2] = {(uint32_t)getpid(), n};
	size_t got;
	lock();
	int32_t r = transact(fd, I4J_READ, msg, sizeof(msg), NULL, 0, buf, n, &got, NULL);
	unlock();
	if (r < 0) {
		errno = -r;
		return -1;
	}
	/* The server sends exactly `result` bytes; trust the smaller of the two. */
	return (ssize_t)((size_t)r < got ? (size_t)r : got);
}

EXPORT ssize_t read(int fd, void *buf, size_t count)
{
	struct conn *c = conn_peek(fd);
	if (c == NULL)
		return CALL_NEXT(read, ENOSYS, fd, buf, count);
	return file_read(fd, c, buf, count);
}

EXPORT ssize_t __read_chk(int fd, void *buf, size_t count, size_t buflen)
{
	struct conn *c = conn_peek(fd);
	if (c == NULL)
		return CALL_NEXT(__read_chk, ENOSYS, fd, buf, count, buflen);
	if (count > buflen)
		abort(); /* what glibc's __read_chk does: a fortify failure is not recoverable */
	return file_read(fd, c, buf, count);
}

EXPORT ssize_t write(int fd, const void *buf, size_t count)
{
	struct conn *c = conn_peek(fd);
	if (c == NULL)
		return CALL_NEXT(write, ENOSYS, fd, buf, count);
	if (c->kind != CONN_FILE) {
		errno = EINVAL;
		return -1;
	}
	if (count > MAX_READ)
		count = MAX_READ;
	uint32_t msg[2] = {(uint32_t)getpid(), (uint32_t)count};
	lock();
	int32_t r = transact(fd, I4J_WRITE, msg, sizeof(msg), buf, count, NULL, 0, NULL, NULL);
	unlock();
	if (r < 0) {
		errno = -r;
		return -1;
	}
	return r;
}

/* What a file without a poll method reports (DEFAULT_POLLMASK): always ready. */
#define DEFAULT_POLLMASK (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)

static short shim_revents(int fd, struct conn *c, short events)
{
	if (c->kind != CONN_FILE)
		return (short)(events & DEFAULT_POLLMASK);
	uint32_t msg = (uint32_t)(unsigned short)events;
	lock();
	int32_t r = transact(fd, I4J_POLL, &msg, sizeof(msg), NULL, 0, NULL, 0, NULL, NULL);
	unlock();
	if (r < 0)
		return POLLERR | POLLHUP;
	/* POLLERR and POLLHUP are reported whether asked for or not, as poll(2) does. */
	return (short)(r & (events | POLLERR | POLLHUP));
}

/*
 * poll() with shim fds in the set: the server's POLL does not block, so ask it (and poll the
 * program's other fds with a zero timeout) every millisecond until something is ready or the
 * timeout has passed.
 */
static int emulated_poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	struct pollfd *others = calloc(nfds, sizeof(*others));
	nfds_t *index = calloc(nfds, sizeof(*index));
	if (others == NULL || index == NULL) {
		free(others);
		free(index);
		errno = ENOMEM;
		return -1;
	}
	long long deadline = timeout < 0 ? -1 : now_ms() + timeout;
	int ready;
	for (;;) {
		nfds_t n_others = 0;
		ready = 0;
		for (nfds_t i = 0; i < nfds; i++) {
			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			struct conn *c = conn_peek(fds[i].fd);
			if (c != NULL) {
				fds[i].revents = shim_revents(fds[i].fd, c, fds[i].events);
			} else {
				others[n_others] = fds[i];
				index[n_others++] = i;
			}
		}
		if (n_others > 0) {
			int r = CALL_NEXT(poll, ENOSYS, others, n_others, 0);
			if (r < 0) {
				ready = -1;
				break;
			}
			for (nfds_t k = 0; k < n_others; k++)
				fds[index[k]].revents = others[k].revents;
		}
		for (nfds_t i = 0; i < nfds; i++)
			if (fds[i].revents != 0)
				ready++;
		if (ready > 0 || timeout == 0)
			break;
		long long left = deadline < 0 ? 1 : deadline - now_ms();
		if (left <= 0)
			break;
		struct timespec nap = {.tv_sec = 0, .tv_nsec = (left < 1 ? left : 1) * 1000000L};
		if (nanosleep(&nap, NULL) < 0 && errno == EINTR) {
			/* A signal handler ran: poll(2) returns EINTR then, too. */
			ready = -1;
			break;
		}
	}
	int saved = errno;
	free(others);
	free(index);
	errno = saved;
	return ready;
}

static bool has_shim_fd(const struct pollfd *fds, nfds_t nfds)
{
	for (nfds_t i = 0; i < nfds; i++)
		if (conn_peek(fds[i].fd) != NULL)
			return true;
	return false;
}

EXPORT int poll(struct pollfd *fds, nfds_t nfds, int timeout)
{
	if (!has_shim_fd(fds, nfds))
		return CALL_NEXT(poll, ENOSYS, fds, nfds, timeout);
	return emulated_poll(fds, nfds, timeout);
}

EXPORT int __poll_chk(struct pollfd *fds, nfds_t nfds, int timeout, size_t fdslen)
{
	if (!has_shim_fd(fds, nfds))
		return CALL_NEXT(__poll_chk, ENOSYS, fds, nfds, timeout, fdslen);
	if (fdslen / sizeof(*fds) < nfds)
		abort(); /* glibc's __poll_chk: the array is smaller than nfds says */
	return emulated_poll(fds, nfds, timeout);
}

/* ------------------------------------------------------------------ mmap of a context fd */

static size_t page_size(void)
{
	static size_t cached;
	size_t p = __atomic_load_n(&cached, __ATOMIC_RELAXED);
	if (p == 0) {
		long v = sysconf(_SC_PAGESIZE);
		p = v > 0 ? (size_t)v : 4096;
		__atomic_store_n(&cached, p, __ATOMIC_RELAXED);
	}
	return p;
}

/* MUNMAP {u32 pid, u32 pad, u64 addr, u64 length} on a mapping's own socket; always 0 per protocol. */
static void send_munmap(int sock, uintptr_t addr, size_t length)
{
	struct {
		uint32_t pid;
		uint32_t pad;
		uint64_t addr;
		uint64_t length;
	} msg = {.pid = (uint32_t)getpid(), .addr = addr, .length = length};
	transact(sock, I4J_MUNMAP, &msg, sizeof(msg), NULL, 0, NULL, 0, NULL, NULL);
}

/*
 * The kernel maps the published pages themselves; the shim cannot, so it makes an anonymous
 * shared mapping and has the server copy the region's bytes into it (through /proc/<pid>/mem).
 * The server validates the request exactly as iommufd_fops_mmap and takes the reference that
 * keeps the owner from being destroyed while the range is mapped.
 */
static void *context_mmap(int fd, void *addr, size_t length, int prot, int flags, off_t offset)
{
	size_t ps = page_size();
	if (length == 0 || ((uint64_t)offset & (ps - 1)) != 0) {
		errno = EINVAL; /* what mmap(2) checks before the file sees the call */
		return MAP_FAILED;
	}
	size_t rounded = (length + ps - 1) & ~(ps - 1);
	struct mapping *m = calloc(1, sizeof(*m));
	if (m == NULL) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	/*
	 * Writable while the server fills it: a write through /proc/<pid>/mem into a shared mapping
	 * without PROT_WRITE fails (FOLL_FORCE only breaks COW of private ones). The caller's prot is
	 * applied afterwards.
	 */
	int anon_flags = (flags & ~(MAP_TYPE | MAP_ANONYMOUS)) | MAP_SHARED | MAP_ANONYMOUS;
	void *p = next_mmap() != NULL ? next_mmap()(addr, rounded, PROT_READ | PROT_WRITE, anon_flags, -1, 0)
				      : (errno = ENOSYS, MAP_FAILED);
	if (p == MAP_FAILED) {
		free(m);
		return MAP_FAILED;
	}
	struct {
		uint32_t pid;
		uint32_t prot;
		uint32_t flags;
		uint32_t pad;
		uint64_t addr;
		uint64_t length;
		uint64_t offset;
	} msg = {.pid = (uint32_t)getpid(),
		 .prot = (uint32_t)prot,
		 .flags = (uint32_t)flags,
		 .addr = (uintptr_t)p,
		 .length = rounded,
		 .offset = (uint64_t)offset};
	lock();
	struct conn *c = conn_peek(fd);
	int32_t r = c == NULL ? -EBADF
			      : transact(fd, I4J_MMAP, &msg, sizeof(msg), NULL, 0, NULL, 0, NULL, c->socket_path);
	int sock = -1;
	if (r >= 0) {
		/* The mapping's own reference to the context (see struct mapping). */
		sock = CALL_NEXT(fcntl, ENOSYS, fd, F_DUPFD_CLOEXEC, 0);
		if (sock < 0) {
			send_munmap(fd, (uintptr_t)p, rounded);
			r = -errno;
		}
	}
	if (r < 0) {
		unlock();
		CALL_NEXT(munmap, ENOSYS, p, rounded);
		free(m);
		errno = -r;
		return MAP_FAILED;
	}
	m->addr = (uintptr_t)p;
	m->length = rounded;
	m->sock = sock;
	m->context_token = c->context_token;
	m->next = mappings;
	mappings = m;
	__atomic_store_n(&mapping_count, mapping_count + 1, __ATOMIC_RELEASE);
	unlock();
	if ((prot & (PROT_READ | PROT_WRITE)) != (PROT_READ | PROT_WRITE))
		mprotect(p, rounded, prot);
	return p;
}

EXPORT void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
	struct conn *c = (flags & MAP_ANONYMOUS) != 0 ? NULL : conn_peek(fd);
	if (c == NULL)
		return next_mmap() != NULL ? next_mmap()(addr, length, prot, flags, fd, offset)
					   : (errno = ENOSYS, MAP_FAILED);
	if (c->kind != CONN_CONTEXT) {
		errno = ENODEV; /* the queue and access files have no mmap method */
		return MAP_FAILED;
	}
	return context_mmap(fd, addr, length, prot, flags, offset);
}

EXPORT void *mmap64(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
	struct conn *c = (flags & MAP_ANONYMOUS) != 0 ? NULL : conn_peek(fd);
	if (c == NULL)
		return next_mmap64() != NULL ? next_mmap64()(addr, length, prot, flags, fd, offset)
					     : mmap(addr, length, prot, flags, fd, offset);
	return mmap(addr, length, prot, flags, fd, offset);
}

/*
 * Under the lock: tells the server about the part of each shim mapping that [start, end) covers
 * and trims the records (splitting one whose middle goes).
 */
static void unmap_range(uintptr_t start, uintptr_t end)
{
	struct mapping **pp = &mappings;
	while (*pp != NULL) {
		struct mapping *m = *pp;
		uintptr_t m_end = m->addr + m->length;
		if (m_end <= start || m->addr >= end) {
			pp = &m->next;
			continue;
		}
		uintptr_t lo = m->addr > start ? m->addr : start;
		uintptr_t hi = m_end < end ? m_end : end;
		send_munmap(m->sock, lo, hi - lo);
		if (lo == m->addr && hi == m_end) {
			*pp = m->next;
			CALL_NEXT(close, EBADF, m->sock);
			free(m);
			__atomic_store_n(&mapping_count, mapping_count - 1, __ATOMIC_RELEASE);
			continue;
		}
		if (lo > m->addr && hi < m_end) {
			struct mapping *tail = calloc(1, sizeof(*tail));
			int sock = CALL_NEXT(fcntl, ENOSYS, m->sock, F_DUPFD_CLOEXEC, 0);
			if (tail != NULL && sock >= 0) {
				tail->addr = hi;
				tail->length = m_end - hi;
				tail->sock = sock;
				tail->context_token = m->context_token;
				tail->next = m->next;
				m->next = tail;
				__atomic_store_n(&mapping_count, mapping_count + 1, __ATOMIC_RELEASE);
			} else {
				/* Out of memory: the tail's MUNMAP is lost, leaving the owner busy until exit. */
				free(tail);
				if (sock >= 0)
					CALL_NEXT(close, EBADF, sock);
			}
			m->length = lo - m->addr;
		} else if (lo == m->addr) {
			m->addr = hi;
			m->length = m_end - hi;
		} else {
			m->length = lo - m->addr;
		}
		pp = &m->next;
	}
}

EXPORT int munmap(void *addr, size_t length)
{
	if (__atomic_load_n(&mapping_count, __ATOMIC_ACQUIRE) > 0 && length > 0) {
		uintptr_t start = (uintptr_t)addr;
		size_t ps = page_size();
		uintptr_t end = (start + length + ps - 1) & ~(uintptr_t)(ps - 1);
		if (end > start) {
			lock();
			unmap_range(start, end);
			unlock();
		}
	}
	return CALL_NEXT(munmap, ENOSYS, addr, length);
}

/* ------------------------------------------------------------------ fork */

/* No request may be half-done when the address space is copied: the child could not finish it. */
static void before_fork(void)
{
	lock();
}

static void after_fork_parent(void)
{
	unlock();
}

/*
 * Replaces fd (in the child) with a socket that is connected to nothing: requests on it fail with
 * EIO instead of interleaving with the parent's on the shared connection.
 */
static void disconnect_in_child(int fd)
{
	int flags = CALL_NEXT(fcntl, ENOSYS, fd, F_GETFD, 0);
	int dead = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (dead >= 0) {
		CALL_NEXT(dup3, ENOSYS, dead, fd, flags > 0 && (flags & FD_CLOEXEC) ? O_CLOEXEC : 0);
		CALL_NEXT(close, EBADF, dead);
	}
}

/*
 * The child inherits the parent's sockets, but one stream cannot carry two processes' requests.
 * So each conn gets a connection of its own (JOIN for a context, ATTACH for a file), dup'd onto
 * the same fd numbers with the same close-on-exec flags: parent and child then share the context
 * as they would share the kernel's file, and the server serves each from its own pid's memory.
 */
static void after_fork_child(void)
{
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	/* The parent's lock is held by a thread that does not exist here: start from a fresh one. */
	pthread_mutex_init(&shim_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);

	lock();
	/* The child's copies of shim mappings are plain memory: the references stay the parent's. */
	while (mappings != NULL) {
		struct mapping *m = mappings;
		mappings = m->next;
		CALL_NEXT(close, EBADF, m->sock);
		free(m);
	}
	__atomic_store_n(&mapping_count, 0, __ATOMIC_RELEASE);

	for (int fd = 0; fd < fd_table_high; fd++) {
		struct conn *c = conn_peek(fd);
		if (c != NULL)
			c->reconnected = false;
	}
	for (int fd = 0; fd < fd_table_high; fd++) {
		struct conn *c = conn_peek(fd);
		if (c == NULL || c->reconnected)
			continue;
		c->reconnected = true;
		int sock = connect_server(c->socket_path, true);
		if (sock >= 0 && handshake(sock, c, c->kind == CONN_CONTEXT ? I4J_JOIN : I4J_ATTACH, NULL) < 0) {
			CALL_NEXT(close, EBADF, sock);
			sock = -1;
		}
		for (int other = fd; other < fd_table_high; other++) {
			if (conn_peek(other) != c)
				continue;
			if (sock < 0) {
				disconnect_in_child(other);
				continue;
			}
			int flags = CALL_NEXT(fcntl, ENOSYS, other, F_GETFD, 0);
			int cloexec = flags > 0 && (flags & FD_CLOEXEC) ? O_CLOEXEC : 0;
			if (CALL_NEXT(dup3, ENOSYS, sock, other, cloexec) < 0)
				disconnect_in_child(other);
		}
		if (sock >= 0)
			CALL_NEXT(close, EBADF, sock);
	}
	unlock();
}

/* ------------------------------------------------------------------ setup */

__attribute__((constructor)) static void shim_init(void)
{
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	/* Recursive: an INSTALL_FD callback registers its fd while the ioctl holds the lock. */
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&shim_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	/*
	 * With Yama's ptrace_scope=1 only a ptracer the process named may open /proc/<pid>/mem; the
	 * server must, to read the structs and buffers the ioctls point at. (Without Yama: EINVAL,
	 * and nothing is needed.)
	 */
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
	(void)next_open();
	(void)next_close();
	(void)next_ioctl();
}
