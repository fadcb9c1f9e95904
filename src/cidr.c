/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdint.h>
#include <string.h>

#include "addr.h"
#include "cidr.h"

static int	cidr_prefixlen(const char *, unsigned int, unsigned int *);
static void	cidr_clearhost(uint8_t *, size_t, unsigned int);
static int	cidr_inprefix(const uint8_t *, const uint8_t *, unsigned int);

/*
 * A prefix length is plain decimal: no sign, no space and no leading zero,
 * so that "/08" or "/+8" in a configuration is reported rather than read
 * as something the writer may not have meant.
 */
static int
cidr_prefixlen(const char *s, unsigned int max, unsigned int *out)
{
	unsigned int	v = 0;

	if (*s == '\0')
		return -1;
	if (s[0] == '0' && s[1] != '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned int)(*s - '0');
		/* Stop early so that a long string cannot wrap around. */
		if (v > max)
			return -1;
	}
	*out = v;
	return 0;
}

static void
cidr_clearhost(uint8_t *addr, size_t len, unsigned int prefix)
{
	size_t	i;

	for (i = prefix / 8; i < len; i++) {
		if (i == prefix / 8 && prefix % 8 != 0)
			addr[i] &= (uint8_t)(0xff << (8 - prefix % 8));
		else
			addr[i] = 0;
	}
}

static int
cidr_inprefix(const uint8_t *net, const uint8_t *addr, unsigned int prefix)
{
	unsigned int	full = prefix / 8, rest = prefix % 8;
	uint8_t		mask;

	if (memcmp(net, addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	mask = (uint8_t)(0xff << (8 - rest));
	return (net[full] & mask) == (addr[full] & mask);
}

int
cidr_parse(const char *s, struct cidr *c, const char **errstr)
{
	char		 host[INET6_ADDRSTRLEN];
	const char	*slash, *err;
	struct cidr	 tmp;
	size_t		 hlen, alen;
	unsigned int	 max;

	memset(&tmp, 0, sizeof(tmp));
	slash = strchr(s, '/');
	hlen = slash != NULL ? (size_t)(slash - s) : strlen(s);
	if (hlen == 0) {
		err = "missing address";
		goto fail;
	}
	if (hlen >= sizeof(host)) {
		err = "bad address";
		goto fail;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';

	/*
	 * inet_pton is strict on its own: it takes exactly four dotted
	 * decimal parts for IPv4 and rejects surrounding space, brackets
	 * and zone suffixes, which we want refused too.
	 */
	if (strchr(host, ':') != NULL) {
		tmp.family = AF_INET6;
		alen = 16;
	} else {
		tmp.family = AF_INET;
		alen = 4;
	}
	if (inet_pton(tmp.family, host, tmp.addr) != 1) {
		err = "bad address";
		goto fail;
	}
	max = (unsigned int)alen * 8;

	if (slash == NULL)
		tmp.prefix = max;
	else if (slash[1] == '\0') {
		err = "missing prefix length";
		goto fail;
	} else if (cidr_prefixlen(slash + 1, max, &tmp.prefix) == -1) {
		err = "bad prefix length";
		goto fail;
	}

	cidr_clearhost(tmp.addr, alen, tmp.prefix);
	*c = tmp;
	return 0;

fail:
	if (errstr != NULL)
		*errstr = err;
	return -1;
}

int
cidr_match(const struct cidr *c, const struct sockaddr *sa)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	switch (sa->sa_family) {
	case AF_INET:
		if (c->family != AF_INET)
			return 0;
		sin = (const struct sockaddr_in *)sa;
		return cidr_inprefix(c->addr,
		    (const uint8_t *)&sin->sin_addr, c->prefix);
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		if (c->family == AF_INET6)
			return cidr_inprefix(c->addr,
			    sin6->sin6_addr.s6_addr, c->prefix);
		/*
		 * On a dual-stack socket an IPv4 client arrives as
		 * ::ffff:a.b.c.d, and the rules written for it are IPv4.
		 */
		if (c->family == AF_INET &&
		    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			return cidr_inprefix(c->addr,
			    sin6->sin6_addr.s6_addr + 12, c->prefix);
		return 0;
	default:
		return 0;
	}
}

int
cidr_rules_allow(const struct cidr_rule *rules, size_t n,
    const struct sockaddr *sa)
{
	size_t	i;
	int	have_allow = 0;

	unsigned int	uid, gid;
	int		cred = addr_cred(sa, &uid, &gid) == 0, match;

	for (i = 0; i < n; i++) {
		switch (rules[i].kind) {
		case CIDR_UID:
			match = cred && uid == rules[i].id;
			break;
		case CIDR_GID:
			match = cred && gid == rules[i].id;
			break;
		default:
			match = cidr_match(&rules[i].net, sa);
			break;
		}
		if (match)
			return rules[i].allow;
		have_allow |= rules[i].allow;
	}
	return !have_allow;
}
