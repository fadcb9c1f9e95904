/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "childtab.h"
#include "check_main.h"

/* Pids for the randomized test are drawn from a small range, so they repeat. */
#define MODEL_PIDS	512
#define MODEL_OPS	200000

static void	 fill(struct child *);
static int	 filled(const struct child *);
static size_t	 walk(const struct childtab *, pid_t *, size_t);
static int	 has(const pid_t *, size_t, pid_t);
static uint32_t	 rnd(uint64_t *);
static void	 model_check(const struct childtab *, const int *, size_t);
static void	 model_run(uint64_t, size_t);
static Suite	*childtab_suite(void);

/* Distinct contents for every pid, to see that they survive moves. */
static void
fill(struct child *c)
{
	c->svc = (void *)(uintptr_t)(c->pid * 7);
	c->peer.sa.sa_family = (sa_family_t)(c->pid & 0xff);
	c->start = (uint64_t)c->pid * 1000;
	c->deadline = (uint64_t)c->pid * 1000 + 5;
	c->killed = c->pid & 1;
}

static int
filled(const struct child *c)
{
	return c->svc == (void *)(uintptr_t)(c->pid * 7) &&
	    c->peer.sa.sa_family == (sa_family_t)(c->pid & 0xff) &&
	    c->start == (uint64_t)c->pid * 1000 &&
	    c->deadline == (uint64_t)c->pid * 1000 + 5 &&
	    c->killed == (c->pid & 1);
}

/* The pids childtab_next yields, in order; how many there were. */
static size_t
walk(const struct childtab *t, pid_t *pids, size_t max)
{
	struct child	*c = NULL;
	size_t		 n = 0;

	while ((c = childtab_next(t, c)) != NULL) {
		ck_assert_uint_lt(n, max);
		ck_assert_int_gt(c->pid, 0);
		pids[n++] = c->pid;
	}
	return n;
}

static int
has(const pid_t *pids, size_t n, pid_t pid)
{
	size_t	i, seen = 0;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			seen++;
	ck_assert_uint_le(seen, 1);
	return seen == 1;
}

/* xorshift64*: fixed seeds give the same run every time. */
static uint32_t
rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return (uint32_t)((*s * UINT64_C(2685821657736338717)) >> 32);
}

START_TEST(add_find)
{
	struct childtab	*t;
	struct child	*a, *b;

	ck_assert_ptr_ne(t = childtab_new(4), NULL);
	ck_assert_uint_eq(childtab_cap(t), 4);
	ck_assert_uint_eq(childtab_count(t), 0);
	ck_assert_ptr_eq(childtab_find(t, 100), NULL);

	ck_assert_ptr_ne(a = childtab_add(t, 100), NULL);
	ck_assert_int_eq(a->pid, 100);
	ck_assert_ptr_eq(a->svc, NULL);
	ck_assert_uint_eq(a->start, 0);
	ck_assert_uint_eq(a->deadline, 0);
	ck_assert_int_eq(a->killed, 0);
	ck_assert_int_eq(a->peer.sa.sa_family, 0);
	fill(a);
	ck_assert_ptr_ne(b = childtab_add(t, 101), NULL);
	fill(b);
	ck_assert_ptr_ne(a, b);
	ck_assert_uint_eq(childtab_count(t), 2);

	ck_assert_ptr_eq(childtab_find(t, 100), a);
	ck_assert_ptr_eq(childtab_find(t, 101), b);
	ck_assert(filled(a) && filled(b));
	ck_assert_ptr_eq(childtab_find(t, 102), NULL);
	ck_assert_ptr_eq(childtab_find(t, 0), NULL);
	ck_assert_ptr_eq(childtab_find(t, -1), NULL);
	childtab_free(t);
}
END_TEST

