/* SPDX-License-Identifier: ISC */
/*
 * Token bucket as GCRA.  The bucket is full when tat <= now; each token
 * taken pushes tat one cost further; a token is there as long as tat is
 * at most tolerance (burst - 1 tokens) ahead of now.
 */

#include "config.h"

#include "rate.h"

void
rate_init(struct rate *r, unsigned int n, unsigned int per_ms,
    unsigned int burst)
{
	r->tat = 0;
	r->cost = (uint64_t)per_ms * 1000 / (n > 0 ? n : 1);
	if (r->cost == 0)
		r->cost = 1;
	r->tolerance = r->cost * (burst > 0 ? burst - 1 : 0);
}

uint64_t
rate_wait(const struct rate *r, uint64_t now_ms)
{
	uint64_t	now = now_ms * 1000, due;

	if (r->tat <= now + r->tolerance)
		return 0;
	due = r->tat - r->tolerance - now;
	return (due + 999) / 1000;
}

void
rate_take(struct rate *r, uint64_t now_ms)
{
	uint64_t	now = now_ms * 1000;

	r->tat = (r->tat > now ? r->tat : now) + r->cost;
}
