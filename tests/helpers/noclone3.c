/* SPDX-License-Identifier: ISC */
/*
 * Preloaded into forkd by reap.sh: clone3(2) fails as on a kernel before
 * 5.3, or under a filter that refuses it, so that the master must fall
 * back to fork(2) and find its children's exits by a sweep on SIGCHLD.
 * Every other system call goes through.
 */

#define _GNU_SOURCE

#include <sys/syscall.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>

long	syscall(long, ...);

long
syscall(long number, ...)
{
	static long	(*real)(long, ...);
	va_list		 ap;
	long		 a[6];
	int		 i;

	if (number == SYS_clone3) {
		errno = ENOSYS;
		return -1;
	}
	/* As glibc's own does: six arguments, whatever the call takes. */
	va_start(ap, number);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (real == NULL &&
	    (real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall")) == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
