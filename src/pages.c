/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/queue.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "pages.h"

/* Every mapping handed out, for pages_share(). */
struct region {
	LIST_ENTRY(region)	 entry;
	void			*p;
	size_t			 len;
};

static LIST_HEAD(, region) regions = LIST_HEAD_INITIALIZER(regions);

static struct region	*pages_find(const void *);

static struct region *
pages_find(const void *p)
{
	struct region	*r;

	LIST_FOREACH(r, &regions, entry)
		if (r->p == p)
			return r;
	return NULL;
}

void *
pages_alloc(size_t n, size_t size)
{
	struct region	*r;
	void		*p;

	if (n == 0 || size == 0 || n > SIZE_MAX / size) {
		errno = n == 0 || size == 0 ? EINVAL : ENOMEM;
		return NULL;
	}
	if ((r = malloc(sizeof(*r))) == NULL)
		return NULL;
	p = mmap(NULL, n * size, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		free(r);
		return NULL;
	}
	/* Only an old kernel says no, and then children copy it. */
	(void)madvise(p, n * size, MADV_DONTFORK);
	r->p = p;
	r->len = n * size;
	LIST_INSERT_HEAD(&regions, r, entry);
	return p;
}

void *
pages_resize(void *p, size_t oldn, size_t n, size_t size)
{
	struct region	*r;
	void		*q;

	if (p == NULL)
		return pages_alloc(n, size);
	if (n == 0 || size == 0 || n > SIZE_MAX / size) {
		errno = n == 0 || size == 0 ? EINVAL : ENOMEM;
		return NULL;
	}
	if ((r = pages_find(p)) == NULL || r->len != oldn * size) {
		errno = EINVAL;
		return NULL;
	}
	/* The mapping moves whole, kept out of children as it was. */
	if ((q = mremap(p, oldn * size, n * size, MREMAP_MAYMOVE)) ==
	    MAP_FAILED)
		return NULL;
	r->p = q;
	r->len = n * size;
	return q;
}

void
pages_free(void *p, size_t n, size_t size)
{
	struct region	*r;

	if (p == NULL)
		return;
	munmap(p, n * size);
	if ((r = pages_find(p)) != NULL) {
		LIST_REMOVE(r, entry);
		free(r);
	}
}

void
pages_share(int share)
{
	struct region	*r;

	LIST_FOREACH(r, &regions, entry)
		(void)madvise(r->p, r->len, share ? MADV_DOFORK :
		    MADV_DONTFORK);
}
