/* SPDX-License-Identifier: ISC */
/*
 * The built-in handlers: echo, discard, chargen, daytime and time
 * (builtin.c), status and metrics (report.c).  They use the module
 * interface of <forkd/handler.h>; the exec handler is in exec.h.
 */

#ifndef FORKD_BUILTIN_H
#define FORKD_BUILTIN_H

#include <string.h>

#include <forkd/handler.h>

/*
 * The names of the built-ins, in one list: the parser checks a handler
 * name against it without linking any handler, and builtin.c's table
 * follows it.
 */
#define BUILTIN_NAMES(X)						\
	X(echo) X(discard) X(chargen) X(daytime) X(time) X(status) X(metrics)

/* Whether name is a built-in handler's. */
static inline int
builtin_known(const char *name)
{
#define BUILTIN_NAME(n)	#n,
	static const char *const names[] = { BUILTIN_NAMES(BUILTIN_NAME) };
#undef BUILTIN_NAME
	size_t	i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* The built-in handler of that name, or NULL. */
const struct forkd_handler *builtin_find(const char *name);

/*
 * Whether a built-in reads and writes its socket with read(2) and
 * write(2) alone, and so runs in the kernel's strict seccomp mode: echo,
 * discard and chargen.  Their child sets the idle timeout on the socket
 * instead (SO_RCVTIMEO, SO_SNDTIMEO), leaves conn->idle_timeout 0, and
 * ignores SIGPIPE.
 */
int		 builtin_strict(const struct forkd_handler *);

#endif /* FORKD_BUILTIN_H */