START_TEST(add_zeroes_reused_slot)
{
	struct childtab	*t;
	struct child	*c;

	ck_assert_ptr_ne(t = childtab_new(1), NULL);
	ck_assert_ptr_ne(c = childtab_add(t, 5), NULL);
	fill(c);
	childtab_del(t, c);
	ck_assert_ptr_ne(c = childtab_add(t, 6), NULL);
	ck_assert_int_eq(c->pid, 6);
	ck_assert_ptr_eq(c->svc, NULL);
	ck_assert_uint_eq(c->start, 0);
	ck_assert_uint_eq(c->deadline, 0);
	ck_assert_int_eq(c->killed, 0);
	ck_assert_ptr_eq(childtab_find(t, 5), NULL);
	ck_assert_ptr_eq(childtab_find(t, 6), c);
	childtab_free(t);
}
END_TEST

START_TEST(add_bad_pid)
{
	struct childtab	*t;

	ck_assert_ptr_ne(t = childtab_new(4), NULL);
	errno = 0;
	ck_assert_ptr_eq(childtab_add(t, 0), NULL);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_eq(childtab_add(t, -42), NULL);
	ck_assert_uint_eq(childtab_count(t), 0);
	childtab_free(t);
}
END_TEST

START_TEST(duplicate)
{
	struct childtab	*t;
	struct child	*c;

	ck_assert_ptr_ne(t = childtab_new(4), NULL);
	ck_assert_ptr_ne(c = childtab_add(t, 77), NULL);
	fill(c);
	errno = 0;
	ck_assert_ptr_eq(childtab_add(t, 77), NULL);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_uint_eq(childtab_count(t), 1);
	/* The refused add did not disturb the live entry. */
	ck_assert_ptr_eq(childtab_find(t, 77), c);
	ck_assert(filled(c));
	childtab_del(t, c);
	ck_assert_ptr_ne(childtab_add(t, 77), NULL);
	childtab_free(t);
}
END_TEST

START_TEST(full)
{
	struct childtab	*t;
	struct child	*c;

	ck_assert_ptr_ne(t = childtab_new(3), NULL);
	ck_assert_ptr_ne(childtab_add(t, 1), NULL);
	ck_assert_ptr_ne(c = childtab_add(t, 2), NULL);
	ck_assert_ptr_ne(childtab_add(t, 3), NULL);
	errno = 0;
	ck_assert_ptr_eq(childtab_add(t, 4), NULL);
	ck_assert_int_eq(errno, ENOSPC);
	ck_assert_uint_eq(childtab_count(t), 3);
	ck_assert_ptr_eq(childtab_find(t, 4), NULL);

	childtab_del(t, c);
	ck_assert_uint_eq(childtab_count(t), 2);
	ck_assert_ptr_ne(childtab_add(t, 4), NULL);
	ck_assert_ptr_eq(childtab_add(t, 5), NULL);
	childtab_free(t);
}
END_TEST

START_TEST(cap_zero)
{
	struct childtab	*t;

	ck_assert_ptr_ne(t = childtab_new(0), NULL);
	ck_assert_uint_eq(childtab_cap(t), 0);
	ck_assert_ptr_eq(childtab_add(t, 1), NULL);
	ck_assert_ptr_eq(childtab_next(t, NULL), NULL);
	ck_assert_int_eq(childtab_resize(t, 2), 0);
	ck_assert_ptr_ne(childtab_add(t, 1), NULL);
	ck_assert_ptr_ne(childtab_add(t, 2), NULL);
	ck_assert_int_eq(childtab_resize(t, 0), 0);
	ck_assert_uint_eq(childtab_cap(t), 0);
	ck_assert_uint_eq(childtab_count(t), 2);
	ck_assert_ptr_eq(childtab_add(t, 3), NULL);
	childtab_free(t);
}
END_TEST

