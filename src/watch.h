/* SPDX-License-Identifier: ISC */
/*
 * Rules files read anew when they change (inotify), in the master's
 * loop.
 */

#ifndef FORKD_WATCH_H
#define FORKD_WATCH_H

#include "master.h"

/* Watch the rules files of the services now in force (start, reload). */
void	watch_reset(struct server *);

/* What changed, read: each service whose rules file did, rebuilt. */
void	watch_read(struct server *);

void	watch_free(struct server *);

#endif /* FORKD_WATCH_H */
