/* SPDX-License-Identifier: ISC */
/*
 * SIGUSR1: the master's state in the log.
 */

#ifndef FORKD_DUMP_H
#define FORKD_DUMP_H

#include "master.h"

/* Log per service its listeners and counters, then every child. */
void	dump_log(const struct server *);

#endif /* FORKD_DUMP_H */
