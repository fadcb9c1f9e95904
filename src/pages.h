/* SPDX-License-Identifier: ISC */
/*
 * Zeroed arrays straight from mmap(2), for the master's tables sized by
 * the configuration that must start zeroed (clients per source).
 * calloc(3) clears memory it reuses from its heap, touching every page
 * of the array at once; these pages cost nothing until written, and a
 * master usually writes few of them.  That matters beyond the master's
 * own size: fork(2) copies the page table entries of every page written,
 * and each child unmaps them again when it exits.
 */

#ifndef FORKD_PAGES_H
#define FORKD_PAGES_H

#include <stddef.h>

/* n elements of size bytes, zeroed; NULL with errno set on failure. */
void	*pages_alloc(size_t n, size_t size);

/* Release what pages_alloc(n, size) returned; p may be NULL. */
void	 pages_free(void *p, size_t n, size_t size);

#endif /* FORKD_PAGES_H */
