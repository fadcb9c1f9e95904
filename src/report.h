/*
 * The status and metrics built-ins: the master's services, counters and
 * children as of the fork, which the child inherits.  Their state is the
 * struct server.
 */

#ifndef FORKD_REPORT_H
#define FORKD_REPORT_H

#include <forkd/handler.h>

/* The handler "status" or "metrics", or NULL. */
const struct forkd_handler *report_find(const char *name);

/* Whether the handler is one of them, and so wants the server as state. */
int	report_handler(const struct forkd_handler *);

#endif /* FORKD_REPORT_H */
