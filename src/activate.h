/* SPDX-License-Identifier: ISC */
/*
 * Listening sockets handed over by systemd socket activation
 * (LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES; sd_listen_fds(3)).
 */

#ifndef FORKD_ACTIVATE_H
#define FORKD_ACTIVATE_H

#include "addr.h"

/*
 * Take the passed sockets meant for this process and unset the
 * variables.  Returns how many, or -1 (logged) when they are unusable.
 */
int	activate_collect(void);

/* An unused passed socket listening on exactly that address, or -1. */
int	activate_take(const struct addr *);

/* An unused passed socket of that name, or -1. */
int	activate_take_named(const char *);

/* Whether a listening socket is a "*:port" one, all addresses. */
int	activate_wildcard(int, const struct sockaddr_storage *);

struct conf;

/*
 * Before any is taken, at start and at a reload: log, as
 * "file:line: ...", each listen address of a service that a socket
 * passed under the name of another service listens on; returns how
 * many.  Both services would claim the socket.
 */
int	activate_check(const struct conf *);

/* Log every passed socket that nothing took; returns how many. */
int	activate_leftover(void);

#endif /* FORKD_ACTIVATE_H */
