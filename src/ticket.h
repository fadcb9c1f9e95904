/* SPDX-License-Identifier: ISC */
/*
 * What the master decides for one connection and its child needs: the
 * matched client rule's variables, the banner, the refuse message of a
 * refusal, and the client's connection count (TCPCONNNUM).  Packed flat,
 * so that it travels on the stack the child takes (the master's records
 * and rules are no part of a child's memory: pages.h), or after the
 * verdict byte of a PROXY protocol child's report channel.
 */

#ifndef FORKD_TICKET_H
#define FORKD_TICKET_H

#include <sys/types.h>

#include <stddef.h>

#include "rules.h"

#define TICKET_MAX	16384		/* bytes, packed */
#define TICKET_ENV_MAX	128		/* a rule's variables */

struct ticket {
	unsigned int	 connnum;
	const char	*banner;	/* NULL: none */
	const char	*refuse;	/* NULL: none */
	const char	*env[TICKET_ENV_MAX + 1];	/* NULL-terminated */
	size_t		 nenv;
};

/*
 * Pack what rule r (NULL for none) and the service's own banner and
 * refuse message say into buf.  Returns the length, or -1 when it does
 * not fit in size bytes or TICKET_ENV_MAX variables.
 */
ssize_t	ticket_pack(const struct rule *r, const char *banner,
	    const char *refuse, unsigned int connnum, char *buf, size_t size);

/*
 * Unpack len bytes of buf into t, whose strings point into buf.  An
 * empty buffer is a ticket that says nothing.  Returns 0, or -1 when
 * malformed.
 */
int	ticket_unpack(const char *buf, size_t len, struct ticket *t);

#endif /* FORKD_TICKET_H */
