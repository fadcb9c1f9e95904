/* SPDX-License-Identifier: ISC */
/*
 * A service's counters, in one table that every printer reads: the
 * SIGUSR1 dump, the status table, the metrics and, through
 * man/mkcounters, their documentation in forkd.conf(5).  A counter added
 * here appears in all of them.  Pure data.
 */

#ifndef FORKD_COUNTERS_H
#define FORKD_COUNTERS_H

#include <stdint.h>

/* The order of status's columns, and of metrics' series. */
enum counter {
	COUNT_ACCEPTED,
	COUNT_REFUSED_ACL,
	COUNT_REFUSED_SOURCE,
	COUNT_REFUSED_PROXY,
	COUNT_REFUSED_TLS,
	COUNT_FORK_FAILED,
	COUNT_RATE_DELAYED,
	COUNT_EMFILE,
	COUNT_EXEC_FAILED,
	COUNT_TIMEOUT_KILLED,
	COUNT_SECCOMP_KILLED,
	COUNT_EXIT_OK,
	COUNT_EXIT_ERROR,
	COUNT_MAX
};

/* Which line of the SIGUSR1 dump a counter is logged on. */
enum counter_group {
	COUNT_SERVED,		/* with the live children */
	COUNT_REFUSED,		/* connections closed unserved */
	COUNT_WAITED,		/* pauses, after the refusals */
};

struct counter_info {
	const char		*column;	/* status's column */
	const char		*dump;		/* the dump's words */
	enum counter_group	 group;
	const char		*metric;	/* name of the series */
	const char		*label;		/* label name, or NULL */
	const char		*value;		/* and its value */
	const char		*help;		/* of the metric: its first row */
	const char		*doc;		/* of the column, for the manual */
};

extern const struct counter_info counters[COUNT_MAX];

#endif /* FORKD_COUNTERS_H */
