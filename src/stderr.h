/* SPDX-License-Identifier: ISC */
/*
 * The children's standard error, logged line by line with the service's
 * name and the child's process ID, whatever the handler: built-in,
 * module or exec'd program.
 */

#ifndef FORKD_STDERR_H
#define FORKD_STDERR_H

#include "master.h"

/*
 * Make srv->errw, the descriptor 2 of every child, a socket whose
 * writers the kernel names: each read of the master's end brings the
 * bytes of one process, with its process ID.  Returns 0, or -1 logged.
 */
int	stderr_capture(struct server *);

/* Log what children have written, a bounded share at a time. */
void	stderr_read(struct server *);

/* Log what is left, a partial line included. */
void	stderr_flush(struct server *);

#endif /* FORKD_STDERR_H */