START_TEST(cap_huge)
{
	struct childtab	*t;

	errno = 0;
	ck_assert_ptr_eq(childtab_new(SIZE_MAX), NULL);
	ck_assert_int_eq(errno, ENOMEM);

	ck_assert_ptr_ne(t = childtab_new(2), NULL);
	ck_assert_ptr_ne(childtab_add(t, 9), NULL);
	ck_assert_int_eq(childtab_resize(t, SIZE_MAX), -1);
	ck_assert_int_eq(errno, ENOMEM);
	/* A failed resize leaves the table as it was. */
	ck_assert_uint_eq(childtab_cap(t), 2);
	ck_assert_uint_eq(childtab_count(t), 1);
	ck_assert_ptr_ne(childtab_find(t, 9), NULL);
	ck_assert_ptr_ne(childtab_add(t, 10), NULL);
	childtab_free(t);

	childtab_free(NULL);
}
END_TEST

START_TEST(del)
{
	struct childtab	*t;
	struct child	*c;
	pid_t		 pid;

	ck_assert_ptr_ne(t = childtab_new(8), NULL);
	for (pid = 10; pid < 18; pid++) {
		ck_assert_ptr_ne(c = childtab_add(t, pid), NULL);
		fill(c);
	}
	/* Delete from the middle, the ends, then everything else. */
	childtab_del(t, childtab_find(t, 13));
	childtab_del(t, childtab_find(t, 10));
	childtab_del(t, childtab_find(t, 17));
	ck_assert_uint_eq(childtab_count(t), 5);
	ck_assert_ptr_eq(childtab_find(t, 13), NULL);
	ck_assert_ptr_eq(childtab_find(t, 10), NULL);
	ck_assert_ptr_eq(childtab_find(t, 17), NULL);
	for (pid = 11; pid < 17; pid++) {
		if (pid == 13)
			continue;
		ck_assert_ptr_ne(c = childtab_find(t, pid), NULL);
		ck_assert(filled(c));
	}
	childtab_del(t, NULL);
	ck_assert_uint_eq(childtab_count(t), 5);
	while ((c = childtab_next(t, NULL)) != NULL)
		childtab_del(t, c);
	ck_assert_uint_eq(childtab_count(t), 0);
	childtab_free(t);
}
END_TEST

START_TEST(del_collisions)
{
	struct childtab	*t;
	struct child	*c;
	pid_t		 pid;
	int		 i;

	/*
	 * Pids sharing their low bits, deleted from the head, middle and
	 * tail of whatever chains they form.
	 */
	ck_assert_ptr_ne(t = childtab_new(64), NULL);
	for (i = 1; i <= 64; i++) {
		ck_assert_ptr_ne(c = childtab_add(t, (pid_t)i << 16), NULL);
		fill(c);
	}
	for (i = 1; i <= 64; i += 3)
		childtab_del(t, childtab_find(t, (pid_t)i << 16));
	for (i = 1; i <= 64; i++) {
		pid = (pid_t)i << 16;
		c = childtab_find(t, pid);
		if ((i - 1) % 3 == 0)
			ck_assert_ptr_eq(c, NULL);
		else {
			ck_assert_ptr_ne(c, NULL);
			ck_assert_int_eq(c->pid, pid);
			ck_assert(filled(c));
		}
	}
	childtab_free(t);
}
END_TEST

START_TEST(iterate)
{
	struct childtab	*t;
	pid_t		 seen[16];
	size_t		 n;

	ck_assert_ptr_ne(t = childtab_new(16), NULL);
	ck_assert_ptr_eq(childtab_next(t, NULL), NULL);
	ck_assert_ptr_ne(childtab_add(t, 300), NULL);
	ck_assert_ptr_ne(childtab_add(t, 200), NULL);
	ck_assert_ptr_ne(childtab_add(t, 100), NULL);
	ck_assert_ptr_ne(childtab_add(t, 400), NULL);
	childtab_del(t, childtab_find(t, 200));

	n = walk(t, seen, 16);
	ck_assert_uint_eq(n, 3);
	ck_assert(has(seen, n, 100));
	ck_assert(has(seen, n, 300));
	ck_assert(has(seen, n, 400));
	ck_assert(!has(seen, n, 200));
	childtab_free(t);
}
END_TEST

