/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "addr.h"

static int	addr_parse_port(const char *, in_port_t *, const char **);
static void	addr_set4(struct addr *, const struct in_addr *, in_port_t);
static void	addr_set6(struct addr *, const struct in6_addr *, in_port_t);
static const void *addr_v4(const struct sockaddr *);
static char	*addr_utoa(char *, unsigned int, unsigned int);
static void	addr_ntop4(const unsigned char *, char *);
static void	addr_ntop6(const unsigned char *, char *);
static int	addr_parse_unix(const char *, struct addr *, const char **);

/*
 * "/path" or "@name".  An abstract name is stored after sun_path's NUL,
 * the rest zeroed, and bound with the length of the name alone, as
 * systemd and socat do.
 */
static int
addr_parse_unix(const char *s, struct addr *a, const char **errstr)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)&a->ss;
	size_t			 len = strlen(s);

	memset(a, 0, sizeof(*a));
	sun->sun_family = AF_UNIX;
	if (s[0] == '@' && len > 1 && len <= sizeof(sun->sun_path)) {
		memcpy(sun->sun_path + 1, s + 1, len - 1);
		a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    len);
		return 1;
	}
	if (s[0] == '/' && len < sizeof(sun->sun_path)) {
		memcpy(sun->sun_path, s, len);
		a->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
		    len + 1);
		return 1;
	}
	if (errstr != NULL)
		*errstr = s[0] != '/' && s[0] != '@' ? "a unix socket is "
		    "/path or @name" : "unix socket name too long";
	return -1;
}

/*
 * The port is plain decimal with no sign, space or leading zero: "080"
 * is refused rather than guessed at, as is "0", since a listener on an
 * ephemeral port would be of no use to a client.
 */
static int
addr_parse_port(const char *s, in_port_t *port, const char **errstr)
{
	unsigned long	v = 0;
	const char	*p;

	if (*s == '\0') {
		*errstr = "missing port";
		return -1;
	}
	if (s[0] == '0' && s[1] != '\0') {
		*errstr = "bad port";
		return -1;
	}
	for (p = s; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			*errstr = "bad port";
			return -1;
		}
		v = v * 10 + (unsigned long)(*p - '0');
		/* Stop early so that a long string cannot wrap around. */
		if (v > 65535) {
			*errstr = "port out of range";
			return -1;
		}
	}
	if (v == 0) {
		*errstr = "port out of range";
		return -1;
	}
	*port = htons((in_port_t)v);
	return 0;
}

static void
addr_set4(struct addr *a, const struct in_addr *in, in_port_t port)
{
	struct sockaddr_in	*sin;

	memset(a, 0, sizeof(*a));
	sin = (struct sockaddr_in *)&a->ss;
	sin->sin_family = AF_INET;
	sin->sin_addr = *in;
	sin->sin_port = port;
	a->len = sizeof(*sin);
}

static void
addr_set6(struct addr *a, const struct in6_addr *in6, in_port_t port)
{
	struct sockaddr_in6	*sin6;

	memset(a, 0, sizeof(*a));
	sin6 = (struct sockaddr_in6 *)&a->ss;
	sin6->sin6_family = AF_INET6;
	sin6->sin6_addr = *in6;
	sin6->sin6_port = port;
	a->len = sizeof(*sin6);
}

/*
 * The IPv4 address to print for sa, or NULL when it is not an IPv4 one:
 * a client on a dual-stack socket is shown as the IPv4 address it has.
 */
static const void *
addr_v4(const struct sockaddr *sa)
{
	const struct sockaddr_in6	*sin6;

	if (sa->sa_family == AF_INET)
		return &((const struct sockaddr_in *)sa)->sin_addr;
	if (sa->sa_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			return sin6->sin6_addr.s6_addr + 12;
	}
	return NULL;
}

