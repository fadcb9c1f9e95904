/* SPDX-License-Identifier: ISC */
/*
 * The master: services, their listeners, the children, and the loop that
 * accepts, forks and reaps.  The data is in master.h; the work is shared
 * by svc.c (a service, admission), children.c (starting and reaping),
 * reload.c (binding and reloading), stderr.c and dump.c.
 */

#ifndef FORKD_SERVER_H
#define FORKD_SERVER_H

#include "master.h"

/*
 * Take over conf, prepare every service's handler and bind every listener.
 * On failure the reason is logged and the exit status returned (71 for a
 * socket that cannot be bound, 78 for a handler that fails to start).
 */
int	server_init(struct server *, struct conf *, const char *conf_path);

/*
 * Serve until SIGTERM or SIGINT; returns the exit status.  Called after
 * detaching: children's standard error is captured from here on.
 */
int	server_run(struct server *);

/* Release everything, the configuration included. */
void	server_free(struct server *);

#endif /* FORKD_SERVER_H */
