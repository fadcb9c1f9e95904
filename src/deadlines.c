/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "deadlines.h"
#include "pages.h"

static void	deadlines_up(struct deadlines *, size_t);
static void	deadlines_down(struct deadlines *, size_t);

int
deadlines_reserve(struct deadlines *d, size_t cap)
{
	struct deadline	*v;

	if (cap <= d->cap)
		return 0;
	if ((v = pages_resize(d->v, d->cap, cap, sizeof(*v))) == NULL)
		return -1;
	d->v = v;
	d->cap = cap;
	return 0;
}

static void
deadlines_up(struct deadlines *d, size_t i)
{
	struct deadline	e = d->v[i];
	size_t		parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (d->v[parent].when <= e.when)
			break;
		d->v[i] = d->v[parent];
		i = parent;
	}
	d->v[i] = e;
}

static void
deadlines_down(struct deadlines *d, size_t i)
{
	struct deadline	e = d->v[i];
	size_t		child;

	while ((child = 2 * i + 1) < d->n) {
		if (child + 1 < d->n && d->v[child + 1].when < d->v[child].when)
			child++;
		if (e.when <= d->v[child].when)
			break;
		d->v[i] = d->v[child];
		i = child;
	}
	d->v[i] = e;
}

int
deadlines_push(struct deadlines *d, uint64_t when, uintptr_t key)
{
	if (d->n == d->cap &&
	    deadlines_reserve(d, d->cap < 32 ? 64 : d->cap * 2) == -1)
		return -1;
	d->v[d->n].when = when;
	d->v[d->n].key = key;
	deadlines_up(d, d->n++);
	return 0;
}

const struct deadline *
deadlines_peek(const struct deadlines *d)
{
	return d->n > 0 ? &d->v[0] : NULL;
}

void
deadlines_pop(struct deadlines *d)
{
	if (d->n == 0)
		return;
	if (--d->n > 0) {
		d->v[0] = d->v[d->n];
		deadlines_down(d, 0);
	}
}

void
deadlines_filter(struct deadlines *d,
    int (*keep)(void *, const struct deadline *), void *arg)
{
	size_t	i, n = 0;

	for (i = 0; i < d->n; i++)
		if (keep(arg, &d->v[i]))
			d->v[n++] = d->v[i];
	d->n = n;
	/* Floyd's heap construction: O(n). */
	for (i = n / 2; i-- > 0;)
		deadlines_down(d, i);
}

void
deadlines_free(struct deadlines *d)
{
	pages_free(d->v, d->cap, sizeof(*d->v));
	d->v = NULL;
	d->n = d->cap = 0;
}