int
addr_parse_listen(const char *s, struct addr out[2], const char **errstr)
{
	char		 host[INET6_ADDRSTRLEN];
	const char	*hstart, *hend, *portstr, *err;
	struct in_addr	 in;
	struct in6_addr	 in6;
	in_port_t	 port;
	size_t		 hlen;

	if (*s == '\0') {
		err = "missing address";
		goto fail;
	}
	if (strncmp(s, "unix:", 5) == 0)
		return addr_parse_unix(s + 5, out, errstr);
	if (s[0] == '[') {
		hstart = s + 1;
		if ((hend = strchr(hstart, ']')) == NULL) {
			err = "missing ]";
			goto fail;
		}
		if (hend[1] == '\0') {
			err = "missing port";
			goto fail;
		}
		if (hend[1] != ':') {
			err = "bad address";
			goto fail;
		}
		portstr = hend + 2;
	} else {
		hstart = s;
		if ((hend = strrchr(s, ':')) == NULL) {
			err = "missing port";
			goto fail;
		}
		portstr = hend + 1;
		/*
		 * Without brackets the last colon could as well be part
		 * of the address, so an IPv6 address must have them.
		 */
		if (memchr(s, ':', (size_t)(hend - s)) != NULL) {
			err = "IPv6 address needs brackets";
			goto fail;
		}
	}

	hlen = (size_t)(hend - hstart);
	if (hlen == 0) {
		err = "missing address";
		goto fail;
	}
	if (hlen >= sizeof(host)) {
		err = "bad address";
		goto fail;
	}
	memcpy(host, hstart, hlen);
	host[hlen] = '\0';

	if (addr_parse_port(portstr, &port, &err) == -1)
		goto fail;

	if (s[0] == '[') {
		if (inet_pton(AF_INET6, host, &in6) != 1) {
			err = "bad IPv6 address";
			goto fail;
		}
		addr_set6(&out[0], &in6, port);
		return 1;
	}
	if (strcmp(host, "*") == 0) {
		/*
		 * One IPv6 socket with IPV6_V6ONLY off serves both
		 * families; the listener is told so by the flag.
		 */
		addr_set6(&out[0], &in6addr_any, port);
		out[0].wildcard = 1;
		return 1;
	}
	if (strcmp(host, "localhost") == 0) {
		/* Fixed, not looked up: a pure module resolves no names. */
		in.s_addr = htonl(INADDR_LOOPBACK);
		addr_set4(&out[0], &in, port);
		addr_set6(&out[1], &in6addr_loopback, port);
		return 2;
	}
	if (inet_pton(AF_INET, host, &in) != 1) {
		err = "bad address";
		goto fail;
	}
	addr_set4(&out[0], &in, port);
	return 1;

fail:
	if (errstr != NULL)
		*errstr = err;
	return -1;
}

/*
 * v in base 10 or 16, lower case, no leading zero, at p; returns the end.
 */
static char *
addr_utoa(char *p, unsigned int v, unsigned int base)
{
	char	tmp[8];
	size_t	n = 0;

	/* Digits by arithmetic: a table would be a page of .rodata more. */
	do {
		tmp[n++] = (char)(v % base < 10 ? '0' + v % base :
		    'a' + v % base - 10);
		v /= base;
	} while (v != 0);
	while (n > 0)
		*p++ = tmp[--n];
	*p = '\0';
	return p;
}

static void
addr_ntop4(const unsigned char *a, char *p)
{
	int	i;

	for (i = 0; i < 4; i++) {
		p = addr_utoa(p, a[i], 10);
		if (i < 3)
			*p++ = '.';
	}
}

/*
 * RFC 5952 text, as inet_ntop(3) writes it: groups in lower-case hex
 * without leading zeros, the first longest run of two or more zero groups
 * as "::", and the last 32 bits as IPv4 after ::ffff: or six zero groups.
 */
static void
addr_ntop6(const unsigned char *a, char *p)
{
	unsigned int	w[8];
	int		i, base = -1, len = 0, cur = -1, curlen = 0;

	for (i = 0; i < 8; i++) {
		w[i] = (unsigned int)a[2 * i] << 8 | a[2 * i + 1];
		if (w[i] == 0) {
			if (cur == -1)
				cur = i, curlen = 0;
			if (++curlen > len)
				base = cur, len = curlen;
		} else
			cur = -1;
	}
	if (len < 2)
		base = -1;
	for (i = 0; i < 8; i++) {
		if (i == base) {
			*p++ = ':';
			if (i == 0)
				*p++ = ':';
			i += len - 1;
			continue;
		}
		if (i == 6 && base == 0 &&
		    (len == 6 || (len == 5 && w[5] == 0xffff))) {
			addr_ntop4(a + 12, p);
			return;
		}
		p = addr_utoa(p, w[i], 16);
		if (i < 7)
			*p++ = ':';
	}
	*p = '\0';
}

/*
 * Run in every child for its handler's strings, so it is written without
 * stdio: the pages of printf(3) are more for a child to fault in than the
 * whole of this.
 */
int
addr_numeric(const struct sockaddr *sa, char *ip, char *port)
{
	const unsigned char	*v4;

	ip[0] = port[0] = '\0';
	if ((v4 = addr_v4(sa)) != NULL)
		addr_ntop4(v4, ip);
	else if (sa->sa_family == AF_INET6)
		addr_ntop6(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr,
		    ip);
	else
		return -1;
	addr_utoa(port, addr_port(sa), 10);
	return 0;
}

