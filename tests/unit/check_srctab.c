/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "srctab.h"
#include "check_main.h"

static struct sockaddr_storage	ip(const char *, unsigned int);
static Suite			*srctab_suite(void);

#define SA(ss)	((const struct sockaddr *)&(ss))

/* An address with a port; IPv6 when it has a colon. */
static struct sockaddr_storage
ip(const char *s, unsigned int port)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(s, ':') != NULL) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		ck_assert_int_eq(inet_pton(AF_INET6, s, &sin6->sin6_addr), 1);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		ck_assert_int_eq(inet_pton(AF_INET, s, &sin->sin_addr), 1);
	}
	return ss;
}

START_TEST(count_add_del)
{
	struct srctab		*t = srctab_new(8, 1);
	struct sockaddr_storage	 a = ip("127.0.0.2", 1000),
				 b = ip("127.0.0.3", 1000);

	ck_assert_ptr_nonnull(t);
	ck_assert_uint_eq(srctab_count(t, SA(a)), 0);
	ck_assert_uint_eq(srctab_add(t, SA(a)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(a)), 2);
	ck_assert_uint_eq(srctab_add(t, SA(b)), 1);
	ck_assert_uint_eq(srctab_count(t, SA(a)), 2);
	ck_assert_uint_eq(srctab_size(t), 2);
	srctab_del(t, SA(a));
	ck_assert_uint_eq(srctab_count(t, SA(a)), 1);
	srctab_del(t, SA(a));
	ck_assert_uint_eq(srctab_count(t, SA(a)), 0);
	ck_assert_uint_eq(srctab_size(t), 1);
	/* Deleting what is not there changes nothing. */
	srctab_del(t, SA(a));
	ck_assert_uint_eq(srctab_count(t, SA(b)), 1);
	ck_assert_uint_eq(srctab_size(t), 1);
	srctab_free(t);
}
END_TEST

START_TEST(keys)
{
	struct srctab		*t = srctab_new(8, 2);
	struct sockaddr_storage	 v4 = ip("192.0.2.1", 1),
				 v4port = ip("192.0.2.1", 65535),
				 mapped = ip("::ffff:192.0.2.1", 2),
				 v6a = ip("2001:db8::1", 1),
				 v6b = ip("2001:db8::2", 1),
				 other;

	/* Ports play no part; IPv4 and its mapped form are one address. */
	ck_assert_uint_eq(srctab_add(t, SA(v4)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(v4port)), 2);
	ck_assert_uint_eq(srctab_add(t, SA(mapped)), 3);
	ck_assert_uint_eq(srctab_size(t), 1);
	/* Every IPv6 address counts on its own, even in one /64. */
	ck_assert_uint_eq(srctab_add(t, SA(v6a)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(v6b)), 1);
	ck_assert_uint_eq(srctab_size(t), 3);
	/* Other families are never counted. */
	memset(&other, 0, sizeof(other));
	other.ss_family = AF_UNIX;
	ck_assert_uint_eq(srctab_add(t, SA(other)), 0);
	ck_assert_uint_eq(srctab_count(t, SA(other)), 0);
	srctab_del(t, SA(other));
	ck_assert_uint_eq(srctab_size(t), 3);
	srctab_free(t);
}
END_TEST

/* source-prefix: networks count as one client, mapped IPv4 as IPv4. */
START_TEST(prefixes)
{
	struct srctab		*t = srctab_new(16, 3);
	struct sockaddr_storage	 a = ip("192.0.2.1", 1),
				 b = ip("192.0.2.200", 2),
				 c = ip("192.0.3.1", 3),
				 m = ip("::ffff:192.0.2.77", 4),
				 x = ip("2001:db8:0:1::1", 5),
				 y = ip("2001:db8:0:1:ffff::2", 6),
				 z = ip("2001:db8:0:2::1", 7),
				 odd = ip("10.0.0.129", 8),
				 even = ip("10.0.0.130", 9);

	ck_assert_ptr_nonnull(t);
	srctab_prefix(t, 24, 64);
	ck_assert_uint_eq(srctab_add(t, SA(a)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(b)), 2);
	ck_assert_uint_eq(srctab_add(t, SA(m)), 3);
	ck_assert_uint_eq(srctab_add(t, SA(c)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(x)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(y)), 2);
	ck_assert_uint_eq(srctab_add(t, SA(z)), 1);
	srctab_del(t, SA(b));
	ck_assert_uint_eq(srctab_count(t, SA(a)), 2);
	srctab_free(t);

	/* A length within a byte: /25 keeps the top bit of the last. */
	t = srctab_new(16, 4);
	ck_assert_ptr_nonnull(t);
	srctab_prefix(t, 25, 128);
	ck_assert_uint_eq(srctab_add(t, SA(odd)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(even)), 2);
	ck_assert_uint_eq(srctab_count(t, SA(a)), 0);
	srctab_prefix(t, 32, 128);
	ck_assert_uint_eq(srctab_count(t, SA(odd)), 0);
	srctab_free(t);

	/* /0: everyone is one client. */
	t = srctab_new(16, 5);
	ck_assert_ptr_nonnull(t);
	srctab_prefix(t, 0, 0);
	ck_assert_uint_eq(srctab_add(t, SA(a)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(odd)), 2);
	ck_assert_uint_eq(srctab_add(t, SA(x)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(z)), 2);
	srctab_free(t);
}
END_TEST

