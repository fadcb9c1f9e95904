/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "childtab.h"
#include "pages.h"

/* The end of a hash chain or of the free list. */
#define CHILDTAB_NONE	(-1)

/*
 * Children live in one array of slots.  A live slot has a pid above zero
 * and its next links the hash chain of its bucket; a free slot below used
 * has pid 0 and its next links the free list; the slots from used on
 * have never been written.  They are not even cleared (malloc, not
 * calloc, which would write every page of them): a slot is cleared when
 * it is handed out, and the pages of the master's table stay out of its
 * memory, and out of what every fork copies, until they are.
 * The bucket array has a power-of-two length of at least twice the
 * slots, so chains stay short and a bucket is picked with a mask.
 */
struct childtab {
	struct child	*slots;
	size_t		 nslots;	/* allocated: at least cap and count */
	size_t		 used;		/* slots ever handed out */
	size_t		 cap;		/* what the owner asked for */
	size_t		 count;
	int		*buckets;
	size_t		 mask;		/* bucket count - 1 */
	int		 freelist;	/* first free slot below used */
};

static int	childtab_alloc(size_t, struct child **, int **, size_t *);
static size_t	childtab_bucket(size_t, pid_t);

/* Allocate n free slots, untouched, and their empty buckets. */
static int
childtab_alloc(size_t n, struct child **slotsp, int **bucketsp,
    size_t *maskp)
{
	struct child	*slots;
	int		*buckets;
	size_t		 nb, i;

	/* Slot indices are ints, and the bucket count must not overflow. */
	if (n > INT_MAX || n > SIZE_MAX / 4) {
		errno = ENOMEM;
		return -1;
	}
	for (nb = 2; nb < 2 * n; nb <<= 1)
		;
	if ((slots = pages_alloc(n, sizeof(*slots))) == NULL)
		return -1;
	if ((buckets = pages_alloc(nb, sizeof(*buckets))) == NULL) {
		pages_free(slots, n, sizeof(*slots));
		return -1;
	}
	for (i = 0; i < nb; i++)
		buckets[i] = CHILDTAB_NONE;
	*slotsp = slots;
	*bucketsp = buckets;
	*maskp = nb - 1;
	return 0;
}

/*
 * Pids are handed out nearly in sequence, so a multiplicative hash
 * spreads them and the high bits are folded into the ones the mask keeps.
 */
static size_t
childtab_bucket(size_t mask, pid_t pid)
{
	uint32_t	h;

	h = (uint32_t)pid * UINT32_C(0x9e3779b1);
	h ^= h >> 16;
	return h & mask;
}

struct childtab *
childtab_new(size_t cap)
{
	struct childtab	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	/* Keep one slot even for cap 0, so that no array is empty. */
	t->nslots = cap > 0 ? cap : 1;
	if (childtab_alloc(t->nslots, &t->slots, &t->buckets, &t->mask) == -1) {
		free(t);
		return NULL;
	}
	t->cap = cap;
	t->count = 0;
	t->used = 0;
	t->freelist = CHILDTAB_NONE;
	return t;
}

void
childtab_free(struct childtab *t)
{
	if (t == NULL)
		return;
	pages_free(t->slots, t->nslots, sizeof(*t->slots));
	pages_free(t->buckets, t->mask + 1, sizeof(*t->buckets));
	free(t);
}

int
childtab_resize(struct childtab *t, size_t cap)
{
	struct child	*slots, *c;
	int		*buckets;
	size_t		 n, mask, i, j, b;

	/*
	 * Children beyond the new capacity keep their slots: they are
	 * running and must still be reaped.  The table then reports itself
	 * full until enough of them have exited.
	 */
	n = cap > t->count ? cap : t->count;
	if (n == 0)
		n = 1;
	if (n == t->nslots) {
		t->cap = cap;
		return 0;
	}
	if (childtab_alloc(n, &slots, &buckets, &mask) == -1)
		return -1;

	/* Live children move to the front, in their old order. */
	for (i = 0, j = 0; i < t->used; i++) {
		if (t->slots[i].pid == 0)
			continue;
		c = &slots[j];
		*c = t->slots[i];
		b = childtab_bucket(mask, c->pid);
		c->next = buckets[b];
		buckets[b] = (int)j;
		j++;
	}

	pages_free(t->slots, t->nslots, sizeof(*t->slots));
	pages_free(t->buckets, t->mask + 1, sizeof(*t->buckets));
	t->slots = slots;
	t->buckets = buckets;
	t->mask = mask;
	t->nslots = n;
	t->cap = cap;
	t->used = j;
	t->freelist = CHILDTAB_NONE;
	return 0;
}

struct child *
childtab_add(struct childtab *t, pid_t pid)
{
	struct child	*c;
	size_t		 b;
	int		 i;

	/* Free slots use pid 0 as their mark, so it cannot be a child. */
	if (pid <= 0) {
		errno = EINVAL;
		return NULL;
	}
	if (t->count >= t->cap ||
	    (t->freelist == CHILDTAB_NONE && t->used == t->nslots)) {
		errno = ENOSPC;
		return NULL;
	}
	if (childtab_find(t, pid) != NULL) {
		errno = EEXIST;
		return NULL;
	}
	if (t->freelist != CHILDTAB_NONE) {
		i = t->freelist;
		t->freelist = t->slots[i].next;
	} else
		i = (int)t->used++;
	c = &t->slots[i];
	memset(c, 0, sizeof(*c));
	c->pid = pid;
	c->report = -1;
	b = childtab_bucket(t->mask, pid);
	c->next = t->buckets[b];
	t->buckets[b] = i;
	t->count++;
	return c;
}

struct child *
childtab_find(const struct childtab *t, pid_t pid)
{
	int	i;

	if (pid <= 0)
		return NULL;
	for (i = t->buckets[childtab_bucket(t->mask, pid)];
	    i != CHILDTAB_NONE; i = t->slots[i].next)
		if (t->slots[i].pid == pid)
			return &t->slots[i];
	return NULL;
}

void
childtab_del(struct childtab *t, struct child *c)
{
	int	*link, i;

	if (c == NULL || c->pid <= 0)
		return;
	i = (int)(c - t->slots);
	for (link = &t->buckets[childtab_bucket(t->mask, c->pid)];
	    *link != CHILDTAB_NONE; link = &t->slots[*link].next) {
		if (*link == i) {
			*link = c->next;
			/*
			 * The slot is cleared so that a stale pointer finds
			 * no child, and no descriptor, and an iteration
			 * standing on it can go on from here.
			 */
			memset(c, 0, sizeof(*c));
			c->report = -1;
			c->next = t->freelist;
			t->freelist = i;
			t->count--;
			return;
		}
	}
}

size_t
childtab_count(const struct childtab *t)
{
	return t->count;
}

size_t
childtab_cap(const struct childtab *t)
{
	return t->cap;
}

struct child *
childtab_next(const struct childtab *t, const struct child *c)
{
	size_t	i;

	i = c == NULL ? 0 : (size_t)(c - t->slots) + 1;
	for (; i < t->used; i++)
		if (t->slots[i].pid > 0)
			return &t->slots[i];
	return NULL;
}
