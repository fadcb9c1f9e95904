/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"

#define V1_PREFIX	"PROXY "
#define V1_PREFIXLEN	6
#define V1_MINLEN	15	/* "PROXY UNKNOWN\r\n" */

#define V2_SIGLEN	12
#define V2_VERSION	0x2
#define V2_CMD_LOCAL	0x0
#define V2_CMD_PROXY	0x1
#define V2_AF_INET	0x1
#define V2_AF_INET6	0x2
#define V2_AF_UNIX	0x3
#define V2_TR_STREAM	0x1
#define V2_TR_DGRAM	0x2
#define V2_INET_LEN	12	/* two addresses of 4 bytes, two ports */
#define V2_INET6_LEN	36	/* two addresses of 16 bytes, two ports */

/* The fields of a v1 line after "PROXY ", in order. */
enum v1_field {
	V1_PROTO,
	V1_SRC,
	V1_DST,
	V1_SPORT,
	V1_DPORT,
	V1_NFIELDS
};

struct v1_proto {
	const char	*name;
	int		 family;	/* AF_UNSPEC for UNKNOWN: no fields */
	size_t		 addrmin;	/* "0.0.0.0", "::" */
	size_t		 addrmax;
	const char	*addrchars;
};

static const struct v1_proto v1_protos[] = {
	{ "TCP4", AF_INET, 7, INET_ADDRSTRLEN - 1, "0123456789." },
	{ "TCP6", AF_INET6, 2, INET6_ADDRSTRLEN - 1,
	    "0123456789abcdefABCDEF:." },
	{ "UNKNOWN", AF_UNSPEC, 0, 0, "" },
};

static const uint8_t v2_sig[V2_SIGLEN] = {
	0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a
};

static int	proxy_version(const uint8_t *, size_t);
static ssize_t	proxy_v1(const uint8_t *, size_t, struct proxy_hdr *,
		    size_t *, const char **);
static int	proxy_v1_fields(const char *, size_t, int, struct proxy_hdr *,
		    size_t *, const char **);
static size_t	proxy_v1_rest(const struct v1_proto *, enum v1_field, size_t);
static int	proxy_v1_isproto(const char *, size_t);
static const struct v1_proto *proxy_v1_proto(const char *, size_t);
static int	proxy_v1_addr(const struct v1_proto *, const char *, size_t,
		    int, struct sockaddr_storage *);
static int	proxy_v1_port(const char *, size_t, struct sockaddr_storage *);
static ssize_t	proxy_v2(const uint8_t *, size_t, struct proxy_hdr *,
		    size_t *, const char **);
static int	proxy_v2_command(uint8_t, const char **);
static int	proxy_v2_family(uint8_t, size_t *, const char **);
static void	proxy_v2_addr(uint8_t, const uint8_t *, struct proxy_hdr *);
static int	proxy_wait(int, const struct timespec *, int, const char **);
static int	proxy_left(const struct timespec *, int);

/*
 * Which version the bytes so far can begin: 1, 2, or 0 for neither.  The
 * first byte tells, "P" or CR, and every byte of the signature must match.
 */
static int
proxy_version(const uint8_t *p, size_t len)
{
	if (memcmp(p, V1_PREFIX, len < V1_PREFIXLEN ? len : V1_PREFIXLEN) == 0)
		return 1;
	if (memcmp(p, v2_sig, len < V2_SIGLEN ? len : V2_SIGLEN) == 0)
		return 2;
	return 0;
}

/*
 * A v1 line ends at the first CR, which must be followed by LF, and the
 * line must fit in PROXY_V1_MAXLEN bytes.  Until the CR comes, the fields
 * seen so far are checked as far as they go, so that a line that cannot
 * end well is refused at once and not after a timeout.
 */
