/* SPDX-License-Identifier: ISC */
/*
 * Listening sockets.
 */

#ifndef FORKD_LISTENER_H
#define FORKD_LISTENER_H

#include "addr.h"

struct conf_settings;
struct conf_sockopts;

/*
 * A non-blocking, close-on-exec socket bound to addr and listening with
 * the given backlog, with the service's socket options s->sock, which
 * accepted sockets inherit.  A wildcard address listens on every IPv6
 * and IPv4 address, or on every IPv4 one where the host has no IPv6; an
 * explicit IPv6 one on IPv6 only, unless ipv6-only says no.  A
 * unix-domain socket file gets s's socket-mode and owners, and replaces
 * a stale one; *made says a file was made, which its closer removes.
 * Returns the descriptor, or -1 with errno set, and *what naming the
 * option that could not be set, or the reason, if one is known.
 */
int	listener_open(const struct addr *, int backlog, int reuseport,
	    const struct conf_settings *s, const char **what, int *made);

/* Close fd, and remove the socket file forkd made for it (made). */
void	listener_close(int fd, const struct addr *, int made);

/*
 * Set the options on fd, a socket of family; bound: it listens already,
 * and what decides where it binds is left alone.  -1 with errno and
 * *what set on failure.
 */
int	listener_options(int fd, int family, const struct conf_sockopts *,
	    int reuseport, int bound, const char **what);

#endif /* FORKD_LISTENER_H */
