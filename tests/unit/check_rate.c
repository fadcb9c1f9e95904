/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "rate.h"
#include "check_main.h"

static unsigned int	drain(struct rate *, uint64_t);
static unsigned int	run(struct rate *, uint64_t, uint64_t, uint64_t);
static Suite		*rate_suite(void);

/* Take every token there is at now; returns how many. */
static unsigned int
drain(struct rate *r, uint64_t now)
{
	unsigned int	n = 0;

	while (rate_wait(r, now) == 0 && n < 10000000) {
		rate_take(r, now);
		n++;
	}
	return n;
}

/*
 * A client that takes a token whenever one is there, from `from` to `to`
 * ms, looking every `step` ms.  Returns the tokens taken.
 */
static unsigned int
run(struct rate *r, uint64_t from, uint64_t to, uint64_t step)
{
	unsigned int	n = 0;
	uint64_t	t;

	for (t = from; t <= to; t += step)
		n += drain(r, t);
	return n;
}

START_TEST(starts_full)
{
	struct rate	r;

	rate_init(&r, 10, 1000, 5);
	ck_assert_uint_eq(drain(&r, 0), 5);
	rate_init(&r, 10, 1000, 5);
	ck_assert_uint_eq(drain(&r, 123456789), 5);
}
END_TEST

START_TEST(burst_defaults_to_one_token)
{
	struct rate	r;

	rate_init(&r, 10, 1000, 1);
	ck_assert_uint_eq(drain(&r, 5000), 1);
	ck_assert_uint_eq(rate_wait(&r, 5000), 100);
	ck_assert_uint_eq(rate_wait(&r, 5099), 1);
	ck_assert_uint_eq(rate_wait(&r, 5100), 0);
}
END_TEST

START_TEST(wait_is_exact)
{
	struct rate	r;

	/* 2/s: a token every 500 ms. */
	rate_init(&r, 2, 1000, 2);
	ck_assert_uint_eq(drain(&r, 1000), 2);
	ck_assert_uint_eq(rate_wait(&r, 1000), 500);
	ck_assert_uint_eq(rate_wait(&r, 1250), 250);
	ck_assert_uint_eq(drain(&r, 1500), 1);
	ck_assert_uint_eq(rate_wait(&r, 1500), 500);
	ck_assert_uint_eq(drain(&r, 2000), 1);
}
END_TEST

START_TEST(wait_rounds_up)
{
	struct rate	r;

	/* 3/s: a token every 333.333 ms; never "0 ms" before it is there. */
	rate_init(&r, 3, 1000, 1);
	rate_take(&r, 0);
	ck_assert_uint_eq(rate_wait(&r, 0), 334);
	ck_assert_uint_eq(rate_wait(&r, 333), 1);
	ck_assert_uint_eq(rate_wait(&r, 334), 0);
}
END_TEST

START_TEST(refill_stops_at_burst)
{
	struct rate	r;

	rate_init(&r, 10, 1000, 4);
	ck_assert_uint_eq(drain(&r, 0), 4);
	/* A long idle time refills the bucket, no further. */
	ck_assert_uint_eq(drain(&r, 3600 * 1000), 4);
	/* Half of it in 200 ms. */
	ck_assert_uint_eq(drain(&r, 3600 * 1000 + 200), 2);
}
END_TEST

START_TEST(steady_rate)
{
	struct rate	r;

	/*
	 * 3/s burst 2, polled every ms for 10 s: 2 at the start, 30 more.
	 * The ms of lag between a token's time and the poll that takes it
	 * is within the burst's tolerance, so nothing drifts.
	 */
	rate_init(&r, 3, 1000, 2);
	ck_assert_uint_eq(run(&r, 0, 10000, 1), 32);
	/*
	 * With a bucket of one, a token that waits for its poll is lost
	 * time, as in any token bucket that is full: 1 + 29.
	 */
	rate_init(&r, 3, 1000, 1);
	ck_assert_uint_eq(run(&r, 0, 10000, 1), 30);
	/* The same, polled coarsely: the bucket is the limit, not the poll. */
	rate_init(&r, 3, 1000, 3);
	ck_assert_uint_eq(run(&r, 0, 10000, 1000), 3 + 30);
}
END_TEST

START_TEST(per_minute)
{
	struct rate	r;

	rate_init(&r, 6, 60 * 1000, 2);
	ck_assert_uint_eq(drain(&r, 0), 2);
	ck_assert_uint_eq(rate_wait(&r, 0), 10000);
	ck_assert_uint_eq(run(&r, 1, 60001, 100), 6);
}
END_TEST

START_TEST(high_rate)
{
	struct rate	r;

	/* The largest rate the grammar allows: a token every microsecond. */
	rate_init(&r, 1000000, 1000, 5000);
	ck_assert_uint_eq(drain(&r, 0), 5000);
	ck_assert_uint_eq(rate_wait(&r, 0), 1);
	ck_assert_uint_eq(drain(&r, 1), 1000);
	ck_assert_uint_eq(drain(&r, 1000), 5000);
}
END_TEST

START_TEST(clock_far_ahead)
{
	struct rate	r;
	uint64_t	t = UINT64_C(1) << 50;	/* ~35000 years of ms */

	rate_init(&r, 5, 1000, 2);
	ck_assert_uint_eq(drain(&r, t), 2);
	ck_assert_uint_eq(rate_wait(&r, t), 200);
	ck_assert_uint_eq(drain(&r, t + 200), 1);
}
END_TEST

static Suite *
rate_suite(void)
{
	Suite	*s = suite_create("rate");
	TCase	*tc;

	tc = tcase_create("bucket");
	tcase_add_test(tc, starts_full);
	tcase_add_test(tc, burst_defaults_to_one_token);
	tcase_add_test(tc, refill_stops_at_burst);
	suite_add_tcase(s, tc);

	tc = tcase_create("timing");
	tcase_add_test(tc, wait_is_exact);
	tcase_add_test(tc, wait_rounds_up);
	tcase_add_test(tc, steady_rate);
	tcase_add_test(tc, per_minute);
	tcase_add_test(tc, high_rate);
	tcase_add_test(tc, clock_far_ahead);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(rate_suite)