static ssize_t
proxy_v1(const uint8_t *p, size_t len, struct proxy_hdr *h, size_t *need,
    const char **errstr)
{
	size_t	i, end, rest;
	int	complete;

	if (len < V1_PREFIXLEN) {
		*need = V1_MINLEN;
		return 0;
	}
	end = len < PROXY_V1_MAXLEN ? len : PROXY_V1_MAXLEN;
	for (i = 0; i < end; i++)
		if (p[i] == '\r' || p[i] == '\n')
			break;
	complete = i < end;
	if (i == PROXY_V1_MAXLEN || (complete && i + 2 > PROXY_V1_MAXLEN)) {
		*errstr = "v1 header too long";
		return -1;
	}
	if (complete && p[i] == '\n') {
		*errstr = "v1 header ends in lf without cr";
		return -1;
	}
	if (complete && i + 1 < len && p[i + 1] != '\n') {
		*errstr = "v1 header has cr without lf";
		return -1;
	}

	if (proxy_v1_fields((const char *)p + V1_PREFIXLEN, i - V1_PREFIXLEN,
	    complete, h, &rest, errstr) == -1)
		return -1;
	if (!complete) {
		/* No valid line can end in time: say so now. */
		if (len + rest > PROXY_V1_MAXLEN) {
			*errstr = "v1 header too long";
			return -1;
		}
		*need = len + rest > V1_MINLEN ? len + rest : V1_MINLEN;
		return 0;
	}
	if (i + 1 == len) {
		*need = i + 2;
		return 0;
	}
	return (ssize_t)i + 2;
}

/*
 * Check the n bytes of a v1 line after "PROXY " and fill h.  Unless the
 * line is complete, its last field may still grow and is checked only as
 * far as it goes; *rest is then set to the fewest bytes that must still
 * come, CRLF included.
 */
static int
proxy_v1_fields(const char *s, size_t n, int complete, struct proxy_hdr *h,
    size_t *rest, const char **errstr)
{
	const struct v1_proto	*proto = NULL;
	const char		*sp;
	size_t			 flen;
	enum v1_field		 f;
	int			 open;

	memset(h, 0, sizeof(*h));
	h->version = 1;
	for (f = V1_PROTO; ; f++) {
		sp = memchr(s, ' ', n);
		flen = sp != NULL ? (size_t)(sp - s) : n;
		open = sp == NULL && !complete;
		if (f == V1_NFIELDS) {
			*errstr = "extra v1 field";
			return -1;
		}
		if (flen == 0 && !open) {
			*errstr = "bad v1 spacing";
			return -1;
		}
		switch (f) {
		case V1_PROTO:
			if (open) {
				if (!proxy_v1_isproto(s, flen))
					goto badproto;
				*rest = 2;
				return 0;
			}
			if ((proto = proxy_v1_proto(s, flen)) == NULL)
				goto badproto;
			/* Anything may follow UNKNOWN up to the CRLF. */
			if (proto->family == AF_UNSPEC) {
				h->local = 1;
				*rest = 2;
				return 0;
			}
			break;
		case V1_SRC:
		case V1_DST:
			if (proxy_v1_addr(proto, s, flen, open,
			    f == V1_SRC ? &h->src : &h->dst) == -1) {
				*errstr = "bad v1 address";
				return -1;
			}
			break;
		default:
			if (proxy_v1_port(s, flen,
			    f == V1_SPORT ? &h->src : &h->dst) == -1) {
				*errstr = "bad v1 port";
				return -1;
			}
			break;
		}
		if (sp == NULL)
			break;
		n -= flen + 1;
		s = sp + 1;
	}
	if (complete && f != V1_DPORT) {
		*errstr = "missing v1 field";
		return -1;
	}
	*rest = complete ? 0 : proxy_v1_rest(proto, f, flen);
	return 0;

badproto:
	*errstr = "bad v1 protocol";
	return -1;
}

/*
 * The fewest bytes that complete a TCP4 or TCP6 line whose field f has
 * flen bytes so far: the rest of that field at its shortest, each later
 * field at its shortest with its space, and CRLF.
 */