START_TEST(iterate_delete_current)
{
	struct childtab	*t;
	struct child	*c;
	pid_t		 seen[32], pid;
	size_t		 n;

	/* Reaping while walking the table, as the master does. */
	ck_assert_ptr_ne(t = childtab_new(32), NULL);
	for (pid = 1; pid <= 32; pid++)
		ck_assert_ptr_ne(childtab_add(t, pid * 11), NULL);
	n = 0;
	c = NULL;
	while ((c = childtab_next(t, c)) != NULL) {
		seen[n++] = c->pid;
		if (c->pid % 2 == 0)
			childtab_del(t, c);
	}
	ck_assert_uint_eq(n, 32);
	for (pid = 1; pid <= 32; pid++) {
		ck_assert(has(seen, n, pid * 11));
		if (pid * 11 % 2 == 0)
			ck_assert_ptr_eq(childtab_find(t, pid * 11), NULL);
		else
			ck_assert_ptr_ne(childtab_find(t, pid * 11), NULL);
	}
	ck_assert_uint_eq(childtab_count(t), 16);
	ck_assert_uint_eq(walk(t, seen, 32), 16);
	childtab_free(t);
}
END_TEST

START_TEST(resize_up)
{
	struct childtab	*t;
	struct child	*c;
	pid_t		 pid;

	ck_assert_ptr_ne(t = childtab_new(4), NULL);
	for (pid = 1000; pid < 1004; pid++) {
		ck_assert_ptr_ne(c = childtab_add(t, pid), NULL);
		fill(c);
	}
	ck_assert_ptr_eq(childtab_add(t, 2000), NULL);
	ck_assert_int_eq(childtab_resize(t, 100), 0);
	ck_assert_uint_eq(childtab_cap(t), 100);
	ck_assert_uint_eq(childtab_count(t), 4);
	for (pid = 1000; pid < 1004; pid++) {
		ck_assert_ptr_ne(c = childtab_find(t, pid), NULL);
		ck_assert(filled(c));
	}
	for (pid = 2000; pid < 2096; pid++)
		ck_assert_ptr_ne(childtab_add(t, pid), NULL);
	ck_assert_uint_eq(childtab_count(t), 100);
	ck_assert_ptr_eq(childtab_add(t, 3000), NULL);
	for (pid = 1000; pid < 1004; pid++)
		ck_assert_ptr_ne(childtab_find(t, pid), NULL);
	childtab_free(t);
}
END_TEST

START_TEST(resize_down)
{
	struct childtab	*t;
	struct child	*c;
	pid_t		 pid, seen[10];

	ck_assert_ptr_ne(t = childtab_new(10), NULL);
	for (pid = 1; pid <= 10; pid++) {
		ck_assert_ptr_ne(c = childtab_add(t, pid), NULL);
		fill(c);
	}

	/* Below the live count: nobody is dropped, but the table is full. */
	ck_assert_int_eq(childtab_resize(t, 4), 0);
	ck_assert_uint_eq(childtab_cap(t), 4);
	ck_assert_uint_eq(childtab_count(t), 10);
	ck_assert_uint_eq(walk(t, seen, 10), 10);
	for (pid = 1; pid <= 10; pid++) {
		ck_assert_ptr_ne(c = childtab_find(t, pid), NULL);
		ck_assert(filled(c));
	}
	ck_assert_ptr_eq(childtab_add(t, 11), NULL);

	/* It stays full until the count falls below the new capacity. */
	for (pid = 1; pid <= 6; pid++) {
		childtab_del(t, childtab_find(t, pid));
		ck_assert_ptr_eq(childtab_add(t, 100 + pid), NULL);
	}
	ck_assert_uint_eq(childtab_count(t), 4);
	childtab_del(t, childtab_find(t, 7));
	ck_assert_ptr_ne(c = childtab_add(t, 11), NULL);
	ck_assert_ptr_eq(childtab_add(t, 12), NULL);
	for (pid = 8; pid <= 11; pid++)
		ck_assert_ptr_ne(childtab_find(t, pid), NULL);

	/* Down to exactly the live count, then to what is left. */
	ck_assert_int_eq(childtab_resize(t, 4), 0);
	ck_assert_uint_eq(childtab_count(t), 4);
	ck_assert_ptr_eq(childtab_add(t, 12), NULL);
	ck_assert_int_eq(childtab_resize(t, 6), 0);
	ck_assert_ptr_ne(childtab_add(t, 12), NULL);
	ck_assert_ptr_ne(childtab_add(t, 13), NULL);
	ck_assert_ptr_eq(childtab_add(t, 14), NULL);
	ck_assert_uint_eq(walk(t, seen, 10), 6);
	childtab_free(t);
}
END_TEST

