/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/tree.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pages.h"

/*
 * Arrays of more than PAGES_SMALL bytes are mappings of their own, and
 * grow with mremap(2).  Smaller ones (a service's records) come from
 * chunks in size classes of powers of two, PAGES_CLASSES of them from 32
 * bytes, each behind a header that names its class; freed, they wait on
 * their class's list for the next.  A page each would cost a thousand
 * services 16 MB.
 */
#define PAGES_SMALL	2048
#define PAGES_MIN	32
#define PAGES_CLASSES	7		/* 32 to 2048 */
#define PAGES_CHUNK	(64 * 1024)

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

struct small {
	size_t	cls;
	size_t	len;			/* asked for; 16 bytes, aligned */
};

/*
 * Under AddressSanitizer, what lies past a record or an array, and a
 * freed record, is poisoned: the sanitizer sees no allocation of its
 * own here, and would let an overrun through.
 */
#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define POISON(p, n)	((void)(p), (void)(n))
#define UNPOISON(p, n)	((void)(p), (void)(n))
#endif

struct region {
	RB_ENTRY(region)	 entry;
	void			*p;
	size_t			 len;		/* whole pages */
	size_t			 want;		/* asked for */
	int			 arena;		/* a run of the arena */
};

/*
 * The arena: address space reserved once, kept out of forks as a whole,
 * from which mappings are cut as runs of pages.  Every region kept out
 * of children costs each fork something (the kernel copies the tree of
 * the parent's mappings, then takes those out of it one by one); one
 * arena costs the same as one region, whatever it holds.  Untouched, its
 * pages cost nothing, and a freed run gives its pages back.  Where the
 * reservation fails (a strict overcommit policy, a small RLIMIT_AS),
 * each mapping is one of its own.
 */
struct run {
	size_t	off;
	size_t	len;
};

static const size_t	 arena_sizes[] = {
	(size_t)1 << 32, (size_t)1 << 30, (size_t)1 << 27,
};
static char		*arena;
static size_t		 arena_size;
static size_t		 arena_top;		/* never used from here on */
static int		 arena_tried;
static struct run	*arena_free;		/* by offset, none adjacent */
static size_t		 arena_nfree;
static size_t		 pagesize;

static int	region_cmp(const struct region *, const struct region *);

/* Static, and what pages.c does not use of it unused. */
#define REGIONS_ATTR	__attribute__((__unused__)) static
RB_HEAD(regions, region);
RB_PROTOTYPE_INTERNAL(regions, region, entry, region_cmp, REGIONS_ATTR)
RB_GENERATE_INTERNAL(regions, region, entry, region_cmp, REGIONS_ATTR)

/* Every mapping, by address: pages_share() goes over them. */
static struct regions	 regions = RB_INITIALIZER(&regions);
static void		*freelist[PAGES_CLASSES];
static char		*carve[PAGES_CLASSES];	/* the chunk being cut */
static size_t		 carve_left[PAGES_CLASSES];

static struct region	*pages_find(void *);
static void		*arena_get(size_t);
static void		 arena_put(void *, size_t);
static void		*pages_map(size_t);
static void		*pages_small(size_t);
static void		*pages_big(size_t);

static int
region_cmp(const struct region *a, const struct region *b)
{
	uintptr_t	x = (uintptr_t)a->p, y = (uintptr_t)b->p;

	return x < y ? -1 : x > y;
}

static struct region *
pages_find(void *p)
{
	struct region	key;

	key.p = p;
	return RB_FIND(regions, &regions, &key);
}

/* len bytes (a multiple of the page size) of the arena, or NULL. */
static void *
arena_get(size_t len)
{
	size_t	i, size;
	void	*p;

	if (!arena_tried) {
		arena_tried = 1;
		for (i = 0; i < nitems(arena_sizes) && arena == NULL; i++) {
			size = arena_sizes[i];
			p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
			if (p == MAP_FAILED)
				continue;
			if (madvise(p, size, MADV_DONTFORK) == -1) {
				munmap(p, size);
				break;
			}
			arena = p;
			arena_size = size;
		}
	}
	if (arena == NULL)
		return NULL;
	/* The first free run that is large enough. */
	for (i = 0; i < arena_nfree; i++)
		if (arena_free[i].len >= len) {
			p = arena + arena_free[i].off;
			arena_free[i].off += len;
			arena_free[i].len -= len;
			if (arena_free[i].len == 0) {
				memmove(&arena_free[i], &arena_free[i + 1],
				    (arena_nfree - i - 1) * sizeof(*arena_free));
				arena_nfree--;
			}
			return p;
		}
	if (len > arena_size - arena_top)
		return NULL;
	p = arena + arena_top;
	arena_top += len;
	return p;
}

