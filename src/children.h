/* SPDX-License-Identifier: ISC */
/*
 * The master's side of its children: starting one per connection,
 * reaping, timeouts, and the PROXY protocol report channel through which
 * a child tells the master who the original client is.
 */

#ifndef FORKD_CHILDREN_H
#define FORKD_CHILDREN_H

#include <sys/socket.h>

#include <stdint.h>

#include "master.h"

struct conf;
struct rule;

/*
 * Serve the connection on fd, accepted on l, in a new child: forked, or
 * spawned for exec services that allow it; rule is the client rule that
 * matched, or NULL.  fd is closed in the master.  A failure closes the
 * connection and pauses the service.
 */
void	children_start(struct server *, struct listener *, int fd,
	    const struct sockaddr_storage *peer, uint64_t now,
	    const struct rule *rule);

/*
 * A socket pair for a child's PROXY protocol report, made before the
 * accept: [0] the master's, non-blocking, [1] the child's.
 */
int	children_report_pair(int [2]);

/*
 * Raise the master's descriptor limit for what conf may need: a PROXY
 * report socket per child that waits for its header, and the listeners.
 * Logged when the hard limit is lower.
 */
void	children_budget(const struct conf *);

/* Read the PROXY protocol reports that have come in. */
void	children_reports(struct server *);

/*
 * Reap every child whose exit signal has come (srv->exitfd), without
 * waiting; after a SIGCHLD, which merges with others, a sweep follows
 * soon (srv->sweep_soon).
 */
void	children_reap(struct server *);

/*
 * Reap every child that has ended, exit signal read or not: a walk of
 * every child, for the rare occasions that want it.
 */
void	children_sweep(struct server *);

/* Wait for one child to end, and account for it; -1 when none is left. */
int	children_wait(struct server *);

/* Signal the children over their timeout. */
void	children_timeouts(struct server *, uint64_t now);

/* When children_timeouts() has work next, or 0 for never. */
uint64_t children_next_deadline(const struct server *);

/* Send sig to every child's process group. */
void	children_kill(struct server *, int sig);

#endif /* FORKD_CHILDREN_H */