/* Unix-domain clients count by uid; pids and groups play no part. */
START_TEST(credentials)
{
	struct srctab		*t = srctab_new(8, 6);
	struct sockaddr_storage	 a, b, c, none, v6 = ip("::fffe:0:3e8", 1);

	ck_assert_ptr_nonnull(t);
	addr_set_cred(&a, 1000, 100, 10);
	addr_set_cred(&b, 1000, 200, 11);
	addr_set_cred(&c, 1001, 100, 12);
	memset(&none, 0, sizeof(none));
	none.ss_family = AF_UNIX;
	ck_assert_uint_eq(srctab_add(t, SA(a)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(b)), 2);
	ck_assert_uint_eq(srctab_add(t, SA(c)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(none)), 0);
	/* Keys live in ::fffe:0:0/96 (reserved ::/8), in the host's order. */
	ck_assert_uint_eq(srctab_count(t, SA(v6)), 0);
	srctab_free(t);
}
END_TEST

START_TEST(full)
{
	struct srctab		*t = srctab_new(3, 3);
	struct sockaddr_storage	 a = ip("10.0.0.1", 1), b = ip("10.0.0.2", 1),
				 c = ip("10.0.0.3", 1), d = ip("10.0.0.4", 1);

	ck_assert_uint_eq(srctab_add(t, SA(a)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(b)), 1);
	ck_assert_uint_eq(srctab_add(t, SA(c)), 1);
	/* A fourth address has no room; the ones there still count up. */
	ck_assert_uint_eq(srctab_add(t, SA(d)), 0);
	ck_assert_uint_eq(srctab_add(t, SA(a)), 2);
	srctab_del(t, SA(b));
	ck_assert_uint_eq(srctab_add(t, SA(d)), 1);
	srctab_free(t);
}
END_TEST

/*
 * Against a plain array, through many random additions and removals in a
 * small table (long probe runs, every way a removal shifts entries back),
 * with every seed in turn.
 */
START_TEST(model)
{
	enum { MAX = 64, ADDRS = 96, STEPS = 20000 };
	struct srctab		*t;
	struct sockaddr_storage	 addr[ADDRS];
	unsigned int		 count[ADDRS];
	size_t			 distinct = 0, i;
	char			 s[64];
	int			 step, k;

	for (i = 0; i < ADDRS; i++) {
		if (i % 2)
			snprintf(s, sizeof(s), "2001:db8::%zx", i);
		else
			snprintf(s, sizeof(s), "10.%zu.0.1", i);
		addr[i] = ip(s, (unsigned int)i);
	}
	t = srctab_new(MAX, (uint64_t)_i);
	ck_assert_ptr_nonnull(t);
	memset(count, 0, sizeof(count));
	srandom((unsigned int)_i + 1);
	for (step = 0; step < STEPS; step++) {
		k = (int)(random() % ADDRS);
		if (random() % 2) {
			if (count[k] == 0 && distinct == MAX) {
				ck_assert_uint_eq(srctab_add(t, SA(addr[k])),
				    0);
				continue;
			}
			if (count[k]++ == 0)
				distinct++;
			ck_assert_uint_eq(srctab_add(t, SA(addr[k])),
			    count[k]);
		} else {
			srctab_del(t, SA(addr[k]));
			if (count[k] > 0 && --count[k] == 0)
				distinct--;
		}
		ck_assert_uint_eq(srctab_size(t), distinct);
		if (step % 97 == 0)
			for (i = 0; i < ADDRS; i++)
				ck_assert_uint_eq(srctab_count(t,
				    SA(addr[i])), count[i]);
	}
	srctab_free(t);
}
END_TEST

static Suite *
srctab_suite(void)
{
	Suite	*s = suite_create("srctab");
	TCase	*tc;

	tc = tcase_create("basics");
	tcase_add_test(tc, count_add_del);
	tcase_add_test(tc, keys);
	tcase_add_test(tc, prefixes);
	tcase_add_test(tc, credentials);
	tcase_add_test(tc, full);
	suite_add_tcase(s, tc);

	tc = tcase_create("model");
	tcase_add_loop_test(tc, model, 0, 8);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(srctab_suite)
