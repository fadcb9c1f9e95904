/* SPDX-License-Identifier: ISC */
/*
 * The HAProxy PROXY protocol, versions 1 (text) and 2 (binary): the header
 * a proxy sends ahead of the client's bytes to name the original client.
 * proxy_parse is pure; proxy_read is the one function here that does I/O.
 */

#ifndef FORKD_PROXY_H
#define FORKD_PROXY_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>

/* Versions, for the accept mask. */
#define PROXY_V1	0x1
#define PROXY_V2	0x2

/* The longest version 1 line, CRLF included. */
#define PROXY_V1_MAXLEN	107

/* The fixed part of a version 2 header: signature, command, family, length. */
#define PROXY_V2_HDRLEN	16

/*
 * The most address and TLV bytes taken after the fixed part of a version 2
 * header.  The address block is at most 216 bytes (two UNIX paths); the
 * TLVs HAProxy sends, every one of them at its largest (ALPN and authority
 * of 255 bytes, a 128-byte unique ID, CRC32C, SSL with its version, CN,
 * cipher and algorithms, a network namespace name), come to about 1.1 KB
 * more.  2 KB holds all of that, and still bounds what a confused peer can
 * make a child buffer and wait for.
 */
#define PROXY_V2_MAXLEN	2048

/* Room for any header proxy_parse accepts. */
#define PROXY_MAXLEN	(PROXY_V2_HDRLEN + PROXY_V2_MAXLEN)

struct proxy_hdr {
	int			version;	/* 1 or 2 */
	/*
	 * Set for a v1 UNKNOWN line and for a v2 LOCAL command or UNSPEC or
	 * UNIX family: the connection's own addresses stand, and src and
	 * dst are zero (AF_UNSPEC).
	 */
	int			local;
	struct sockaddr_storage	src;		/* the original client */
	struct sockaddr_storage	dst;		/* the address it reached */
};

/*
 * Parse the header at the start of buf, of a version allowed by accept
 * (PROXY_V1, PROXY_V2 or both).  Returns the header's length when buf
 * holds a complete valid one, and fills *h.  Returns 0 when buf is the
 * start of what may still be a valid header, and sets *need, unless NULL,
 * to more than len but no more than the length of any valid header that
 * begins with these bytes: reading up to *need bytes never takes a byte
 * past the header.  Returns -1 with *errstr, unless NULL, set to a short
 * reason.  *h is left alone unless a header is returned.
 */
ssize_t	proxy_parse(const void *buf, size_t len, int accept,
	    struct proxy_hdr *h, size_t *need, const char **errstr);

/*
 * Read one header of a version allowed by accept from a stream socket, and
 * not a byte more: what follows is the client's.  Gives up when no
 * complete header has come within timeout_ms in all (no limit if
 * negative).  Returns 0, or -1 with *errstr, unless NULL, set to a short
 * reason.
 */
int	proxy_read(int fd, int accept, int timeout_ms, struct proxy_hdr *h,
	    const char **errstr);

#endif /* FORKD_PROXY_H */