static size_t
proxy_v1_rest(const struct v1_proto *proto, enum v1_field f, size_t flen)
{
	size_t	min, rest = 0;

	for (; f < V1_NFIELDS; f++) {
		min = f == V1_SRC || f == V1_DST ? proto->addrmin : 1;
		if (min > flen)
			rest += min - flen;
		/* Then the space before the next field, all of it to come. */
		flen = 0;
		if (f + 1 < V1_NFIELDS)
			rest++;
	}
	return rest + 2;
}

/* Whether an unfinished field can still grow into a protocol name. */
static int
proxy_v1_isproto(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < sizeof(v1_protos) / sizeof(v1_protos[0]); i++)
		if (n <= strlen(v1_protos[i].name) &&
		    memcmp(s, v1_protos[i].name, n) == 0)
			return 1;
	return 0;
}

static const struct v1_proto *
proxy_v1_proto(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < sizeof(v1_protos) / sizeof(v1_protos[0]); i++)
		if (n == strlen(v1_protos[i].name) &&
		    memcmp(s, v1_protos[i].name, n) == 0)
			return &v1_protos[i];
	return NULL;
}

/*
 * An address in the text form inet_pton takes for the family the line
 * announced.  An unfinished one is checked for length and characters.
 */
static int
proxy_v1_addr(const struct v1_proto *proto, const char *s, size_t n,
    int open, struct sockaddr_storage *ss)
{
	char			 text[INET6_ADDRSTRLEN];
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	size_t			 i;

	if (n > proto->addrmax)
		return -1;
	/* inet_pton takes a C string: no NUL may hide inside the field. */
	for (i = 0; i < n; i++)
		if (s[i] == '\0' || strchr(proto->addrchars, s[i]) == NULL)
			return -1;
	if (open)
		return 0;
	memcpy(text, s, n);
	text[n] = '\0';
	if (proto->family == AF_INET) {
		sin = (struct sockaddr_in *)ss;
		sin->sin_family = AF_INET;
		return inet_pton(AF_INET, text, &sin->sin_addr) == 1 ? 0 : -1;
	}
	sin6 = (struct sockaddr_in6 *)ss;
	sin6->sin6_family = AF_INET6;
	return inet_pton(AF_INET6, text, &sin6->sin6_addr) == 1 ? 0 : -1;
}

/*
 * A port is 0-65535 in plain decimal, with no sign and no leading zero.
 * Every test here also holds for the start of a valid port, so an
 * unfinished field needs no special case.  The address of ss is already
 * in place, as both come before the ports.
 */
static int
proxy_v1_port(const char *s, size_t n, struct sockaddr_storage *ss)
{
	unsigned int	v = 0;
	in_port_t	port;
	size_t		i;

	if (n > 5 || (n > 1 && s[0] == '0'))
		return -1;
	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (unsigned int)(s[i] - '0');
	}
	if (v > 65535)
		return -1;
	port = htons((in_port_t)v);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = port;
	else
		((struct sockaddr_in6 *)ss)->sin6_port = port;
	return 0;
}

/*
 * A v2 header is the signature, a version and command byte, a family and
 * transport byte, and the length of what follows: the addresses, then
 * TLVs, which are skipped.  The fixed bytes are checked as soon as they
 * come, in the same order as for a whole header.
 */
