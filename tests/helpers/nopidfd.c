/* SPDX-License-Identifier: ISC */
/*
 * Preloaded into forkd by reap.sh: pidfd_open(2) fails as on a kernel
 * before 5.3, so that the master must find its children's exits by the
 * sweep it falls back to.
 */

#define _GNU_SOURCE

#include <sys/types.h>

#include <errno.h>

int	pidfd_open(pid_t, unsigned int);

int
pidfd_open(pid_t pid, unsigned int flags)
{
	(void)pid;
	(void)flags;
	errno = ENOSYS;
	return -1;
}
