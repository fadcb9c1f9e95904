/* SPDX-License-Identifier: ISC */
/*
 * Hold mode: open k connections, no more than the concurrency being
 * set up at once, wait until each has been answered, then keep them all
 * open and idle for a while, as clients that think would, and at the
 * end ask each of them once more.  It measures how long a server takes
 * to give k clients a process each, leaves the time to read what k idle
 * children cost in memory or to load the server beside them, and finds
 * whether every one of those clients is still served.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>

#include <err.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "bench.h"

#define NEVENTS	256

static int	hold_setting_up(const struct conn *);
static void	hold_expire(struct client *, struct hold *,
		    struct hold_result *, unsigned int *, uint64_t);
static void	hold_settle(struct client *, struct hold *,
		    struct hold_result *, struct conn *, enum step);
static void	hold_drop(struct client *, struct conn *,
		    struct hold_result *);
static void	hold_checked(struct client *, struct hold *,
		    struct hold_result *, struct conn *, enum step);

static int
hold_setting_up(const struct conn *c)
{
	return c->state == CONN_CONNECTING || c->state == CONN_HANDSHAKE ||
	    c->state == CONN_TALKING;
}

static void
hold_expire(struct client *cl, struct hold *h, struct hold_result *hr,
    unsigned int *opening, uint64_t now)
{
	struct conn	*c;
	unsigned int	 i;

	for (i = 0; i < h->k; i++) {
		c = &h->conns[i];
		if (hold_setting_up(c) && now - c->last >= h->timeout_us) {
			c->fail = FAIL_TIMEOUT;
			c->err = 0;
			tally_fail(&hr->tally, c);
			conn_close(c, cl);
			(*opening)--;
		}
	}
}

/* A connection set up: answered and kept, or failed and closed. */
static void
hold_settle(struct client *cl, struct hold *h, struct hold_result *hr,
    struct conn *c, enum step step)
{
	if (step == STEP_DONE && conn_hold(c, h->ep) == STEP_AGAIN) {
		hr->tally.ok++;
		return;
	}
	tally_fail(&hr->tally, c);
	conn_close(c, cl);
}

/* A held connection that the server closed, or that broke. */
static void
hold_drop(struct client *cl, struct conn *c, struct hold_result *hr)
{
	conn_close(c, cl);
	hr->dropped++;
}

/*
 * Open the k connections and wait for their answers, within the cap.  A
 * signal or the cap ends it early; the connections being set up then are
 * counted as aborted.
 */
void
hold_open(struct client *cl, struct hold *h, struct hold_result *hr)
{
	struct epoll_event	 evs[NEVENTS];
	struct conn		*c;
	uint64_t		 start, now, cap, scanned;
	unsigned int		 i, next = 0, opening = 0;
	int			 n, j;
	enum step		 step;

	if ((h->conns = calloc(h->k, sizeof(*h->conns))) == NULL)
		err(1, NULL);
	for (i = 0; i < h->k; i++)
		h->conns[i].fd = -1;
	h->ep = loop_open(1);

	scanned = start = clock_us();
	cap = start + (uint64_t)BENCH_CAP_S * 1000000;
	for (;;) {
		now = clock_us();
		if (now >= cap || hr->interrupted)
			break;
		for (; opening < h->concurrency && next < h->k; next++) {
			c = &h->conns[next];
			step = conn_open(c, cl, h->ep, now);
			if (step == STEP_AGAIN)
				opening++;
			else
				hold_settle(cl, h, hr, c, step);
		}
		if (next == h->k && opening == 0)
			break;
		n = loop_wait(h->ep, evs, NEVENTS, BENCH_SCAN_MS,
		    &hr->interrupted, &hr->released);
		now = clock_us();
		for (j = 0; j < n; j++) {
			c = evs[j].data.ptr;
			if (c->state == CONN_FREE)
				continue;
			if (c->state == CONN_HELD) {
				if (conn_event(c, cl, h->ep, evs[j].events,
				    now) != STEP_AGAIN)
					hold_drop(cl, c, hr);
				continue;
			}
			step = conn_event(c, cl, h->ep, evs[j].events, now);
			if (step == STEP_AGAIN)
				continue;
			opening--;
			hold_settle(cl, h, hr, c, step);
		}
		if (now - scanned >= BENCH_SCAN_MS * 1000) {
			hold_expire(cl, h, hr, &opening, now);
			scanned = now;
		}
	}
	for (i = 0; i < h->k; i++) {
		if (hold_setting_up(&h->conns[i])) {
			conn_close(&h->conns[i], cl);
			hr->tally.aborted++;
		}
	}
	hr->ramp_us = clock_us() - start;
	hr->established = cl->established;
}