START_TEST(resize_same)
{
	struct childtab	*t;
	struct child	*c;

	ck_assert_ptr_ne(t = childtab_new(8), NULL);
	ck_assert_ptr_ne(c = childtab_add(t, 42), NULL);
	fill(c);
	ck_assert_int_eq(childtab_resize(t, 8), 0);
	ck_assert_uint_eq(childtab_cap(t), 8);
	ck_assert_ptr_ne(c = childtab_find(t, 42), NULL);
	ck_assert(filled(c));
	ck_assert_uint_eq(childtab_count(t), 1);
	childtab_free(t);
}
END_TEST

START_TEST(large)
{
	struct childtab	*t;
	struct child	*c;
	pid_t		 pid;
	size_t		 n;
	const size_t	 cap = 50000;

	/* Sequential pids, as a busy server gets them. */
	ck_assert_ptr_ne(t = childtab_new(cap), NULL);
	for (pid = 2; pid < (pid_t)cap + 2; pid++) {
		ck_assert_ptr_ne(c = childtab_add(t, pid), NULL);
		fill(c);
	}
	ck_assert_ptr_eq(childtab_add(t, 1), NULL);
	for (pid = 2; pid < (pid_t)cap + 2; pid++) {
		ck_assert_ptr_ne(c = childtab_find(t, pid), NULL);
		ck_assert_int_eq(c->pid, pid);
	}
	for (n = 0, c = NULL; (c = childtab_next(t, c)) != NULL; n++)
		ck_assert(filled(c));
	ck_assert_uint_eq(n, cap);
	childtab_free(t);
}
END_TEST

/*
 * A passing ck_assert reports its location to the parent process, which
 * would dominate a run of this many operations; these stay quiet unless
 * they fail.
 */
#define REQUIRE(cond, ...) do {						\
	if (!(cond))							\
		ck_abort_msg(__VA_ARGS__);				\
} while (0)

/* The table against live[pid] and cap: every invariant, every lookup. */
static void
model_check(const struct childtab *t, const int *live, size_t cap)
{
	struct child	*c;
	size_t		 n = 0, count = 0;
	pid_t		 pid;
	int		 seen[MODEL_PIDS];

	memset(seen, 0, sizeof(seen));
	c = NULL;
	while ((c = childtab_next(t, c)) != NULL) {
		REQUIRE(c->pid > 0 && c->pid < MODEL_PIDS,
		    "pid %d listed", c->pid);
		REQUIRE(live[c->pid], "dead pid %d listed", c->pid);
		REQUIRE(!seen[c->pid], "pid %d listed twice", c->pid);
		REQUIRE(filled(c), "pid %d: contents changed", c->pid);
		seen[c->pid] = 1;
		n++;
	}
	for (pid = 1; pid < MODEL_PIDS; pid++) {
		c = childtab_find(t, pid);
		if (live[pid]) {
			REQUIRE(c != NULL && c->pid == pid, "pid %d lost", pid);
			count++;
		} else
			REQUIRE(c == NULL, "dead pid %d found", pid);
	}
	REQUIRE(n == count, "%zu listed, %zu live", n, count);
	REQUIRE(childtab_count(t) == count, "count %zu, %zu live",
	    childtab_count(t), count);
	REQUIRE(childtab_cap(t) == cap, "cap %zu, want %zu",
	    childtab_cap(t), cap);
}

