/* SPDX-License-Identifier: ISC */
/*
 * The master's own tables, sized by the configuration or by its
 * children (children, clients per source, deadlines, client rules), and
 * the records of its services (struct svc, struct conf_service and their
 * listeners): zeroed arrays, from one arena of address space kept out of
 * every child with MADV_DONTFORK.  A child gets a copy of its own
 * service's records on its stack (children_start); status and metrics,
 * which report on all, get them all (pages_share).
 *
 * calloc(3) clears memory it reuses from its heap, touching every page
 * of the array at once; these pages cost nothing until written, and a
 * master usually writes few of them.  And no child needs them, while
 * every page a child shares with the master costs on each fork and
 * exit, and more with many children alive: the kernel then walks all of
 * them for each such page whenever it looks for a page's mappers
 * (reclaim, DAMON), holding locks that fork(2) must take.  One arena,
 * not a mapping each: each mapping kept out of a fork costs the fork.
 */

#ifndef FORKD_PAGES_H
#define FORKD_PAGES_H

#include <stddef.h>

/* n elements of size bytes, zeroed; NULL with errno set on failure. */
void	*pages_alloc(size_t n, size_t size);

/*
 * Grow or shrink what pages_alloc(oldn, size) returned to n elements,
 * keeping the first min(oldn, n), the rest zeroed; p may be NULL.
 * NULL with errno set on failure, p then untouched.
 */
void	*pages_resize(void *p, size_t oldn, size_t n, size_t size);

/* Release what pages_alloc(n, size) returned; p may be NULL. */
void	 pages_free(void *p, size_t n, size_t size);

/*
 * Keep every mapping of the shared objects whose paths contain one of
 * names (NULL-terminated) out of children (out 1), or let them in again
 * (0): libraries only some children use, whose mappings every fork
 * would otherwise copy.  No child may call into them meanwhile.
 */
void	 pages_libs(const char *const *names, int out);

/*
 * Let the next fork(2) copy them all (share 1), as a master detaching
 * from its terminal needs, then keep them out of children again (0).
 */
void	 pages_share(int share);

#endif /* FORKD_PAGES_H */
