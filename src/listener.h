/* SPDX-License-Identifier: ISC */
/*
 * Listening sockets.
 */

#ifndef FORKD_LISTENER_H
#define FORKD_LISTENER_H

#include "addr.h"

/*
 * A non-blocking, close-on-exec socket bound to addr and listening with
 * the given backlog.  A wildcard address listens on every IPv6 and IPv4
 * address, or on every IPv4 one where the host has no IPv6.  Returns the
 * descriptor, or -1 with errno set.
 */
int	listener_open(const struct addr *, int backlog, int reuseport);

#endif /* FORKD_LISTENER_H */
