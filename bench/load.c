/* SPDX-License-Identifier: ISC */
/*
 * The load run: n connections, or as many as a duration allows, with
 * never more than the concurrency in flight.  Each slot that frees up
 * starts the next connection at once.  The latency of every good
 * connection is kept and sorted at the end, for exact percentiles.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>

#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

#define NEVENTS		256
#define LAT_FIRST	65536

struct run {
	struct client		*cl;
	const struct load	*l;
	struct load_result	*r;
	struct conn		*conns;
	unsigned int		*freelist;	/* indices of free slots */
	unsigned int		 nfree;
	uint64_t		 started;
	int			 ep;
};

static void	run_latency(struct run *, uint32_t);
static void	run_finish(struct run *, struct conn *, enum step);
static int	run_more(const struct run *, uint64_t, uint64_t);
static void	run_fill(struct run *, uint64_t, uint64_t);
static void	run_expire(struct run *, uint64_t);
static void	run_abort(struct run *);
static int	lat_cmp(const void *, const void *);

static void
run_latency(struct run *run, uint32_t us)
{
	struct load_result	*r = run->r;
	uint32_t		*p;
	size_t			 cap;

	if (r->nlat == r->latcap) {
		cap = r->latcap == 0 ? LAT_FIRST : r->latcap * 2;
		if ((p = reallocarray(r->lat, cap, sizeof(*p))) == NULL)
			err(1, "latencies");
		r->lat = p;
		r->latcap = cap;
	}
	r->lat[r->nlat++] = us;
}

/* Close a connection that is over, count it, and free its slot. */
static void
run_finish(struct run *run, struct conn *c, enum step step)
{
	uint64_t	us;

	conn_close(c, run->cl);
	if (step == STEP_DONE) {
		us = clock_us() - c->start;
		run_latency(run, us > UINT32_MAX ? UINT32_MAX : (uint32_t)us);
		run->r->tally.ok++;
	} else
		tally_fail(&run->r->tally, c);
	run->freelist[run->nfree++] = (unsigned int)(c - run->conns);
}

/* Whether connections are still to be started. */
static int
run_more(const struct run *run, uint64_t now, uint64_t until)
{
	if (run->l->n > 0)
		return run->started < run->l->n;
	return now < until;
}

/*
 * Start connections in every free slot.  One that is over at once (a
 * refused connect) frees its slot again, and the loop goes on: it is
 * bounded by n, or by the duration.
 */
static void
run_fill(struct run *run, uint64_t now, uint64_t until)
{
	struct conn	*c;
	enum step	 step;

	while (run->nfree > 0 && run_more(run, now, until)) {
		c = &run->conns[run->freelist[--run->nfree]];
		run->started++;
		if ((step = conn_open(c, run->cl, run->ep, now)) != STEP_AGAIN)
			run_finish(run, c, step);
		if (run->l->n == 0)
			now = clock_us();
	}
}

static void
run_expire(struct run *run, uint64_t now)
{
	struct conn	*c;
	unsigned int	 i;

	for (i = 0; i < run->l->concurrency; i++) {
		c = &run->conns[i];
		if (c->state != CONN_FREE &&
		    now - c->last >= run->l->timeout_us) {
			c->fail = FAIL_TIMEOUT;
			c->err = 0;
			run_finish(run, c, STEP_FAILED);
		}
	}
}

/* A signal or the cap: what is in flight is counted apart. */
static void
run_abort(struct run *run)
{
	struct conn	*c;
	unsigned int	 i;

	for (i = 0; i < run->l->concurrency; i++) {
		c = &run->conns[i];
		if (c->state != CONN_FREE) {
			conn_close(c, run->cl);
			run->r->tally.aborted++;
		}
	}
}

void
load_run(struct client *cl, const struct load *l, struct load_result *r)
{
	struct epoll_event	 evs[NEVENTS];
	struct run		 run;
	struct conn		*c;
	uint64_t		 start, now, until, cap, scanned;
	unsigned int		 i;
	int			 n, j;
	enum step		 step;

	run.cl = cl;
	run.l = l;
	run.r = r;
	run.started = 0;
	if ((run.conns = calloc(l->concurrency, sizeof(*run.conns))) == NULL ||
	    (run.freelist = calloc(l->concurrency,
	    sizeof(*run.freelist))) == NULL)
		err(1, NULL);
	for (i = 0; i < l->concurrency; i++) {
		run.conns[i].fd = -1;
		run.freelist[i] = l->concurrency - 1 - i;
	}
	run.nfree = l->concurrency;
	run.ep = loop_open(0);

	scanned = start = clock_us();
	cap = start + (uint64_t)BENCH_CAP_S * 1000000;
	until = l->n > 0 ? cap : start + (uint64_t)l->seconds * 1000000;
	for (;;) {
		now = clock_us();
		if (now >= cap || r->interrupted) {
			run_abort(&run);
			break;
		}
		run_fill(&run, now, until);
		if (run.nfree == l->concurrency)
			break;
		n = loop_wait(run.ep, evs, NEVENTS, BENCH_SCAN_MS,
		    &r->interrupted, NULL);
		now = clock_us();
		for (j = 0; j < n; j++) {
			c = evs[j].data.ptr;
			if (c->state == CONN_FREE)
				continue;
			step = conn_event(c, cl, run.ep, evs[j].events, now);
			if (step != STEP_AGAIN)
				run_finish(&run, c, step);
		}
		if (now - scanned >= BENCH_SCAN_MS * 1000) {
			run_expire(&run, now);
			scanned = now;
		}
	}
	r->elapsed_us = clock_us() - start;
	if (r->nlat > 0)
		qsort(r->lat, r->nlat, sizeof(*r->lat), lat_cmp);
	for (i = 0; i < l->concurrency; i++)
		tls_forget(&run.conns[i]);
	close(run.ep);
	free(run.freelist);
	free(run.conns);
}

static int
lat_cmp(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The p-th percentile by nearest rank; 0 when nothing succeeded. */
uint32_t
load_percentile(const struct load_result *r, unsigned int p)
{
	size_t	rank;

	if (r->nlat == 0)
		return 0;
	rank = (r->nlat * p + 99) / 100;
	return r->lat[rank == 0 ? 0 : rank - 1];
}
