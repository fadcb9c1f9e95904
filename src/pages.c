/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>

#include <errno.h>
#include <stdint.h>

#include "pages.h"

void *
pages_alloc(size_t n, size_t size)
{
	void	*p;

	if (n == 0 || size == 0 || n > SIZE_MAX / size) {
		errno = n == 0 || size == 0 ? EINVAL : ENOMEM;
		return NULL;
	}
	p = mmap(NULL, n * size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	return p == MAP_FAILED ? NULL : p;
}

void
pages_free(void *p, size_t n, size_t size)
{
	if (p != NULL)
		munmap(p, n * size);
}
