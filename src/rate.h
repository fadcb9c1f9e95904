/* SPDX-License-Identifier: ISC */
/*
 * A token bucket, kept as the generic cell rate algorithm: one time
 * stamp instead of a token count and a refill timer.  Pure: the clock is
 * the caller's, in milliseconds.
 */

#ifndef FORKD_RATE_H
#define FORKD_RATE_H

#include <stdint.h>

struct rate {
	uint64_t	tat;		/* when the bucket is full again, us */
	uint64_t	cost;		/* one token's worth of time, us */
	uint64_t	tolerance;	/* burst - 1 tokens' worth, us */
};

/* n tokens every per_ms milliseconds, at most burst at once; starts full. */
void		rate_init(struct rate *, unsigned int n, unsigned int per_ms,
		    unsigned int burst);

/*
 * 0 when a token is there at now_ms; otherwise how many milliseconds
 * (at least 1) until one is.
 */
uint64_t	rate_wait(const struct rate *, uint64_t now_ms);

/* Take a token; the caller has seen rate_wait() return 0. */
void		rate_take(struct rate *, uint64_t now_ms);

#endif /* FORKD_RATE_H */