static void
model_run(uint64_t seed, size_t cap)
{
	struct childtab	*t;
	struct child	*c;
	int		 live[MODEL_PIDS];
	size_t		 count = 0, op, resizes = 0, refused = 0;
	pid_t		 pid;
	uint32_t	 r;

	memset(live, 0, sizeof(live));
	ck_assert_ptr_ne(t = childtab_new(cap), NULL);
	for (op = 0; op < MODEL_OPS; op++) {
		r = rnd(&seed);
		pid = (pid_t)(1 + (r >> 8) % (MODEL_PIDS - 1));
		switch (r % 16) {
		case 0:
			/* Rarely, a new capacity, sometimes below the count. */
			if (rnd(&seed) % 64 != 0)
				break;
			cap = rnd(&seed) % (MODEL_PIDS / 2);
			REQUIRE(childtab_resize(t, cap) == 0, "resize %zu", cap);
			model_check(t, live, cap);
			resizes++;
			break;
		case 1: case 2: case 3: case 4: case 5: case 6: case 7:
			c = childtab_add(t, pid);
			if (live[pid] || count >= cap) {
				REQUIRE(c == NULL, "op %zu: add %d taken",
				    op, pid);
				refused++;
				break;
			}
			REQUIRE(c != NULL && c->pid == pid,
			    "op %zu: add %d refused", op, pid);
			fill(c);
			live[pid] = 1;
			count++;
			break;
		case 8: case 9: case 10: case 11: case 12: case 13:
			c = childtab_find(t, pid);
			if (!live[pid]) {
				REQUIRE(c == NULL, "op %zu: %d found", op, pid);
				break;
			}
			REQUIRE(c != NULL && filled(c),
			    "op %zu: %d lost", op, pid);
			childtab_del(t, c);
			live[pid] = 0;
			count--;
			break;
		default:
			c = childtab_find(t, pid);
			REQUIRE(live[pid] ? c != NULL : c == NULL,
			    "op %zu: find %d", op, pid);
			break;
		}
		REQUIRE(childtab_count(t) == count, "op %zu: count", op);
		if (op % 4096 == 0)
			model_check(t, live, cap);
	}
	model_check(t, live, cap);
	/* The run did reach the cases it is meant to exercise. */
	ck_assert_uint_gt(resizes, 10);
	ck_assert_uint_gt(refused, 100);
	childtab_free(t);
}

START_TEST(model_small)
{
	/* A table smaller than the pid range: often full. */
	model_run(UINT64_C(0x2545f4914f6cdd1d) + (uint64_t)_i, 16);
}
END_TEST

START_TEST(model_large)
{
	/* A table that holds every pid: long chains of adds and dels. */
	model_run(UINT64_C(0x9e3779b97f4a7c15) + (uint64_t)_i, MODEL_PIDS);
}
END_TEST

static Suite *
childtab_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("childtab");

	tc = tcase_create("add and find");
	tcase_add_test(tc, add_find);
	tcase_add_test(tc, add_zeroes_reused_slot);
	tcase_add_test(tc, add_bad_pid);
	tcase_add_test(tc, duplicate);
	suite_add_tcase(s, tc);

	tc = tcase_create("capacity");
	tcase_add_test(tc, full);
	tcase_add_test(tc, cap_zero);
	tcase_add_test(tc, cap_huge);
	suite_add_tcase(s, tc);

	tc = tcase_create("delete");
	tcase_add_test(tc, del);
	tcase_add_test(tc, del_collisions);
	suite_add_tcase(s, tc);

	tc = tcase_create("iterate");
	tcase_add_test(tc, iterate);
	tcase_add_test(tc, iterate_delete_current);
	suite_add_tcase(s, tc);

	tc = tcase_create("resize");
	tcase_add_test(tc, resize_up);
	tcase_add_test(tc, resize_down);
	tcase_add_test(tc, resize_same);
	suite_add_tcase(s, tc);

	tc = tcase_create("randomized");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, large);
	tcase_add_loop_test(tc, model_small, 0, 4);
	tcase_add_loop_test(tc, model_large, 0, 4);
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(childtab_suite)