/* Give a run back: its pages to the system, its space to the arena. */
static void
arena_put(void *p, size_t len)
{
	struct run	*nf;
	size_t		 off = (size_t)((char *)p - arena), i;

	(void)madvise(p, len, MADV_DONTNEED);
	for (i = 0; i < arena_nfree && arena_free[i].off < off; i++)
		;
	/* Joined to the run before it, to the one after, or both. */
	if (i > 0 && arena_free[i - 1].off + arena_free[i - 1].len == off) {
		arena_free[i - 1].len += len;
		if (i < arena_nfree && off + len == arena_free[i].off) {
			arena_free[i - 1].len += arena_free[i].len;
			memmove(&arena_free[i], &arena_free[i + 1],
			    (arena_nfree - i - 1) * sizeof(*arena_free));
			arena_nfree--;
		}
		return;
	}
	if (i < arena_nfree && off + len == arena_free[i].off) {
		arena_free[i].off = off;
		arena_free[i].len += len;
		return;
	}
	nf = reallocarray(arena_free, arena_nfree + 1, sizeof(*nf));
	if (nf == NULL)
		return;		/* the space is lost, not the memory */
	arena_free = nf;
	memmove(&arena_free[i + 1], &arena_free[i],
	    (arena_nfree - i) * sizeof(*arena_free));
	arena_free[i].off = off;
	arena_free[i].len = len;
	arena_nfree++;
}

/* A mapping of len bytes, zeroed, out of every fork. */
static void *
pages_map(size_t len)
{
	struct region	*r;
	void		*p;

	if (pagesize == 0)
		pagesize = (size_t)sysconf(_SC_PAGESIZE);
	if (len > SIZE_MAX - pagesize) {
		errno = ENOMEM;
		return NULL;
	}
	len = (len + pagesize - 1) / pagesize * pagesize;
	if ((r = malloc(sizeof(*r))) == NULL)
		return NULL;
	if ((p = arena_get(len)) != NULL)
		r->arena = 1;
	else {
		p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			free(r);
			return NULL;
		}
		/* Only an old kernel says no, and then children copy it. */
		(void)madvise(p, len, MADV_DONTFORK);
		r->arena = 0;
	}
	r->p = p;
	r->len = len;
	RB_INSERT(regions, &regions, r);
	return p;
}

/* len bytes, zeroed, from the pool. */
static void *
pages_small(size_t len)
{
	struct small	*h;
	size_t		 cls, sz;

	for (cls = 0, sz = PAGES_MIN; sz < len + sizeof(*h); cls++)
		sz <<= 1;
	if ((h = freelist[cls]) != NULL) {
		UNPOISON(h, sz);
		memcpy(&freelist[cls], h + 1, sizeof(void *));
		memset(h, 0, sz);
	} else {
		if (carve_left[cls] < sz) {
			if ((carve[cls] = pages_map(PAGES_CHUNK)) == NULL)
				return NULL;
			carve_left[cls] = PAGES_CHUNK;
		}
		h = (struct small *)(void *)carve[cls];
		carve[cls] += sz;
		carve_left[cls] -= sz;
	}
	h->cls = cls;
	h->len = len;
	POISON((char *)(h + 1) + len, sz - sizeof(*h) - len);
	return h + 1;
}

/* len bytes of a mapping of their own, or of the arena; zeroed. */
static void *
pages_big(size_t len)
{
	struct region	*r;
	char		*p;

	if ((p = pages_map(len)) == NULL)
		return NULL;
	if ((r = pages_find(p)) != NULL) {
		r->want = len;
		UNPOISON(p, len);
		POISON(p + len, r->len - len);
	}
	return p;
}

void *
pages_alloc(size_t n, size_t size)
{
	if (n == 0 || size == 0 || n > SIZE_MAX / size) {
		errno = n == 0 || size == 0 ? EINVAL : ENOMEM;
		return NULL;
	}
	if (n * size <= PAGES_SMALL - sizeof(struct small))
		return pages_small(n * size);
	return pages_big(n * size);
}

