/* SPDX-License-Identifier: ISC */
/*
 * Reloading the configuration, and binding listeners: at start every
 * address is new; on reload an address already served is taken over
 * with its socket, so no client is refused.
 */

#ifndef FORKD_RELOAD_H
#define FORKD_RELOAD_H

#include "master.h"

/*
 * Bind the listeners of a new service, or note the running ones it
 * takes over (l->from); and take the sockets the service manager passed
 * under the service's name.  -1, logged, on failure.
 */
int	reload_listen(struct server *, struct svc *);
int	reload_listen_named(struct svc *);

/* SIGHUP: read the file anew and swap only when all of it is sound. */
void	reload_run(struct server *);

#endif /* FORKD_RELOAD_H */
