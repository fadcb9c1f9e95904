/* SPDX-License-Identifier: ISC */
/*
 * Preloaded into forkd by sigstate.sh: clone(2) fails, as where forkd
 * cannot launch a program (launch.h), so that the master spawns it with
 * posix_spawn(3) instead, whose own clone is glibc's internal one.  The
 * file NOCLONE_MARK names, if any, is made at the first call: the test
 * knows the other path was taken.
 */

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

int
clone(int (*fn)(void *), void *stack, int flags, void *arg, ...)
{
	const char	*mark;
	int		 fd;

	(void)fn;
	(void)stack;
	(void)flags;
	(void)arg;
	if ((mark = getenv("NOCLONE_MARK")) != NULL &&
	    (fd = open(mark, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) != -1)
		close(fd);
	errno = ENOSYS;
	return -1;
}
