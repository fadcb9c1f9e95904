/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pages.h"
#include "check_main.h"

static int	in_child(const void *);
static uintptr_t mapping_of(const void *);

/* The start of the mapping that holds p, as /proc/self/maps says. */
static uintptr_t
mapping_of(const void *p)
{
	FILE		*f;
	unsigned long	 lo, hi;
	uintptr_t	 at = 0;
	char		 line[512];

	ck_assert_ptr_nonnull(f = fopen("/proc/self/maps", "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%lx-%lx", &lo, &hi) == 2 &&
		    (uintptr_t)p >= lo && (uintptr_t)p < hi) {
			at = lo;
			break;
		}
	fclose(f);
	return at;
}
static Suite	*pages_suite(void);

/* Whether a forked child has the page of p: its exit status. */
static int
in_child(const void *p)
{
	unsigned char	vec[1];
	uintptr_t	page = (uintptr_t)p & ~(uintptr_t)(getpagesize() - 1);
	pid_t		pid;
	int		status;

	if ((pid = fork()) == 0)
		_exit(mincore((void *)page, 1, vec) == 0 ? 1 :
		    errno == ENOMEM ? 0 : 2);
	ck_assert_int_ne(pid, -1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(small_records_zeroed_and_reused)
{
	unsigned char	*a, *b;
	size_t		 i;

	a = pages_alloc(1, 100);
	ck_assert_ptr_nonnull(a);
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(a[i], 0);
	memset(a, 0xa5, 100);
	pages_free(a, 1, 100);
	/* The same class: the freed record, cleared. */
	b = pages_alloc(1, 90);
	ck_assert_ptr_eq(b, a);
	for (i = 0; i < 90; i++)
		ck_assert_int_eq(b[i], 0);
	pages_free(b, 1, 90);
}
END_TEST

START_TEST(many_sizes_apart)
{
	unsigned char	*p[200];
	size_t		 i, j, len;

	for (i = 0; i < 200; i++) {
		len = 1 + i * 37 % 3000;
		p[i] = pages_alloc(len, 1);
		ck_assert_ptr_nonnull(p[i]);
		memset(p[i], (int)i, len);
	}
	for (i = 0; i < 200; i++) {
		len = 1 + i * 37 % 3000;
		for (j = 0; j < len; j++)
			ck_assert_int_eq(p[i][j], (unsigned char)i);
	}
	for (i = 0; i < 200; i++)
		pages_free(p[i], 1 + i * 37 % 3000, 1);
}
END_TEST

START_TEST(resize_keeps_contents)
{
	uint32_t	*v = NULL;
	size_t		 n = 0, i, m;

	/* Through the small classes to mappings of their own, and back. */
	for (m = 1; m <= 4096; m *= 2) {
		v = pages_resize(v, n, m, sizeof(*v));
		ck_assert_ptr_nonnull(v);
		for (i = n; i < m; i++)
			v[i] = (uint32_t)i;
		n = m;
	}
	v = pages_resize(v, n, 10, sizeof(*v));
	ck_assert_ptr_nonnull(v);
	for (i = 0; i < 10; i++)
		ck_assert_uint_eq(v[i], i);
	pages_free(v, 10, sizeof(*v));
}
END_TEST

START_TEST(out_of_children_unless_shared)
{
	char	*small, *big;

	small = pages_alloc(1, 200);
	big = pages_alloc(64, 1024);
	ck_assert_ptr_nonnull(small);
	ck_assert_ptr_nonnull(big);
	small[0] = big[0] = 1;
	ck_assert_int_eq(in_child(small), 0);
	ck_assert_int_eq(in_child(big), 0);
	pages_share(1);
	ck_assert_int_eq(in_child(small), 1);
	ck_assert_int_eq(in_child(big), 1);
	pages_share(0);
	ck_assert_int_eq(in_child(small), 0);
	pages_free(small, 1, 200);
	pages_free(big, 64, 1024);
}
END_TEST

/*
 * Big arrays come from one arena: two hundred of them, freed one in two
 * and taken again, all lie in one mapping, not in mappings a fork would
 * have to leave out one by one, and come back zeroed.
 */
START_TEST(one_arena)
{
	unsigned char	*p[200];
	uintptr_t	 arena;
	int		 i, j;

	for (i = 0; i < 200; i++) {
		p[i] = pages_alloc(1 + i % 7, 4096);
		ck_assert_ptr_nonnull(p[i]);
		memset(p[i], 0xee, (size_t)(1 + i % 7) * 4096);
	}
	for (i = 0; i < 200; i += 2)
		pages_free(p[i], 1 + i % 7, 4096);
	for (i = 0; i < 200; i += 2) {
		p[i] = pages_alloc(1 + i % 7, 4096);
		ck_assert_ptr_nonnull(p[i]);
		for (j = 0; j < (1 + i % 7) * 4096; j += 512)
			ck_assert_int_eq(p[i][j], 0);
	}
	ck_assert_uint_ne(arena = mapping_of(p[0]), 0);
	for (i = 1; i < 200; i++)
		ck_assert_uint_eq(mapping_of(p[i]), arena);
	for (i = 1; i < 200; i += 2)
		ck_assert_int_eq(p[i][0], 0xee);
	for (i = 0; i < 200; i++)
		pages_free(p[i], 1 + i % 7, 4096);
}
END_TEST

#if defined(__SANITIZE_ADDRESS__)
/* What lies past a record is poisoned: an overrun ends the process. */
START_TEST(overrun_caught)
{
	volatile char	*p = pages_alloc(1, 100);

	ck_assert_ptr_nonnull((void *)p);
	p[99] = 1;
	p[100] = 1;
}
END_TEST

/* And so is a freed record. */
START_TEST(use_after_free_caught)
{
	volatile char	*p = pages_alloc(1, 600);

	ck_assert_ptr_nonnull((void *)p);
	pages_free((void *)p, 1, 600);
	p[300] = 1;
}
END_TEST
#endif

static Suite *
pages_suite(void)
{
	Suite	*s = suite_create("pages");
	TCase	*tc;

	tc = tcase_create("pool");
	tcase_add_test(tc, small_records_zeroed_and_reused);
	tcase_add_test(tc, many_sizes_apart);
	tcase_add_test(tc, resize_keeps_contents);
	tcase_add_test(tc, out_of_children_unless_shared);
	tcase_add_test(tc, one_arena);
#if defined(__SANITIZE_ADDRESS__)
	tcase_add_exit_test(tc, overrun_caught, 1);
	tcase_add_exit_test(tc, use_after_free_caught, 1);
#endif
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(pages_suite)