static ssize_t
proxy_v2(const uint8_t *p, size_t len, struct proxy_hdr *h, size_t *need,
    const char **errstr)
{
	size_t	body, addrlen = 0;
	int	proxy;

	if (len <= V2_SIGLEN) {
		*need = PROXY_V2_HDRLEN;
		return 0;
	}
	if (proxy_v2_command(p[V2_SIGLEN], errstr) == -1)
		return -1;
	proxy = (p[V2_SIGLEN] & 0xf) == V2_CMD_PROXY;
	/* A LOCAL command's family is to be ignored, whatever it says. */
	if (len > V2_SIGLEN + 1 && proxy &&
	    proxy_v2_family(p[V2_SIGLEN + 1], &addrlen, errstr) == -1)
		return -1;
	if (len < PROXY_V2_HDRLEN) {
		*need = PROXY_V2_HDRLEN;
		return 0;
	}

	/* The last two fixed bytes: the length of the rest, big-endian. */
	body = (size_t)p[PROXY_V2_HDRLEN - 2] << 8 | p[PROXY_V2_HDRLEN - 1];
	if (body > PROXY_V2_MAXLEN) {
		*errstr = "v2 header too long";
		return -1;
	}
	if (body < addrlen) {
		*errstr = "v2 address block too short";
		return -1;
	}
	if (len < PROXY_V2_HDRLEN + body) {
		*need = PROXY_V2_HDRLEN + body;
		return 0;
	}

	memset(h, 0, sizeof(*h));
	h->version = 2;
	if (addrlen > 0)
		proxy_v2_addr(p[V2_SIGLEN + 1], p + PROXY_V2_HDRLEN, h);
	else
		h->local = 1;
	return (ssize_t)(PROXY_V2_HDRLEN + body);
}

static int
proxy_v2_command(uint8_t vercmd, const char **errstr)
{
	if (vercmd >> 4 != V2_VERSION) {
		*errstr = "unsupported v2 version";
		return -1;
	}
	if ((vercmd & 0xf) != V2_CMD_LOCAL && (vercmd & 0xf) != V2_CMD_PROXY) {
		*errstr = "unsupported v2 command";
		return -1;
	}
	return 0;
}

/*
 * The family and transport of a PROXY command.  TCP over IPv4 or IPv6
 * gives addresses, and *addrlen is set to the length of their block.
 * UNSPEC and UNIX leave *addrlen at 0: the connection's own addresses
 * stand, as the specification allows.  UDP is refused, for the header
 * would then describe some other traffic than this TCP connection.
 */
static int
proxy_v2_family(uint8_t famtr, size_t *addrlen, const char **errstr)
{
	int	fam = famtr >> 4, tr = famtr & 0xf;

	if (fam > V2_AF_UNIX) {
		*errstr = "unsupported v2 address family";
		return -1;
	}
	if (tr > V2_TR_DGRAM ||
	    ((fam == V2_AF_INET || fam == V2_AF_INET6) && tr != V2_TR_STREAM)) {
		*errstr = "unsupported v2 transport";
		return -1;
	}
	if (fam == V2_AF_INET)
		*addrlen = V2_INET_LEN;
	else if (fam == V2_AF_INET6)
		*addrlen = V2_INET6_LEN;
	return 0;
}

/* Addresses and ports come in network order, as sockaddrs want them. */
static void
proxy_v2_addr(uint8_t famtr, const uint8_t *a, struct proxy_hdr *h)
{
	struct sockaddr_in	*src4, *dst4;
	struct sockaddr_in6	*src6, *dst6;

	if (famtr >> 4 == V2_AF_INET) {
		src4 = (struct sockaddr_in *)&h->src;
		dst4 = (struct sockaddr_in *)&h->dst;
		src4->sin_family = dst4->sin_family = AF_INET;
		memcpy(&src4->sin_addr, a, 4);
		memcpy(&dst4->sin_addr, a + 4, 4);
		memcpy(&src4->sin_port, a + 8, 2);
		memcpy(&dst4->sin_port, a + 10, 2);
	} else {
		src6 = (struct sockaddr_in6 *)&h->src;
		dst6 = (struct sockaddr_in6 *)&h->dst;
		src6->sin6_family = dst6->sin6_family = AF_INET6;
		memcpy(&src6->sin6_addr, a, 16);
		memcpy(&dst6->sin6_addr, a + 16, 16);
		memcpy(&src6->sin6_port, a + 32, 2);
		memcpy(&dst6->sin6_port, a + 34, 2);
	}
}

