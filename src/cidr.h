/* SPDX-License-Identifier: ISC */
/*
 * IPv4 and IPv6 address prefixes.  Pure: no system calls.
 */

#ifndef FORKD_CIDR_H
#define FORKD_CIDR_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

struct cidr {
	int		family;		/* AF_INET or AF_INET6 */
	uint8_t		addr[16];	/* network order, host bits zero */
	unsigned int	prefix;		/* 0-32 or 0-128 */
};

/*
 * Parse "192.0.2.0/24", "2001:db8::/32" or a bare address (a one-host
 * prefix).  Host bits beyond the prefix are cleared.  Returns 0, or -1
 * with *errstr set to a short reason.
 */
int	cidr_parse(const char *, struct cidr *, const char **errstr);

/*
 * Whether the address is inside the prefix.  An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d) matches IPv4 prefixes as the IPv4 address it maps.
 */
int	cidr_match(const struct cidr *, const struct sockaddr *);

/*
 * An allow or deny rule: for a network, or for the user or group of a
 * unix-domain client (whose credentials addr_set_cred() keeps).
 */
enum cidr_kind {
	CIDR_NET,
	CIDR_UID,
	CIDR_GID,
};

struct cidr_rule {
	int		allow;		/* 1 allow, 0 deny */
	enum cidr_kind	kind;
	struct cidr	net;		/* CIDR_NET */
	unsigned int	id;		/* CIDR_UID, CIDR_GID */
};

/*
 * Whether rules, in order, let the address in: the first rule that
 * matches decides; with none matching, the address is let in unless
 * there is an allow rule.
 */
int	cidr_rules_allow(const struct cidr_rule *, size_t,
	    const struct sockaddr *);

#endif /* FORKD_CIDR_H */
