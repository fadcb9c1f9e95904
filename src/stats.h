/* SPDX-License-Identifier: ISC */
/*
 * The status and metrics built-ins: the master's services, counters and
 * children as of the fork, which the child inherits.
 */

#ifndef FORKD_STATS_H
#define FORKD_STATS_H

#include <forkd/handler.h>

#include "master.h"

extern const struct forkd_handler status_handler;
extern const struct forkd_handler metrics_handler;

/*
 * The server they report on, given once by the master before any
 * service starts; their init hands it to them as their state.
 */
void	stats_bind(const struct server *);

#endif /* FORKD_STATS_H */
