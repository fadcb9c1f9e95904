/* SPDX-License-Identifier: ISC */
/*
 * Live connections per client address, for max-per-source.  Fixed
 * capacity, allocated once, so the accept path never allocates.  Pure: no
 * system calls.
 *
 * IPv4 addresses and their IPv4-mapped IPv6 form count as one address;
 * IPv6 addresses count one by one, unless srctab_prefix() says to count
 * networks.  Ports play no part.
 */

#ifndef FORKD_SRCTAB_H
#define FORKD_SRCTAB_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

struct srctab;

/*
 * A table for at most max distinct addresses at once; seed keys its hash,
 * so that clients cannot choose addresses that collide.  NULL when out of
 * memory.
 */
struct srctab	*srctab_new(size_t max, uint64_t seed);
void		 srctab_free(struct srctab *);

/*
 * Count addresses by their first v4len (IPv4) or v6len (IPv6) bits:
 * one network, one client.  By default, 32 and 128.
 */
void		 srctab_prefix(struct srctab *, unsigned int v4len,
		    unsigned int v6len);

/* The live count of the address (0 for one it has never seen). */
unsigned int	 srctab_count(const struct srctab *, const struct sockaddr *);

/*
 * One more for the address: returns its new count, or 0 when the table
 * already holds max other addresses or the family is neither IPv4 nor
 * IPv6.
 */
unsigned int	 srctab_add(struct srctab *, const struct sockaddr *);

/* One less; the address is forgotten at zero. */
void		 srctab_del(struct srctab *, const struct sockaddr *);

/* Distinct addresses held. */
size_t		 srctab_size(const struct srctab *);

#endif /* FORKD_SRCTAB_H */
