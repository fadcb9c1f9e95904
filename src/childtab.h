/* SPDX-License-Identifier: ISC */
/*
 * The table of live children: fixed capacity, allocated once, so the
 * accept path never allocates.  Slots are used from the front and reused
 * first, so that the pages a small load touches stay few, and resident
 * memory (which every fork copies the page tables of) grows only with
 * the children there have been at once.  Pure: no system calls.
 */

#ifndef FORKD_CHILDTAB_H
#define FORKD_CHILDTAB_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include <netinet/in.h>

#include "addr.h"

/* An IPv4 or IPv6 socket address, in no more room than it needs. */
union sockaddr_inet {
	struct sockaddr		sa;
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
};

/*
 * Small, so that the slots the master writes for every connection span
 * few pages: each page written after a fork is a copy-on-write fault.
 */
/* A unix-domain client's credentials fit too (addr.h). */
_Static_assert(ADDR_CRED_LEN <= sizeof(union sockaddr_inet),
    "credentials do not fit a child's address");

struct child {
	pid_t			 pid;
	void			*svc;		/* owner's service */
	union sockaddr_inet	 peer;
	union sockaddr_inet	 client;	/* the original client */
	int			 counted;	/* client in max-per-source */
	int			 report;	/* PROXY protocol report, or -1 */
	uint64_t		 start;		/* monotonic ms */
	uint64_t		 deadline;	/* timeout, monotonic ms */
	int			 killed;	/* sent SIGTERM for it */
	int			 filtered;	/* under a syscall-filter */
	int			 launched;	/* 1 + its launch slot, or 0 */
	int			 next;		/* internal */
};

struct childtab;

/* A table for at most cap children; NULL when out of memory. */
struct childtab	*childtab_new(size_t cap);
void		 childtab_free(struct childtab *);

/*
 * Change the capacity, keeping every live child even when there are more
 * than the new capacity (the table then stays full until enough exit).
 * Pointers to children are invalidated.  Returns 0, or -1 on ENOMEM.
 */
int		 childtab_resize(struct childtab *, size_t cap);

/*
 * Take a slot for pid, its report descriptor -1 and every other field
 * zero.  NULL when full or when pid is already present.
 */
struct child	*childtab_add(struct childtab *, pid_t);
struct child	*childtab_find(const struct childtab *, pid_t);
void		 childtab_del(struct childtab *, struct child *);
size_t		 childtab_count(const struct childtab *);
size_t		 childtab_cap(const struct childtab *);

/* Iterate over live children: start with NULL; NULL at the end. */
struct child	*childtab_next(const struct childtab *, const struct child *);

#endif /* FORKD_CHILDTAB_H */