char *
addr_str(const struct sockaddr *sa, int wildcard, char *buf)
{
	char	ip[INET6_ADDRSTRLEN], port[ADDR_PORTLEN];

	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	unsigned int		 uid;

	if (addr_cred(sa, &uid, NULL) == 0)
		snprintf(buf, ADDR_STRLEN, "unix:uid %u", uid);
	else if (sa->sa_family == AF_UNIX && sun->sun_path[0] == '\0' &&
	    sun->sun_path[1] != '\0')
		snprintf(buf, ADDR_STRLEN, "unix:@%.*s",
		    (int)sizeof(sun->sun_path) - 1, sun->sun_path + 1);
	else if (sa->sa_family == AF_UNIX && sun->sun_path[0] != '\0')
		snprintf(buf, ADDR_STRLEN, "unix:%.*s",
		    (int)sizeof(sun->sun_path), sun->sun_path);
	else if (sa->sa_family == AF_UNIX)
		strlcpy(buf, "unix:", ADDR_STRLEN);
	else if (wildcard)
		snprintf(buf, ADDR_STRLEN, "*:%u", addr_port(sa));
	else if (addr_numeric(sa, ip, port) == -1)
		strlcpy(buf, "(unknown)", ADDR_STRLEN);
	else if (addr_v4(sa) != NULL)
		snprintf(buf, ADDR_STRLEN, "%s:%s", ip, port);
	else
		snprintf(buf, ADDR_STRLEN, "[%s]:%s", ip, port);
	return buf;
}

int
addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	const struct sockaddr_in	*a4, *b4;
	const struct sockaddr_in6	*a6, *b6;

	if (a->sa_family != b->sa_family)
		return 0;
	switch (a->sa_family) {
	case AF_INET:
		a4 = (const struct sockaddr_in *)a;
		b4 = (const struct sockaddr_in *)b;
		return a4->sin_port == b4->sin_port &&
		    a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	case AF_INET6:
		a6 = (const struct sockaddr_in6 *)a;
		b6 = (const struct sockaddr_in6 *)b;
		/* Link-local addresses on different links differ. */
		return a6->sin6_port == b6->sin6_port &&
		    a6->sin6_scope_id == b6->sin6_scope_id &&
		    IN6_ARE_ADDR_EQUAL(&a6->sin6_addr, &b6->sin6_addr);
	case AF_UNIX:
		return memcmp(((const struct sockaddr_un *)a)->sun_path,
		    ((const struct sockaddr_un *)b)->sun_path,
		    sizeof(((const struct sockaddr_un *)a)->sun_path)) == 0;
	default:
		return 0;
	}
}

unsigned int
addr_port(const struct sockaddr *sa)
{
	switch (sa->sa_family) {
	case AF_INET:
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	case AF_INET6:
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	default:
		return 0;
	}
}

int
addr_unspecified(const struct sockaddr *sa)
{
	const unsigned char	*v4;

	if ((v4 = addr_v4(sa)) != NULL)
		return (v4[0] | v4[1] | v4[2] | v4[3]) == 0;
	return sa->sa_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(
	    &((const struct sockaddr_in6 *)sa)->sin6_addr);
}

#define ADDR_CRED	"\0\0cred"

void
addr_set_cred(struct sockaddr_storage *ss, unsigned int uid, unsigned int gid,
    int pid)
{
	struct sockaddr_un	*sun = (struct sockaddr_un *)ss;
	char			*p = sun->sun_path;

	memset(ss, 0, sizeof(*ss));
	sun->sun_family = AF_UNIX;
	memcpy(p, ADDR_CRED, sizeof(ADDR_CRED) - 1);
	p += sizeof(ADDR_CRED) - 1;
	memcpy(p, &uid, sizeof(uid));
	memcpy(p + sizeof(uid), &gid, sizeof(gid));
	memcpy(p + sizeof(uid) + sizeof(gid), &pid, sizeof(pid));
}

int
addr_cred(const struct sockaddr *sa, unsigned int *uid, unsigned int *gid)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
	const char		*p = sun->sun_path;

	if (sa->sa_family != AF_UNIX ||
	    memcmp(p, ADDR_CRED, sizeof(ADDR_CRED) - 1) != 0)
		return -1;
	p += sizeof(ADDR_CRED) - 1;
	if (uid != NULL)
		memcpy(uid, p, sizeof(*uid));
	if (gid != NULL)
		memcpy(gid, p + sizeof(*uid), sizeof(*gid));
	return 0;
}

socklen_t
addr_len(const struct sockaddr *sa)
{
	switch (sa->sa_family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	case AF_UNIX:
		/*
		 * A client's credentials are short, and fit where the
		 * master keeps a client's address (childtab.h); an unnamed
		 * socket is its family; a named one, the whole structure.
		 */
		if (addr_cred(sa, NULL, NULL) == 0)
			return ADDR_CRED_LEN;
		if (((const struct sockaddr_un *)sa)->sun_path[0] == '\0' &&
		    ((const struct sockaddr_un *)sa)->sun_path[1] == '\0')
			return offsetof(struct sockaddr_un, sun_path);
		return sizeof(struct sockaddr_un);
	}
	return 0;
}