/*
 * Keep the answered connections open for the given seconds, or until
 * SIGUSR1 (which, come during hold_open, ends the hold as soon as it
 * begins).
 */
void
hold_keep(struct client *cl, struct hold *h, struct hold_result *hr)
{
	struct epoll_event	 evs[NEVENTS];
	struct conn		*c;
	uint64_t		 start, until;
	int			 n, j;

	start = clock_us();
	until = start + (uint64_t)h->seconds * 1000000;
	while (!hr->interrupted && !hr->released && clock_us() < until) {
		n = loop_wait(h->ep, evs, NEVENTS, BENCH_SCAN_MS,
		    &hr->interrupted, &hr->released);
		for (j = 0; j < n; j++) {
			c = evs[j].data.ptr;
			if (c->state == CONN_HELD && conn_event(c, cl, h->ep,
			    evs[j].events, clock_us()) != STEP_AGAIN)
				hold_drop(cl, c, hr);
		}
	}
	hr->held_us = clock_us() - start;
}

/* A connection asked again: answered and kept, or failed and closed. */
static void
hold_checked(struct client *cl, struct hold *h, struct hold_result *hr,
    struct conn *c, enum step step)
{
	if (step == STEP_DONE && conn_hold(c, h->ep) == STEP_AGAIN) {
		hr->check.ok++;
		return;
	}
	tally_fail(&hr->check, c);
	conn_close(c, cl);
}

/*
 * Ask every held connection once more, all at once (the payload is
 * small enough never to block), and wait for the echoes, for the
 * timeout at most in all: a server that keeps a connection open but no
 * longer serves it fails here, where the hold alone would not notice.
 * Those that have not answered by then count as timeouts.
 */
void
hold_check(struct client *cl, struct hold *h, struct hold_result *hr)
{
	struct epoll_event	 evs[NEVENTS];
	struct conn		*c;
	uint64_t		 start, now, until;
	unsigned int		 i, pending = 0;
	int			 n, j;
	enum step		 step;

	start = clock_us();
	until = start + h->timeout_us;
	for (i = 0; i < h->k; i++) {
		c = &h->conns[i];
		if (c->state != CONN_HELD)
			continue;
		hr->asked++;
		if ((step = conn_ask(c, cl, h->ep, start)) == STEP_AGAIN)
			pending++;
		else
			hold_checked(cl, h, hr, c, step);
	}
	for (now = start; pending > 0 && !hr->interrupted && now < until;) {
		n = loop_wait(h->ep, evs, NEVENTS, BENCH_SCAN_MS,
		    &hr->interrupted, NULL);
		now = clock_us();
		for (j = 0; j < n; j++) {
			c = evs[j].data.ptr;
			if (c->state == CONN_HELD) {
				if (conn_event(c, cl, h->ep, evs[j].events,
				    now) != STEP_AGAIN)
					hold_drop(cl, c, hr);
				continue;
			}
			if (c->state != CONN_TALKING)
				continue;
			step = conn_event(c, cl, h->ep, evs[j].events, now);
			if (step == STEP_AGAIN)
				continue;
			pending--;
			hold_checked(cl, h, hr, c, step);
		}
	}
	for (i = 0; i < h->k; i++) {
		c = &h->conns[i];
		if (c->state != CONN_TALKING)
			continue;
		if (hr->interrupted)
			hr->check.aborted++;
		else {
			c->fail = FAIL_TIMEOUT;
			c->err = 0;
			tally_fail(&hr->check, c);
		}
		conn_close(c, cl);
	}
	hr->check_us = clock_us() - start;
}

void
hold_close(struct client *cl, struct hold *h)
{
	unsigned int	i;

	for (i = 0; i < h->k; i++)
		if (h->conns[i].fd != -1)
			conn_close(&h->conns[i], cl);
	close(h->ep);
	free(h->conns);
	h->conns = NULL;
}