void *
pages_resize(void *p, size_t oldn, size_t n, size_t size)
{
	struct region	*r;
	struct small	*h;
	size_t		 oldlen;
	void		*q;

	if (p == NULL)
		return pages_alloc(n, size);
	if (n == 0 || size == 0 || n > SIZE_MAX / size) {
		errno = n == 0 || size == 0 ? EINVAL : ENOMEM;
		return NULL;
	}
	if ((r = pages_find(p)) != NULL && !r->arena &&
	    n * size > PAGES_SMALL - sizeof(struct small)) {
		/* The mapping moves whole, kept out of children. */
		q = mremap(p, r->len, n * size, MREMAP_MAYMOVE);
		if (q == MAP_FAILED)
			return NULL;
		RB_REMOVE(regions, &regions, r);
		r->p = q;
		r->len = r->want = n * size;
		RB_INSERT(regions, &regions, r);
		UNPOISON(q, n * size);
		return q;
	}
	if (r != NULL)
		oldlen = r->want;
	else {
		h = (struct small *)p - 1;
		oldlen = h->len;
	}
	(void)oldn;
	if ((q = pages_alloc(n, size)) == NULL)
		return NULL;
	memcpy(q, p, oldlen < n * size ? oldlen : n * size);
	pages_free(p, 0, 0);
	return q;
}

void
pages_free(void *p, size_t n, size_t size)
{
	struct region	*r;
	struct small	*h;

	(void)n;
	(void)size;
	if (p == NULL)
		return;
	if ((r = pages_find(p)) != NULL) {
		if (r->arena) {
			arena_put(p, r->len);
			POISON(p, r->len);
		} else
			munmap(p, r->len);
		RB_REMOVE(regions, &regions, r);
		free(r);
		return;
	}
	h = (struct small *)p - 1;
	UNPOISON(p, sizeof(void *));
	memcpy(p, &freelist[h->cls], sizeof(void *));
	freelist[h->cls] = h;
	POISON((char *)p + sizeof(void *), ((size_t)PAGES_MIN << h->cls) -
	    sizeof(*h) - sizeof(void *));
}

/*
 * The mappings of shared objects kept out of children (pages_libs): at
 * most LIBMAPS, read from /proc/self/maps the first time.
 */
#define LIBMAPS		32
static struct {
	void	*p;
	size_t	 len;
}		 libmaps[LIBMAPS];
static size_t	 nlibmaps;
static int	 libs_read, libs_out;

static void
libs_advise(int advice)
{
	size_t	i;

	for (i = 0; i < nlibmaps; i++)
		(void)madvise(libmaps[i].p, libmaps[i].len, advice);
}

void
pages_libs(const char *const *names, int out)
{
	FILE		*f;
	char		 line[4096], perms[8], *path;
	unsigned long	 lo, hi;
	size_t		 i;

	if (out == libs_out)
		return;
	if (!libs_read && (f = fopen("/proc/self/maps", "re")) != NULL) {
		libs_read = 1;
		while (fgets(line, sizeof(line), f) != NULL &&
		    nlibmaps < LIBMAPS) {
			/*
			 * Their data alone: the loader reads the rest (the
			 * symbols, the dynamic section) for any dlopen(3),
			 * an NSS module's in a child among them.
			 */
			if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 ||
			    strcmp(perms, "rw-p") != 0 ||
			    (path = strchr(line, '/')) == NULL)
				continue;
			for (i = 0; names[i] != NULL; i++)
				if (strstr(path, names[i]) != NULL)
					break;
			if (names[i] == NULL)
				continue;
			libmaps[nlibmaps].p = (void *)lo;
			libmaps[nlibmaps].len = hi - lo;
			nlibmaps++;
		}
		fclose(f);
	}
	libs_advise(out ? MADV_DONTFORK : MADV_DOFORK);
	libs_out = out;
}

void
pages_share(int share)
{
	struct region	*r;

	if (libs_out)
		libs_advise(share ? MADV_DOFORK : MADV_DONTFORK);
	if (arena != NULL)
		(void)madvise(arena, arena_size, share ? MADV_DOFORK :
		    MADV_DONTFORK);
	RB_FOREACH(r, regions, &regions)
		if (!r->arena)
			(void)madvise(r->p, r->len, share ? MADV_DOFORK :
			    MADV_DONTFORK);
}
