/*
 * iommufd4j uAPI server protocol, version 1: the constants and framing the preload shim speaks.
 * The protocol is written down in README.md ("Running C programs"); this header is the C side of
 * it and must change only together with the server (org.iommufd4j.server).
 */
#ifndef IOMMUFD4J_PROTOCOL_H
#define IOMMUFD4J_PROTOCOL_H

#include <stdint.h>

/* "I4JP" as bytes 49 34 4A 50, read as a little-endian u32. */
#define I4J_MAGIC 0x504A3449u
#define I4J_VERSION 1u
/* The server rejects longer payloads; the shim refuses to allocate more for a reply, too. */
#define I4J_MAX_PAYLOAD (16u * 1024u * 1024u)

/* The server's answer to a malformed message ({i32 -errno}, seq 0); it then closes the connection. */
#define I4J_ERROR 0u
/* First message on a connection. */
#define I4J_OPEN 1u
#define I4J_JOIN 2u
#define I4J_ATTACH 3u
/* Requests on a context connection. */
#define I4J_IOCTL 16u
#define I4J_MMAP 20u
#define I4J_MUNMAP 21u
/* Requests on a file connection (FAULT / vEVENTQ / selftest access fd). */
#define I4J_READ 17u
#define I4J_WRITE 18u
#define I4J_POLL 19u
/* Callbacks the server sends while it runs an IOCTL; answered with the same type and seq. */
#define I4J_INSTALL_FD 64u
#define I4J_CLOSE_FD 65u

/* Every message starts with this header; all integers are little-endian (the shim only builds
 * for little-endian hosts, checked below). */
struct i4j_header {
	uint32_t magic;
	uint16_t version;
	uint16_t type;
	uint32_t length;
	uint32_t seq;
};

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the iommufd4j protocol is little-endian; this shim writes host-order integers"
#endif

_Static_assert(sizeof(struct i4j_header) == 16, "protocol header is 16 bytes");

#endif