ssize_t
proxy_parse(const void *buf, size_t len, int accept, struct proxy_hdr *h,
    size_t *need, const char **errstr)
{
	const uint8_t		*p = buf;
	const char		*err;
	struct proxy_hdr	 tmp;
	size_t			 want;
	ssize_t			 r;
	int			 version;

	if ((accept & (PROXY_V1 | PROXY_V2)) == 0) {
		err = "no PROXY protocol version allowed";
		goto fail;
	}
	if (len == 0) {
		want = accept & PROXY_V1 ? V1_MINLEN : PROXY_V2_HDRLEN;
		goto more;
	}
	if ((version = proxy_version(p, len)) == 0) {
		err = "not a PROXY protocol header";
		goto fail;
	}
	if (version == 1 && (accept & PROXY_V1) == 0) {
		err = "v1 header not allowed";
		goto fail;
	}
	if (version == 2 && (accept & PROXY_V2) == 0) {
		err = "v2 header not allowed";
		goto fail;
	}

	if (version == 1)
		r = proxy_v1(p, len, &tmp, &want, &err);
	else
		r = proxy_v2(p, len, &tmp, &want, &err);
	if (r == -1)
		goto fail;
	if (r == 0)
		goto more;
	*h = tmp;
	return r;

more:
	if (need != NULL)
		*need = want;
	return 0;
fail:
	if (errstr != NULL)
		*errstr = err;
	return -1;
}

/*
 * Each read asks for no more than proxy_parse says any valid header still
 * has, so the client's first byte stays in the socket for the handler.
 * Whatever has come is parsed again after each read, which is cheap for
 * lines this short, and lets a bad header be refused as soon as it shows.
 */
int
proxy_read(int fd, int accept, int timeout_ms, struct proxy_hdr *h,
    const char **errstr)
{
	uint8_t		 buf[PROXY_MAXLEN];
	struct timespec	 start;
	const char	*err;
	size_t		 len = 0, need;
	ssize_t		 r;

	if (clock_gettime(CLOCK_MONOTONIC, &start) == -1) {
		err = strerror(errno);
		goto fail;
	}
	for (;;) {
		r = proxy_parse(buf, len, accept, h, &need, &err);
		if (r > 0)
			return 0;
		if (r == -1)
			goto fail;
		if (proxy_wait(fd, &start, timeout_ms, &err) == -1)
			goto fail;
		r = read(fd, buf + len, need - len);
		if (r == -1) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == EWOULDBLOCK)
				continue;
			err = strerror(errno);
			goto fail;
		}
		if (r == 0) {
			err = len == 0 ? "connection closed before header" :
			    "truncated header";
			goto fail;
		}
		len += (size_t)r;
	}

fail:
	if (errstr != NULL)
		*errstr = err;
	return -1;
}

/* Wait until fd is readable, or fail when the time is up. */
static int
proxy_wait(int fd, const struct timespec *start, int timeout_ms,
    const char **errstr)
{
	struct pollfd	pfd;
	int		left;

	for (;;) {
		if ((left = proxy_left(start, timeout_ms)) == 0) {
			*errstr = "timeout waiting for header";
			return -1;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		switch (poll(&pfd, 1, left)) {
		case -1:
			if (errno == EINTR)
				continue;
			*errstr = strerror(errno);
			return -1;
		case 0:
			continue;
		default:
			if (pfd.revents & POLLNVAL) {
				*errstr = strerror(EBADF);
				return -1;
			}
			/* Data, EOF or an error: read(2) tells which. */
			return 0;
		}
	}
}

/*
 * Milliseconds left of timeout_ms since start, for poll(2): -1 for no
 * limit, 0 when the time is up.  A clock that cannot be read ends the
 * wait rather than prolonging it.
 */
static int
proxy_left(const struct timespec *start, int timeout_ms)
{
	struct timespec	now;
	long long	elapsed;

	if (timeout_ms < 0)
		return -1;
	if (clock_gettime(CLOCK_MONOTONIC, &now) == -1)
		return 0;
	/* Whole milliseconds, rounded down: never short of the timeout. */
	elapsed = ((long long)(now.tv_sec - start->tv_sec) * 1000000000 +
	    (now.tv_nsec - start->tv_nsec)) / 1000000;
	if (elapsed >= timeout_ms)
		return 0;
	return timeout_ms - (int)elapsed;
}
