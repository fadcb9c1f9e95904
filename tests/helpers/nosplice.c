/* SPDX-License-Identifier: ISC */
/*
 * Preloaded into forkd by redirect.sh, so that redirect.so meets a
 * splice(2) that cannot join its descriptors and must relay through its
 * buffer.  NOSPLICE=all fails every splice with EINVAL; NOSPLICE=out
 * fails only a splice out of a pipe, after bytes have gone into it,
 * which the module must then read back out of the pipe.  The first
 * failure in a process says so on standard error, for the test to see
 * that the library was in the way.
 */

#define _GNU_SOURCE

#include <sys/types.h>
#include <sys/stat.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef ssize_t	(*splice_fn)(int, loff_t *, int, loff_t *, size_t,
		    unsigned int);

ssize_t
splice(int in, loff_t *inoff, int out, loff_t *outoff, size_t len,
    unsigned int flags)
{
	static splice_fn	 real;
	static int		 said;
	const char		*mode = getenv("NOSPLICE");
	struct stat		 st;

	if (mode == NULL || (strcmp(mode, "out") == 0 &&
	    (fstat(in, &st) == -1 || !S_ISFIFO(st.st_mode)))) {
		if (real == NULL &&
		    (real = (splice_fn)dlsym(RTLD_NEXT, "splice")) == NULL) {
			errno = ENOSYS;
			return -1;
		}
		return real(in, inoff, out, outoff, len, flags);
	}
	if (!said) {
		fprintf(stderr, "nosplice: splice fails (NOSPLICE=%s)\n", mode);
		said = 1;
	}
	errno = EINVAL;
	return -1;
}
