/* SPDX-License-Identifier: ISC */
/*
 * Deadlines, in a binary min-heap of (time, key): the earliest is found
 * at once and each deadline costs O(log n), where a walk of every owner
 * at each expiry would cost O(n).  The master keeps two: children's
 * timeouts, keyed by pid, and services' pauses, keyed by the service.
 *
 * Entries are not removed when their owner goes or its deadline changes:
 * the owner checks each entry it pops against its own deadline and drops
 * the stale ones, and deadlines_filter() sweeps them out when they
 * outnumber the live ones.  Pure: no system calls.
 */

#ifndef FORKD_DEADLINES_H
#define FORKD_DEADLINES_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct deadline {
	uint64_t	when;		/* monotonic ms */
	uintptr_t	key;		/* a pid, or a pointer */
};

struct deadlines {
	struct deadline	*v;
	size_t		 n;
	size_t		 cap;
};

/* Room for cap entries, so that pushes up to it never allocate. */
int	deadlines_reserve(struct deadlines *, size_t cap);

/* Add an entry; -1 with errno ENOMEM. */
int	deadlines_push(struct deadlines *, uint64_t when, uintptr_t key);

/* The earliest entry, or NULL; and its removal. */
const struct deadline *deadlines_peek(const struct deadlines *);
void	deadlines_pop(struct deadlines *);

/* Keep only the entries keep() says yes to, in O(n). */
void	deadlines_filter(struct deadlines *,
	    int (*keep)(void *, const struct deadline *), void *arg);

void	deadlines_free(struct deadlines *);

#endif /* FORKD_DEADLINES_H */
