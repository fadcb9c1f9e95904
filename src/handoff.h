/* SPDX-License-Identifier: ISC */
/*
 * Forking without copying the master's descriptor table.
 *
 * fork(2) takes a reference to every open file of the parent, and the
 * child closes them all again: with a thousand listeners, that is most of
 * what a connection costs.  Instead, the master puts the few descriptors
 * a child needs into low slots set aside for it, and clones with
 * CLONE_FILES: parent and child share one table, nothing is copied.  The
 * child's first act is close_range(first, ~0U, CLOSE_RANGE_UNSHARE),
 * which gives it a table of its own holding only the slots below first,
 * and says so through a shared page and an eventfd.  Until it has, the
 * master leaves its slots alone; then it puts a placeholder back in
 * them, which drops the master's hold on the client's socket.
 *
 * A ring of HANDOFF_SETS slot sets lets the master run ahead of children
 * not yet scheduled; when every set is taken, or the table is small
 * enough that copying it costs less, a plain fork is used.
 */

#ifndef FORKD_HANDOFF_H
#define FORKD_HANDOFF_H

#include <sys/types.h>

#include <stdint.h>

#define HANDOFF_SETS	16
/* What it holds: the eventfd, the placeholder and the slots. */
#define HANDOFF_FDS	(3 + 2 * HANDOFF_SETS)
/* Listeners from which a handoff costs less than a copy of the table. */
#define HANDOFF_LISTENERS	64

struct handoff {
	int		 efd;		/* eventfd: a child has unshared */
	int		 null;		/* the placeholder */
	int		 errslot;	/* the children's standard error */
	int		 haserr;	/* errslot holds it */
	unsigned int	 busy;		/* sets in use */
	unsigned int	 next;		/* where to look for a free one */
	uint32_t	*ack;		/* shared: the child's copy of gen */
	struct {
		int	 sock;		/* the slot of the client's socket */
		int	 rep;		/* of the report descriptor */
		int	 report;	/* rep is in use */
		int	 busy;		/* a child may not have unshared */
		pid_t	 pid;
		uint32_t gen;
	}		 set[HANDOFF_SETS];
};

/*
 * Set the slots aside: to be called before the master opens anything
 * else, so that they lie below the listeners.  Returns 0, or -1 (then
 * every fork is a plain one).
 */
int	handoff_init(struct handoff *);

/* Close everything; the handoff is not used after. */
void	handoff_free(struct handoff *);

/* The children's standard error is now errw; -1 on failure. */
int	handoff_errw(struct handoff *, int errw);

/*
 * Fork a child for the socket fd, its report descriptor (or -1) and
 * standard error.  In the child, which returns 0, *fd, *report and
 * *errw are its own copies, in a table that holds nothing else but
 * descriptors below them.  -1 when a handoff cannot be used: the caller
 * forks on its own.  -2 with errno set when the fork failed.
 */
pid_t	handoff_fork(struct handoff *, int *fd, int *report, int *errw);

/* Release the slots of children that have their own table. */
void	handoff_release(struct handoff *);

/* A child has exited: its slots are released, unshared or not. */
void	handoff_exited(struct handoff *, pid_t);

#endif /* FORKD_HANDOFF_H */
