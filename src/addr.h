/* SPDX-License-Identifier: ISC */
/*
 * Socket addresses: listen address syntax and numeric formatting.
 * Pure: no system calls.
 */

#ifndef FORKD_ADDR_H
#define FORKD_ADDR_H

#include <sys/socket.h>

#include <netinet/in.h>
#include <stddef.h>

/*
 * Room for "[ffff:ffff:...:255.255.255.255]:65535", or "unix:" and the
 * longest path or name of a unix-domain socket, and the NUL.
 */
#define ADDR_STRLEN	(sizeof("unix:") + 108)
#define ADDR_PORTLEN	6

struct addr {
	struct sockaddr_storage	ss;
	socklen_t		len;
	int			wildcard;	/* "*": v4 and v6 */
};

/*
 * Parse a listen address: "IPv4:port", "[IPv6]:port", "*:port" (one
 * wildcard AF_INET6 address with wildcard set: every v4 and v6 address),
 * "localhost:port" (two addresses, 127.0.0.1 and ::1), "unix:/path" (a
 * unix-domain socket file) or "unix:@name" (an abstract one).  The port
 * is 1-65535, decimal.  Fills at most two entries of out and returns how
 * many, or -1 with *errstr set.
 */
int	addr_parse_listen(const char *, struct addr out[2], const char **errstr);

/*
 * Numeric host and port of a socket address, IPv6 without brackets and an
 * IPv4-mapped IPv6 address as plain IPv4, as UCSPI wants them.
 * ip has room for INET6_ADDRSTRLEN bytes, port for ADDR_PORTLEN.
 * Returns 0, or -1 for an unknown family.
 */
int	addr_numeric(const struct sockaddr *, char *ip, char *port);

/*
 * "192.0.2.1:80", "[2001:db8::1]:80" (mapped IPv4 as IPv4), or "*:80" for
 * a wildcard address.  buf has room for ADDR_STRLEN bytes.  Returns buf.
 */
char	*addr_str(const struct sockaddr *, int wildcard, char *buf);

/* Same family, address and port (a v4-mapped address is not a v4 one). */
int	addr_equal(const struct sockaddr *, const struct sockaddr *);

/* The port in host order, 0 for an unknown family. */
unsigned int addr_port(const struct sockaddr *);

/*
 * 0.0.0.0, ::ffff:0.0.0.0 or ::: a socket bound to it takes connections
 * to any address, and only getsockname(2) of each tells which.
 */
int	addr_unspecified(const struct sockaddr *);

/*
 * A unix-domain client's credentials, kept where its address would be,
 * for the access rules, the per-source counts and the logs: a
 * sockaddr_un whose path starts with two NULs and "cred", then the uid,
 * gid and pid.  addr_cred() gives them back: 0, or -1 when sa holds
 * none.
 */
void	addr_set_cred(struct sockaddr_storage *, unsigned int uid,
	    unsigned int gid, int pid);
/* Its length: the family, two NULs, "cred", uid, gid and pid. */
#define ADDR_CRED_LEN	(sizeof(sa_family_t) + 6 + 3 * 4)
int	addr_cred(const struct sockaddr *, unsigned int *uid,
	    unsigned int *gid);

/* The length of an IPv4 or IPv6 socket address, 0 for another family. */
socklen_t addr_len(const struct sockaddr *);

#endif /* FORKD_ADDR_H */
