/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "deadlines.h"
#include "check_main.h"

static int	keep_even(void *, const struct deadline *);
static uint64_t	pop(struct deadlines *, pid_t *);
static Suite	*deadlines_suite(void);

/* The earliest entry's time, removed; UINT64_MAX when empty. */
static uint64_t
pop(struct deadlines *d, pid_t *pid)
{
	const struct deadline	*e;
	uint64_t		 when;

	if ((e = deadlines_peek(d)) == NULL)
		return UINT64_MAX;
	when = e->when;
	if (pid != NULL)
		*pid = (pid_t)e->key;
	deadlines_pop(d);
	return when;
}

static int
keep_even(void *arg, const struct deadline *e)
{
	(void)arg;
	return e->key % 2 == 0;
}

START_TEST(empty)
{
	struct deadlines	d = { NULL, 0, 0 };

	ck_assert_ptr_null(deadlines_peek(&d));
	deadlines_pop(&d);
	ck_assert_uint_eq(d.n, 0);
	deadlines_free(&d);
}
END_TEST

START_TEST(in_order)
{
	struct deadlines	d = { NULL, 0, 0 };
	uint64_t		when[] = { 50, 10, 40, 10, 30, 20, 60, 0 };
	uint64_t		last = 0, t;
	size_t			i;
	pid_t			pid = 0;

	for (i = 0; i < sizeof(when) / sizeof(when[0]); i++)
		ck_assert_int_eq(deadlines_push(&d, when[i], i + 1), 0);
	for (i = 0; i < sizeof(when) / sizeof(when[0]); i++) {
		t = pop(&d, &pid);
		ck_assert_uint_ge(t, last);
		ck_assert_uint_eq(when[pid - 1], t);
		last = t;
	}
	ck_assert_uint_eq(pop(&d, NULL), UINT64_MAX);
	deadlines_free(&d);
}
END_TEST

/* Random pushes and pops against a count of what must come out. */
START_TEST(random_against_sort)
{
	struct deadlines	d = { NULL, 0, 0 };
	unsigned int		seen[1000] = { 0 }, pushed[1000] = { 0 };
	uint64_t		last = 0, t;
	int			i;

	srandom(42);
	for (i = 0; i < 100000; i++) {
		if (d.n == 0 || random() % 3 != 0) {
			/* Never earlier than what has come out. */
			t = last + (uint64_t)(random() % 1000);
			ck_assert_int_eq(deadlines_push(&d, t, 1), 0);
			pushed[t % 1000]++;
		} else {
			t = pop(&d, NULL);
			ck_assert_uint_ge(t, last);
			seen[t % 1000]++;
			last = t;
		}
	}
	while ((t = pop(&d, NULL)) != UINT64_MAX) {
		ck_assert_uint_ge(t, last);
		seen[t % 1000]++;
		last = t;
	}
	for (i = 0; i < 1000; i++)
		ck_assert_uint_eq(seen[i], pushed[i]);
	deadlines_free(&d);
}
END_TEST

START_TEST(filter_keeps_order)
{
	struct deadlines	d = { NULL, 0, 0 };
	uint64_t		last = 0, t;
	pid_t			pid = 0, i;
	size_t			n = 0;

	for (i = 1; i <= 1000; i++)
		ck_assert_int_eq(deadlines_push(&d,
		    (uint64_t)((i * 7919) % 1009), (uintptr_t)i), 0);
	deadlines_filter(&d, keep_even, NULL);
	ck_assert_uint_eq(d.n, 500);
	while ((t = pop(&d, &pid)) != UINT64_MAX) {
		ck_assert_int_eq(pid % 2, 0);
		ck_assert_uint_ge(t, last);
		ck_assert_uint_eq(t, (uint64_t)((pid * 7919) % 1009));
		last = t;
		n++;
	}
	ck_assert_uint_eq(n, 500);
	deadlines_free(&d);
}
END_TEST

START_TEST(reserve_then_no_growth)
{
	struct deadlines	d = { NULL, 0, 0 };
	struct deadline		*v;
	int			i;

	ck_assert_int_eq(deadlines_reserve(&d, 100), 0);
	v = d.v;
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(deadlines_push(&d, (uint64_t)i, (uintptr_t)i + 1), 0);
	ck_assert_ptr_eq(d.v, v);
	ck_assert_int_eq(deadlines_push(&d, 5, 1000), 0);
	ck_assert_uint_ge(d.cap, 101);
	ck_assert_uint_eq(pop(&d, NULL), 0);
	deadlines_free(&d);
}
END_TEST

/*
 * The heap is the master's alone: grown past its first mapping, it is
 * still no part of a child's memory (mincore(2) says ENOMEM for an
 * address nothing maps).
 */
START_TEST(kept_out_of_children)
{
	struct deadlines	d = { NULL, 0, 0 };
	unsigned char		vec[1];
	pid_t			pid;
	int			i, status;

	for (i = 0; i < 5000; i++)
		ck_assert_int_eq(deadlines_push(&d, (uint64_t)i, (uintptr_t)i), 0);
	ck_assert_int_eq(mincore(d.v, 1, vec), 0);
	if ((pid = fork()) == 0)
		_exit(mincore(d.v, 1, vec) == -1 && errno == ENOMEM ? 0 : 1);
	ck_assert_int_ne(pid, -1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	for (i = 0; i < 5000; i++)
		ck_assert_uint_eq(pop(&d, NULL), (uint64_t)i);
	deadlines_free(&d);
}
END_TEST

static Suite *
deadlines_suite(void)
{
	Suite	*s = suite_create("deadlines");
	TCase	*tc;

	tc = tcase_create("heap");
	tcase_add_test(tc, empty);
	tcase_add_test(tc, in_order);
	tcase_add_test(tc, random_against_sort);
	tcase_add_test(tc, filter_keeps_order);
	tcase_add_test(tc, reserve_then_no_growth);
	tcase_add_test(tc, kept_out_of_children);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(deadlines_suite)
