/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "rules.h"
#include "check_main.h"

static const struct sockaddr *sa(const char *);
static void	add(struct ruleset *, const char *, uint64_t);
static void	add_bad(const char *, const char *);
static uint64_t	order_of(const struct ruleset *, const char *, const char *);
static struct ruleset *parse(const char *);
static void	parse_bad(const char *, const char *);
static const char *env_of(const struct rule *, const char *);
static int	in_child(const void *);
static Suite	*rules_suite(void);

/*
 * A client address, in one of a few static buffers so that a test can
 * hold several; "::ffff:1.2.3.4" stays an IPv6 socket address.
 */
static const struct sockaddr *
sa(const char *s)
{
	static struct sockaddr_storage	 ss[4];
	static int			 next;
	struct sockaddr_storage		*p = &ss[next++ % 4];
	struct sockaddr_in		*sin = (struct sockaddr_in *)p;
	struct sockaddr_in6		*sin6 = (struct sockaddr_in6 *)p;

	memset(p, 0, sizeof(*p));
	if (strchr(s, ':') != NULL) {
		sin6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, s, &sin6->sin6_addr), 1);
	} else {
		sin->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, s, &sin->sin_addr), 1);
	}
	return (const struct sockaddr *)p;
}

/* A rule for pattern, told apart by its order. */
static void
add(struct ruleset *rs, const char *pattern, uint64_t order)
{
	struct rule	 r;
	const char	*errstr = NULL;

	memset(&r, 0, sizeof(r));
	r.action = order % 2 ? RULE_ALLOW : RULE_DENY;
	r.order = order;
	ck_assert_msg(ruleset_add(rs, pattern, &r, &errstr) == 0,
	    "%s: %s", pattern, errstr);
}

static void
add_bad(const char *pattern, const char *want)
{
	struct ruleset	*rs;
	struct rule	 r;
	const char	*errstr = NULL;

	ck_assert_ptr_nonnull(rs = ruleset_new());
	memset(&r, 0, sizeof(r));
	ck_assert_msg(ruleset_add(rs, pattern, &r, &errstr) == -1,
	    "%s taken", pattern);
	ck_assert_ptr_nonnull(errstr);
	ck_assert_msg(strcmp(errstr, want) == 0, "%s: %s, not %s", pattern,
	    errstr, want);
	ck_assert_uint_eq(ruleset_count(rs), 0);
	ck_assert_ptr_null(ruleset_match_name(rs, sa("1.2.3.4"), "x"));
	ruleset_free(rs);
}

/* The order of the rule for a client and name; 0 for none. */
static uint64_t
order_of(const struct ruleset *rs, const char *addr, const char *name)
{
	const struct rule	*r;

	r = ruleset_match_name(rs, sa(addr), name);
	return r != NULL ? r->order : 0;
}

static struct ruleset *
parse(const char *text)
{
	struct ruleset	*rs;
	char		 err[256];

	ck_assert_ptr_nonnull(rs = ruleset_new());
	ck_assert_msg(rules_parse(rs, text, strlen(text), "tcp.test", 0, err,
	    sizeof(err)) == 0, "%s", err);
	return rs;
}

static void
parse_bad(const char *text, const char *want)
{
	struct ruleset	*rs;
	char		 err[256];

	ck_assert_ptr_nonnull(rs = ruleset_new());
	ck_assert_msg(rules_parse(rs, text, strlen(text), "tcp.test", 0, err,
	    sizeof(err)) == -1, "taken: %s", text);
	ck_assert_msg(strcmp(err, want) == 0, "%s: \"%s\", not \"%s\"", text,
	    err, want);
	ruleset_free(rs);
}

/* The value of the rule's variable name; NULL when it has none. */
static const char *
env_of(const struct rule *r, const char *name)
{
	size_t	i, len = strlen(name);

	for (i = 0; i < r->nenv; i++)
		if (strncmp(r->env[i], name, len) == 0 &&
		    r->env[i][len] == '=')
			return r->env[i] + len + 1;
	return NULL;
}

/* Whether a forked child has the page of p: its exit status, 0 if not. */
static int
in_child(const void *p)
{
	unsigned char	vec[1];
	uintptr_t	page = (uintptr_t)p & ~(uintptr_t)(getpagesize() - 1);
	pid_t		pid;
	int		status;

	ck_assert_int_eq(mincore((void *)page, 1, vec), 0);
	if ((pid = fork()) == 0)
		_exit(mincore((void *)page, 1, vec) == 0 ? 1 :
		    errno == ENOMEM ? 0 : 2);
	ck_assert_int_ne(pid, -1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

START_TEST(exact_ipv4)
{
	struct ruleset	*rs = ruleset_new();

	ck_assert_ptr_nonnull(rs);
	add(rs, "192.0.2.1", 1);
	add(rs, "0.0.0.0", 3);
	add(rs, "255.255.255.255", 5);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", NULL), 1);
	ck_assert_uint_eq(order_of(rs, "0.0.0.0", NULL), 3);
	ck_assert_uint_eq(order_of(rs, "255.255.255.255", NULL), 5);
	ck_assert_uint_eq(order_of(rs, "192.0.2.2", NULL), 0);
	ck_assert_uint_eq(order_of(rs, "192.0.2.0", NULL), 0);
	ck_assert_uint_eq(order_of(rs, "::1", NULL), 0);
	ck_assert_uint_eq(ruleset_count(rs), 3);
	ck_assert_uint_eq(ruleset_names(rs), 0);
	ruleset_free(rs);
}
END_TEST

START_TEST(octet_prefixes)
{
	struct ruleset	*rs = ruleset_new();

	ck_assert_ptr_nonnull(rs);
	add(rs, "10.", 1);
	add(rs, "10.1.", 3);
	add(rs, "10.1.2.", 5);
	add(rs, "0.", 7);
	ck_assert_uint_eq(order_of(rs, "10.1.2.3", NULL), 5);
	ck_assert_uint_eq(order_of(rs, "10.1.2.255", NULL), 5);
	ck_assert_uint_eq(order_of(rs, "10.1.3.3", NULL), 3);
	ck_assert_uint_eq(order_of(rs, "10.2.2.3", NULL), 1);
	ck_assert_uint_eq(order_of(rs, "10.255.255.255", NULL), 1);
	ck_assert_uint_eq(order_of(rs, "0.9.9.9", NULL), 7);
	ck_assert_uint_eq(order_of(rs, "11.1.2.3", NULL), 0);
	/* 10.1. is not 101.: octets, not characters. */
	ck_assert_uint_eq(order_of(rs, "101.2.3.4", NULL), 0);
	ruleset_free(rs);
}
END_TEST

START_TEST(cidr_prefixes)
{
	struct ruleset	*rs = ruleset_new();

	ck_assert_ptr_nonnull(rs);
	add(rs, "10.0.0.0/8", 1);
	add(rs, "10.128.0.0/9", 3);
	add(rs, "172.16.0.0/12", 5);
	add(rs, "0.0.0.0/0", 7);
	add(rs, "2001:db8::/32", 9);
	add(rs, "2001:db8:1::/48", 11);
	add(rs, "::/0", 13);
	/* Host bits are cleared, as cidr_parse does. */
	add(rs, "192.0.2.77/25", 15);
	ck_assert_uint_eq(order_of(rs, "10.1.2.3", NULL), 1);
	ck_assert_uint_eq(order_of(rs, "10.127.255.255", NULL), 1);
	ck_assert_uint_eq(order_of(rs, "10.128.0.0", NULL), 3);
	ck_assert_uint_eq(order_of(rs, "172.31.255.255", NULL), 5);
	ck_assert_uint_eq(order_of(rs, "172.32.0.0", NULL), 7);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", NULL), 15);
	ck_assert_uint_eq(order_of(rs, "192.0.2.128", NULL), 7);
	ck_assert_uint_eq(order_of(rs, "2001:db8::1", NULL), 9);
	ck_assert_uint_eq(order_of(rs, "2001:db8:1:ffff::1", NULL), 11);
	ck_assert_uint_eq(order_of(rs, "2001:db9::1", NULL), 13);
	ruleset_free(rs);
}
END_TEST

START_TEST(ranges)
{
	struct ruleset	*rs = ruleset_new();
	char		 a[32];
	int		 i;

	ck_assert_ptr_nonnull(rs);
	add(rs, "192.0.2.4-20", 1);
	add(rs, "192.0.2.30-30", 3);
	add(rs, "198.51.100.0-255", 5);
	for (i = 0; i < 256; i++) {
		snprintf(a, sizeof(a), "192.0.2.%d", i);
		ck_assert_uint_eq(order_of(rs, a, NULL),
		    i >= 4 && i <= 20 ? 1 : i == 30 ? 3 : 0);
		snprintf(a, sizeof(a), "198.51.100.%d", i);
		ck_assert_uint_eq(order_of(rs, a, NULL), 5);
	}
	/* One pattern each, however many addresses. */
	ck_assert_uint_eq(ruleset_count(rs), 3);
	ruleset_free(rs);
}
END_TEST

START_TEST(bad_patterns)
{
	add_bad("1.2.3.4-3", "range ends before it starts");
	add_bad("1.2.3.4-256", "bad range");
	add_bad("1.2.3.4-", "bad range");
	add_bad("1.2.3.4-5x", "bad range");
	add_bad("1.2.3.4-05", "bad range");
	add_bad("1.2.3-5.", "bad address");
	add_bad("1.2.3.4x-5", "bad address");
	add_bad("1.2.3.-5", "bad address");
	add_bad("1.2.3.4.", "bad address");
	add_bad("1..", "bad address");
	add_bad(".", "bad address");
	add_bad("256.", "bad address");
	add_bad("01.2.", "bad address");
	add_bad("1.2.3", "bad address");
	add_bad("1.2.3.256", "bad address");
	add_bad(" 1.2.3.4", "bad address");
	add_bad("1.2.3.4 ", "bad address");
	add_bad("10.0.0.0/33", "bad prefix length");
	add_bad("10.0.0.0/", "missing prefix length");
	add_bad("::1/129", "bad prefix length");
	add_bad("::1::1", "bad address");
	add_bad("fe80::1%eth0", "bad address");
	add_bad("host.example", "bad address");
	add_bad("=", "empty name");
	add_bad("=.", "empty domain");
}
END_TEST

START_TEST(ipv6)
{
	struct ruleset	*rs = ruleset_new();

	ck_assert_ptr_nonnull(rs);
	add(rs, "::1", 1);
	add(rs, "2001:DB8::42", 3);
	add(rs, "2001:db8::/64", 5);
	add(rs, "2001:db8::43/128", 7);
	ck_assert_uint_eq(order_of(rs, "::1", NULL), 1);
	ck_assert_uint_eq(order_of(rs, "2001:db8::42", NULL), 3);
	ck_assert_uint_eq(order_of(rs, "2001:db8::43", NULL), 7);
	ck_assert_uint_eq(order_of(rs, "2001:db8::44", NULL), 5);
	ck_assert_uint_eq(order_of(rs, "2001:db8:0:1::42", NULL), 0);
	/* The families stay apart: ::1 is not 0.0.0.1. */
	ck_assert_uint_eq(order_of(rs, "0.0.0.1", NULL), 0);
	ruleset_free(rs);
}
END_TEST

START_TEST(names)
{
	struct ruleset	*rs = ruleset_new();

	ck_assert_ptr_nonnull(rs);
	add(rs, "=Mail.Example.COM", 1);
	add(rs, "=.example.com", 3);
	add(rs, "=.sub.example.com", 5);
	add(rs, "=.org", 7);
	ck_assert_uint_eq(ruleset_count(rs), 4);
	ck_assert_uint_eq(ruleset_names(rs), 4);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "mail.example.com"), 1);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "MAIL.EXAMPLE.com"), 1);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "www.example.com"), 3);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "a.b.Example.Com"), 3);
	/* The longest domain first. */
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "a.sub.example.com"), 5);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "a.b.sub.example.com"), 5);
	/* A domain is a suffix after a dot, not the name itself. */
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "example.com"), 0);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "sub.example.com"), 3);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "xexample.com"), 0);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "mail.example.com.x"), 0);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "example.org"), 7);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "org"), 0);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", ""), 0);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", NULL), 0);
	/* A name is no domain of its own. */
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", "x.mail.example.com"), 3);
	ruleset_free(rs);
}
END_TEST

/*
 * A unix-domain client: its uid's rule, else its gid's, else the empty
 * pattern's; address rules never.  Ids count as no names.
 */
START_TEST(credentials)
{
	struct ruleset		*rs = ruleset_new();
	struct sockaddr_storage	 me, other, third;
	const struct rule	*r;
	const char		*errstr;
	int			 need = 1;

	ck_assert_ptr_nonnull(rs);
	add(rs, "gid:100", 1);
	add(rs, "uid:1000", 2);
	add(rs, "0.0.0.0/0", 3);
	add(rs, "", 4);
	ck_assert_uint_eq(ruleset_names(rs), 0);
	addr_set_cred(&me, 1000, 100, 1);
	addr_set_cred(&other, 1001, 100, 2);
	addr_set_cred(&third, 1002, 101, 3);
	r = ruleset_match(rs, (struct sockaddr *)&me, &need);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->order, 2);
	ck_assert_int_eq(need, 0);
	r = ruleset_match_name(rs, (struct sockaddr *)&other, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->order, 1);
	r = ruleset_match(rs, (struct sockaddr *)&third, NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->order, 4);
	ck_assert_int_eq(ruleset_add(rs, "uid:www", &(struct rule){ 0 },
	    &errstr), -1);
	ck_assert_str_eq(errstr, "a uid or gid is a number");
	ruleset_free(rs);
}
END_TEST

START_TEST(empty_matches_everyone)
{
	struct ruleset		*rs = ruleset_new();
	struct sockaddr_un	 sun;
	const struct rule	*r;
	int			 need = -1;

	ck_assert_ptr_nonnull(rs);
	ck_assert_ptr_null(ruleset_match(rs, sa("192.0.2.1"), &need));
	ck_assert_int_eq(need, 0);
	add(rs, "", 9);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", NULL), 9);
	ck_assert_uint_eq(order_of(rs, "2001:db8::1", "x.example"), 9);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	r = ruleset_match(rs, (const struct sockaddr *)&sun, &need);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->order, 9);
	ck_assert_int_eq(need, 0);
	ruleset_free(rs);
}
END_TEST

/* Added from the least specific on, so that adding order cannot decide. */
START_TEST(most_specific_wins)
{
	struct ruleset	*rs = ruleset_new();

	ck_assert_ptr_nonnull(rs);
	add(rs, "", 1);
	add(rs, "10.", 2);
	add(rs, "10.0.0.0/16", 3);
	add(rs, "10.0.0.", 4);
	add(rs, "=.example", 5);
	add(rs, "=.b.example", 6);
	add(rs, "=a.b.example", 7);
	add(rs, "10.0.0.1", 8);
	add(rs, "10.0.0.2/32", 9);
	add(rs, "10.0.0.3-5", 10);
	ck_assert_uint_eq(order_of(rs, "10.0.0.1", "a.b.example"), 8);
	ck_assert_uint_eq(order_of(rs, "10.0.0.2", "a.b.example"), 9);
	ck_assert_uint_eq(order_of(rs, "10.0.0.4", "a.b.example"), 10);
	ck_assert_uint_eq(order_of(rs, "10.0.0.9", "a.b.example"), 7);
	ck_assert_uint_eq(order_of(rs, "10.0.0.9", "c.b.example"), 6);
	ck_assert_uint_eq(order_of(rs, "10.0.0.9", "c.example"), 5);
	ck_assert_uint_eq(order_of(rs, "10.0.0.9", "other"), 4);
	ck_assert_uint_eq(order_of(rs, "10.0.1.9", "other"), 3);
	ck_assert_uint_eq(order_of(rs, "10.1.1.9", "other"), 2);
	ck_assert_uint_eq(order_of(rs, "11.1.1.9", "other"), 1);
	ck_assert_uint_eq(order_of(rs, "11.1.1.9", "a.b.example"), 7);
	ck_assert_uint_eq(order_of(rs, "::1", "c.example"), 5);
	ck_assert_uint_eq(order_of(rs, "::1", NULL), 1);
	ruleset_free(rs);
}
END_TEST

START_TEST(first_written_wins)
{
	struct ruleset		*rs = ruleset_new();
	const struct rule	*r;

	ck_assert_ptr_nonnull(rs);
	/* A later duplicate never replaces an earlier one. */
	add(rs, "192.0.2.1", 10);
	add(rs, "192.0.2.1", 11);
	add(rs, "192.0.2.1/32", 12);
	add(rs, "192.0.2.0-9", 13);
	add(rs, "10.1.", 20);
	add(rs, "10.1.0.0/16", 21);
	add(rs, "=host", 30);
	add(rs, "=HOST", 31);
	add(rs, "=.dom", 40);
	add(rs, "=.DOM", 41);
	add(rs, "", 50);
	add(rs, "", 51);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", NULL), 10);
	ck_assert_uint_eq(order_of(rs, "192.0.2.2", NULL), 13);
	ck_assert_uint_eq(order_of(rs, "10.1.2.3", NULL), 20);
	ck_assert_uint_eq(order_of(rs, "11.1.2.3", "host"), 30);
	ck_assert_uint_eq(order_of(rs, "11.1.2.3", "x.dom"), 40);
	ck_assert_uint_eq(order_of(rs, "11.1.2.3", NULL), 50);
	ck_assert_uint_eq(ruleset_count(rs), 12);
	ck_assert_uint_eq(ruleset_names(rs), 4);

	/* Written first, though added last (a rules file's place). */
	add(rs, "192.0.2.1", 5);
	add(rs, "192.0.2.5-6", 6);
	add(rs, "10.1.0.0/16", 7);
	add(rs, "=Host", 8);
	add(rs, "=.Dom", 9);
	add(rs, "", 1);
	ck_assert_uint_eq(order_of(rs, "192.0.2.1", NULL), 5);
	ck_assert_uint_eq(order_of(rs, "192.0.2.5", NULL), 6);
	ck_assert_uint_eq(order_of(rs, "192.0.2.7", NULL), 13);
	ck_assert_uint_eq(order_of(rs, "10.1.2.3", NULL), 7);
	ck_assert_uint_eq(order_of(rs, "11.1.2.3", "host"), 8);
	ck_assert_uint_eq(order_of(rs, "11.1.2.3", "x.dom"), 9);
	ck_assert_uint_eq(order_of(rs, "11.1.2.3", NULL), 1);
	r = ruleset_match_name(rs, sa("11.1.2.3"), NULL);
	ck_assert_int_eq(r->action, RULE_ALLOW);
	ruleset_free(rs);
}
END_TEST

START_TEST(ipv4_mapped)
{
	struct ruleset	*rs = ruleset_new();

	ck_assert_ptr_nonnull(rs);
	add(rs, "192.0.2.1", 1);
	add(rs, "192.0.2.", 3);
	add(rs, "198.51.100.0/24", 5);
	add(rs, "::/0", 7);
	/* A rule written in the mapped form is an IPv4 one. */
	add(rs, "::ffff:203.0.113.9", 9);
	add(rs, "::ffff:203.0.114.0/120", 11);
	ck_assert_uint_eq(order_of(rs, "::ffff:192.0.2.1", NULL), 1);
	ck_assert_uint_eq(order_of(rs, "::ffff:192.0.2.2", NULL), 3);
	ck_assert_uint_eq(order_of(rs, "::ffff:198.51.100.7", NULL), 5);
	ck_assert_uint_eq(order_of(rs, "::ffff:203.0.113.9", NULL), 9);
	ck_assert_uint_eq(order_of(rs, "203.0.113.9", NULL), 9);
	ck_assert_uint_eq(order_of(rs, "203.0.114.200", NULL), 11);
	/* Matched as IPv4 only: no IPv6 prefix holds it. */
	ck_assert_uint_eq(order_of(rs, "::ffff:10.0.0.1", NULL), 0);
	ck_assert_uint_eq(order_of(rs, "2001:db8::1", NULL), 7);
	/* IPv4-compatible or NAT64 forms are plain IPv6. */
	ck_assert_uint_eq(order_of(rs, "::192.0.2.1", NULL), 7);
	ck_assert_uint_eq(order_of(rs, "64:ff9b::192.0.2.1", NULL), 7);
	ruleset_free(rs);
}
END_TEST

START_TEST(need_name)
{
	struct ruleset		*rs = ruleset_new();
	const struct rule	*r;
	int			 need;

	ck_assert_ptr_nonnull(rs);
	add(rs, "192.0.2.1", 1);
	add(rs, "192.0.2.", 3);
	need = -1;
	r = ruleset_match(rs, sa("192.0.2.2"), &need);
	ck_assert_uint_eq(r->order, 3);
	ck_assert_int_eq(need, 0);

	add(rs, "=.example", 5);
	need = -1;
	r = ruleset_match(rs, sa("192.0.2.1"), &need);
	ck_assert_uint_eq(r->order, 1);
	ck_assert_int_eq(need, 0);
	/* A prefix matched, but a name could still be more specific. */
	need = -1;
	r = ruleset_match(rs, sa("192.0.2.2"), &need);
	ck_assert_uint_eq(r->order, 3);
	ck_assert_int_eq(need, 1);
	ck_assert_uint_eq(order_of(rs, "192.0.2.2", "a.example"), 5);
	ck_assert_uint_eq(order_of(rs, "192.0.2.2", "a.example.net"), 3);
	need = -1;
	ck_assert_ptr_null(ruleset_match(rs, sa("10.0.0.1"), &need));
	ck_assert_int_eq(need, 1);
	ck_assert_uint_eq(order_of(rs, "10.0.0.1", "a.example"), 5);
	ck_assert_ptr_null(ruleset_match(rs, sa("10.0.0.1"), NULL));
	ruleset_free(rs);
}
END_TEST

START_TEST(rule_is_copied)
{
	struct ruleset		*rs = ruleset_new();
	struct rule		 r;
	const struct rule	*m;
	char			 msg[] = "554 no\r\n", banner[] = "220 hi\r\n";
	char			 e0[] = "A=1", e1[] = "B=2", e2[] = "A=3";
	char			 e3[] = "C=", e4[] = "B=4";
	char			*env[] = { e0, e1, e2, e3, e4 };
	const char		*file = "forkd.conf", *errstr;

	ck_assert_ptr_nonnull(rs);
	memset(&r, 0, sizeof(r));
	r.action = RULE_NONE;
	r.max_per_source = 7;
	r.has_max_per_source = 1;
	r.refuse_message = msg;
	r.banner = banner;
	r.env = env;
	r.nenv = 5;
	r.file = file;
	r.line = 12;
	r.order = 99;
	ck_assert_int_eq(ruleset_add(rs, "192.0.2.0/24", &r, &errstr), 0);
	memset(msg, 'x', sizeof(msg) - 1);
	memset(banner, 'x', sizeof(banner) - 1);
	e0[2] = e1[2] = e2[2] = e4[2] = 'x';
	memset(&r, 0, sizeof(r));

	m = ruleset_match_name(rs, sa("192.0.2.9"), NULL);
	ck_assert_ptr_nonnull(m);
	ck_assert_int_eq(m->action, RULE_NONE);
	ck_assert_uint_eq(m->max_per_source, 7);
	ck_assert_int_eq(m->has_max_per_source, 1);
	ck_assert_str_eq(m->refuse_message, "554 no\r\n");
	ck_assert_str_eq(m->banner, "220 hi\r\n");
	ck_assert_ptr_eq(m->file, file);
	ck_assert_int_eq(m->line, 12);
	ck_assert_uint_eq(m->order, 99);
	/* One per name, the last value, where the name first was. */
	ck_assert_uint_eq(m->nenv, 3);
	ck_assert_str_eq(m->env[0], "A=3");
	ck_assert_str_eq(m->env[1], "B=4");
	ck_assert_str_eq(m->env[2], "C=");
	ck_assert_ptr_ne(m->env[0], e2);
	ruleset_free(rs);
}
END_TEST

START_TEST(bad_rules)
{
	struct ruleset	*rs = ruleset_new();
	struct rule	 r;
	char		 e0[] = "=x", e1[] = "NOEQ", e2[] = "A=1";
	char		*env[] = { e2, e0, e1, NULL };
	const char	*errstr;
	size_t		 i;

	ck_assert_ptr_nonnull(rs);
	for (i = 1; i < 4; i++) {
		memset(&r, 0, sizeof(r));
		r.env = env;
		r.nenv = i + 1;
		env[1] = i == 1 ? e0 : i == 2 ? e1 : NULL;
		errstr = NULL;
		ck_assert_int_eq(ruleset_add(rs, "", &r, &errstr), -1);
		ck_assert_str_eq(errstr, "bad environment entry");
	}
	memset(&r, 0, sizeof(r));
	r.action = (enum rule_action)7;
	ck_assert_int_eq(ruleset_add(rs, "", &r, &errstr), -1);
	ck_assert_str_eq(errstr, "bad action");
	ck_assert_int_eq(ruleset_add(rs, "", &r, NULL), -1);
	ck_assert_uint_eq(ruleset_count(rs), 0);
	ck_assert_ptr_null(ruleset_match_name(rs, sa("10.0.0.1"), "x"));
	ruleset_free(rs);
	ruleset_free(NULL);
}
END_TEST

START_TEST(parse_lines)
{
	static const char	 text[] =
	    "# tcp.smtp\n"
	    "127.0.0.1:allow,RELAYCLIENT=\"\"\n"
	    "\n"
	    "   \t \n"
	    "10.1.2.:allow,RELAYCLIENT=\"\",RBLSMTPD=\"\"\r\n"
	    "10.:deny\n"
	    "=mx.example.net:allow\n"
	    "=.example.net:deny\n"
	    "192.0.2.4-8:allow\n"
	    "2001:db8::1:deny\n"
	    "::1:allow\n"
	    "2001:db8::/32:allow\n"
	    "fe80::abcd:deny\n"
	    "#:deny\n"
	    ":allow,RBLSMTPD=\"-no\"  \t";
	struct ruleset		*rs;
	const struct rule	*r;
	char			 err[128];

	ck_assert_ptr_nonnull(rs = ruleset_new());
	ck_assert_int_eq(rules_parse(rs, text, sizeof(text) - 1, "tcp.smtp",
	    1000, err, sizeof(err)), 0);
	ck_assert_uint_eq(ruleset_count(rs), 11);
	ck_assert_uint_eq(ruleset_names(rs), 2);

	r = ruleset_match_name(rs, sa("127.0.0.1"), NULL);
	ck_assert_int_eq(r->action, RULE_ALLOW);
	ck_assert_str_eq(r->file, "tcp.smtp");
	ck_assert_int_eq(r->line, 2);
	ck_assert_uint_eq(r->order, 1002);
	ck_assert_uint_eq(r->nenv, 1);
	ck_assert_str_eq(r->env[0], "RELAYCLIENT=");
	ck_assert_ptr_null(r->refuse_message);
	ck_assert_ptr_null(r->banner);

	r = ruleset_match_name(rs, sa("10.1.2.3"), "mx.example.net");
	ck_assert_int_eq(r->line, 7);
	r = ruleset_match(rs, sa("10.1.2.3"), NULL);
	ck_assert_int_eq(r->line, 5);
	ck_assert_uint_eq(r->nenv, 2);
	ck_assert_str_eq(r->env[0], "RELAYCLIENT=");
	ck_assert_str_eq(r->env[1], "RBLSMTPD=");
	ck_assert_int_eq(ruleset_match(rs, sa("10.9.9.9"), NULL)->line, 6);
	ck_assert_int_eq(ruleset_match_name(rs, sa("10.9.9.9"),
	    "a.example.net")->line, 8);
	ck_assert_int_eq(ruleset_match(rs, sa("192.0.2.8"), NULL)->line, 9);
	ck_assert_int_eq(ruleset_match(rs, sa("192.0.2.9"), NULL)->line, 15);
	ck_assert_int_eq(ruleset_match(rs, sa("2001:db8::1"), NULL)->line, 10);
	ck_assert_int_eq(ruleset_match(rs, sa("2001:db8::1"), NULL)->action,
	    RULE_DENY);
	ck_assert_int_eq(ruleset_match(rs, sa("::1"), NULL)->line, 11);
	ck_assert_int_eq(ruleset_match(rs, sa("2001:db8::2"), NULL)->line, 12);
	ck_assert_int_eq(ruleset_match(rs, sa("fe80::abcd"), NULL)->line, 13);
	r = ruleset_match(rs, sa("203.0.113.1"), NULL);
	ck_assert_int_eq(r->line, 15);
	ck_assert_str_eq(env_of(r, "RBLSMTPD"), "-no");
	ruleset_free(rs);
}
END_TEST

START_TEST(parse_quoting)
{
	struct ruleset		*rs;
	const struct rule	*r;

	rs = parse(":allow,X=\"a b\",Y='a\"b',Z=/x/,W=,a,,V=xx,U=\"\"\n");
	r = ruleset_match(rs, sa("192.0.2.1"), NULL);
	ck_assert_uint_eq(r->nenv, 6);
	ck_assert_str_eq(r->env[0], "X=a b");
	ck_assert_str_eq(env_of(r, "Y"), "a\"b");
	ck_assert_str_eq(env_of(r, "Z"), "x");
	ck_assert_str_eq(env_of(r, "W"), "a");
	ck_assert_str_eq(env_of(r, "V"), "");
	ck_assert_str_eq(r->env[5], "U=");
	ruleset_free(rs);

	/* Any character quotes: a blank, '=', ':', '#', a letter. */
	rs = parse("1.2.3.4:deny,A= x ,B==:=,C=:#:,D=#a#,E=qabcq\n");
	r = ruleset_match(rs, sa("1.2.3.4"), NULL);
	ck_assert_int_eq(r->action, RULE_DENY);
	ck_assert_uint_eq(r->nenv, 5);
	ck_assert_str_eq(env_of(r, "A"), "x");
	ck_assert_str_eq(r->env[0], "A=x");
	ck_assert_str_eq(env_of(r, "B"), ":");
	ck_assert_str_eq(env_of(r, "C"), "#");
	ck_assert_str_eq(env_of(r, "D"), "a");
	ck_assert_str_eq(env_of(r, "E"), "abc");
	ruleset_free(rs);

	/* The same name again in a line: its value replaces the first. */
	rs = parse("1.2.3.4:allow,A=\"1\",B=\"2\",A=\"3\",C=\"\",A='4'\n");
	r = ruleset_match(rs, sa("1.2.3.4"), NULL);
	ck_assert_uint_eq(r->nenv, 3);
	ck_assert_str_eq(r->env[0], "A=4");
	ck_assert_str_eq(r->env[1], "B=2");
	ck_assert_str_eq(r->env[2], "C=");
	ruleset_free(rs);

	/* Values keep what is in them, CR and all; names are exact. */
	rs = parse("1.2.3.4:allow,a=\"x\r\",A=\"\ty\t\"\r\n");
	r = ruleset_match(rs, sa("1.2.3.4"), NULL);
	ck_assert_uint_eq(r->nenv, 2);
	ck_assert_str_eq(env_of(r, "a"), "x\r");
	ck_assert_str_eq(env_of(r, "A"), "\ty\t");
	ruleset_free(rs);
}
END_TEST

START_TEST(parse_blank_comments_crlf)
{
	static const char	 blank[] = "\n\r\n \t\r\n#x\n# a:b\r\n\n";
	struct ruleset		*rs;
	char			 err[64] = "junk";

	ck_assert_ptr_nonnull(rs = ruleset_new());
	ck_assert_int_eq(rules_parse(rs, "", 0, "x", 0, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
	ck_assert_int_eq(rules_parse(rs, NULL, 0, "x", 0, err, sizeof(err)),
	    0);
	ck_assert_int_eq(rules_parse(rs, blank, strlen(blank), "x", 0, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(ruleset_count(rs), 0);
	/* No newline at the end, then one CR only. */
	ck_assert_int_eq(rules_parse(rs, "1.2.3.4:allow", 13, "x", 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(rules_parse(rs, "1.2.3.5:deny\r", 13, "x", 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(ruleset_match(rs, sa("1.2.3.5"), NULL)->action,
	    RULE_DENY);
	ck_assert_uint_eq(ruleset_count(rs), 2);
	ruleset_free(rs);
	parse_bad("1.2.3.4:deny\r\r\n", "tcp.test:1: "
	    "allow or deny expected after ':'");
	parse_bad("\n  #x:allow\n", "tcp.test:2: bad address");
}
END_TEST

START_TEST(parse_errors)
{
	parse_bad("1.2.3.4\n", "tcp.test:1: missing ':' after the address");
	parse_bad("#\n\n1.2.3.4:\n", "tcp.test:3: "
	    "allow or deny expected after ':'");
	parse_bad("1.2.3.4:Allow\n", "tcp.test:1: "
	    "allow or deny expected after ':'");
	parse_bad("1.2.3.4:allowed\n", "tcp.test:1: "
	    "allow or deny expected after ':'");
	parse_bad("::1:add\n", "tcp.test:1: allow or deny expected after ':'");
	parse_bad("1.2.3.4:allow,X=\"a\n", "tcp.test:1: unterminated value");
	parse_bad("x:allow\n1.2.3.4:allow,X=\"a\"\"\n",
	    "tcp.test:1: bad address");
	parse_bad("1.2.3.4:allow\n1.2.3.4:allow,X=\"a\",Y='b\n",
	    "tcp.test:2: unterminated value");
	parse_bad("1.2.3.4:allow,X=\n", "tcp.test:1: missing value after '='");
	parse_bad("1.2.3.4:allow,X\n", "tcp.test:1: "
	    "missing '=' after a variable's name");
	parse_bad("1.2.3.4:allow,X,Y=\"\"\n", "tcp.test:1: "
	    "missing '=' after a variable's name");
	parse_bad("1.2.3.4:allow,=\"a\"\n", "tcp.test:1: empty variable name");
	parse_bad("1.2.3.4:allow,\n", "tcp.test:1: "
	    "missing '=' after a variable's name");
	parse_bad("1.2.3.4:allow, X=\"\"\n", "tcp.test:1: "
	    "blank in a variable's name");
	parse_bad("1.2.3.4:allow,X=\"\"Y\n", "tcp.test:1: "
	    "',' or the end of the line expected");
	parse_bad("1.2.3.4:allow X\n", "tcp.test:1: "
	    "',' or the end of the line expected");
	parse_bad("1.2.3.4:allow,X=\"\" ,Y=\"\"\n", "tcp.test:1: "
	    "',' or the end of the line expected");
	parse_bad("1.2.3.4 :allow\n", "tcp.test:1: bad address");
	parse_bad("1.2.3.999:allow\n", "tcp.test:1: bad address");
	parse_bad("1.2.3.9-1:allow\n", "tcp.test:1: "
	    "range ends before it starts");
	parse_bad("1.2.3.9-256:allow\n", "tcp.test:1: bad range");
	parse_bad("=:allow\n", "tcp.test:1: empty name");
	parse_bad("10.0.0.0/99:deny\n", "tcp.test:1: bad prefix length");
}
END_TEST

START_TEST(parse_nul)
{
	static const char	 text[] = "\n\n\n\n1.2.3.4:allow,X=\"a\0b\"\n";
	struct ruleset		*rs;
	char			 err[64];

	ck_assert_ptr_nonnull(rs = ruleset_new());
	ck_assert_int_eq(rules_parse(rs, text, sizeof(text) - 1, "t", 0, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t:5: NUL byte");
	ck_assert_int_eq(rules_parse(rs, "1.2.3.4:allow\n\0", 15, "t", 0, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t:2: NUL byte");
	ck_assert_uint_eq(ruleset_count(rs), 1);
	ruleset_free(rs);
}
END_TEST

/* What a line before the error added stays; the message fits err. */
START_TEST(parse_error_keeps_before)
{
	static const char	 text[] =
	    "1.2.3.4:allow\n"
	    "=name:deny\n"
	    "bad\n"
	    "1.2.3.5:allow\n";
	struct ruleset		*rs;
	char			 err[16];

	ck_assert_ptr_nonnull(rs = ruleset_new());
	memset(err, 'x', sizeof(err));
	ck_assert_int_eq(rules_parse(rs, text, sizeof(text) - 1,
	    "/etc/tcp.smtp", 0, err, 12), -1);
	ck_assert_str_eq(err, "/etc/tcp.sm");
	ck_assert_int_eq(err[12], 'x');
	ck_assert_uint_eq(ruleset_count(rs), 2);
	ck_assert_uint_eq(ruleset_names(rs), 1);
	ck_assert_int_eq(ruleset_match(rs, sa("1.2.3.4"), NULL)->line, 1);
	ck_assert_ptr_null(ruleset_match(rs, sa("1.2.3.5"), NULL));
	ck_assert_int_eq(rules_parse(rs, text, sizeof(text) - 1,
	    "/etc/tcp.smtp", 0, NULL, 0), -1);
	ck_assert_int_eq(rules_parse(rs, text, sizeof(text) - 1,
	    "/etc/tcp.smtp", 0, err, 0), -1);
	ck_assert_int_eq(err[12], 'x');
	ruleset_free(rs);
}
END_TEST

/*
 * A hundred thousand rules, each of its own: exact addresses, /24s,
 * /16s, IPv6 ones and names, and each answers for its own clients.
 */
START_TEST(hundred_thousand)
{
	struct ruleset		*rs;
	const struct rule	*r;
	char			*text, *p, a[64], n[64];
	size_t			 size = 100000 * 64;
	int			 i, line;

	ck_assert_ptr_nonnull(text = malloc(size));
	p = text;
	for (i = 0; i < 100000; i++) {
		switch (i % 5) {
		case 0:
			p += sprintf(p, "10.%d.%d.%d:allow,N=\"%d\"\n",
			    i / 65536, i / 256 % 256, i % 256, i);
			break;
		case 1:
			p += sprintf(p, "172.%d.%d.:deny,N=\"%d\"\n",
			    i / 256 % 256, i % 256, i);
			break;
		case 2:
			p += sprintf(p, "2001:%x:%x::/48:allow,N=\"%d\"\n",
			    i / 65536, i % 65536, i);
			break;
		case 3:
			p += sprintf(p, "=h%d.example:allow,N=\"%d\"\n", i, i);
			break;
		case 4:
			p += sprintf(p, "2001:db8:ffff::%x:%x:deny,N=\"%d\"\n",
			    i / 65536, i % 65536, i);
			break;
		}
	}
	rs = parse(text);
	free(text);
	ck_assert_uint_eq(ruleset_count(rs), 100000);
	ck_assert_uint_eq(ruleset_names(rs), 20000);

	for (i = 0; i < 100000; i += 97) {
		line = i + 1;
		switch (i % 5) {
		case 0:
			snprintf(a, sizeof(a), "::ffff:10.%d.%d.%d",
			    i / 65536, i / 256 % 256, i % 256);
			break;
		case 1:
			snprintf(a, sizeof(a), "172.%d.%d.%d",
			    i / 256 % 256, i % 256, 255 - i % 256);
			break;
		case 2:
			snprintf(a, sizeof(a), "2001:%x:%x:%x::1",
			    i / 65536, i % 65536, i % 65536);
			break;
		case 3:
			snprintf(a, sizeof(a), "192.0.2.1");
			break;
		case 4:
			snprintf(a, sizeof(a), "2001:db8:ffff::%x:%x",
			    i / 65536, i % 65536);
			break;
		}
		snprintf(n, sizeof(n), "H%d.Example", i);
		r = ruleset_match_name(rs, sa(a), n);
		ck_assert_ptr_nonnull(r);
		ck_assert_int_eq(r->line, line);
		snprintf(n, sizeof(n), "%d", i);
		ck_assert_str_eq(env_of(r, "N"), n);
	}
	ck_assert_ptr_null(ruleset_match_name(rs, sa("10.2.0.0"), NULL));
	ck_assert_ptr_null(ruleset_match_name(rs, sa("2001:db8:ffff::1:0"),
	    "h100000.example"));
	ruleset_free(rs);
}
END_TEST

/*
 * A ruleset is the master's alone: its records, the strings they hold
 * and the ruleset itself are no part of a forked child's memory
 * (mincore(2) says ENOMEM for an address nothing maps).
 */
START_TEST(kept_out_of_children)
{
	struct ruleset		*rs;
	const struct rule	*r;
	char			 pat[32];
	const char		*errstr;
	struct rule		 tmpl;
	char			 e[] = "BIG=1";
	char			*env[] = { e };
	int			 i;

	ck_assert_ptr_nonnull(rs = ruleset_new());
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.action = RULE_ALLOW;
	tmpl.env = env;
	tmpl.nenv = 1;
	for (i = 0; i < 50000; i++) {
		snprintf(pat, sizeof(pat), "10.%d.%d.%d", i / 65536,
		    i / 256 % 256, i % 256);
		tmpl.order = (uint64_t)i;
		ck_assert_int_eq(ruleset_add(rs, pat, &tmpl, &errstr), 0);
	}
	r = ruleset_match(rs, sa("10.0.190.80"), NULL);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(r->order, 190 * 256 + 80);
	ck_assert_int_eq(in_child(rs), 0);
	ck_assert_int_eq(in_child(r), 0);
	ck_assert_int_eq(in_child(r->env[0]), 0);
	ck_assert_str_eq(r->env[0], "BIG=1");
	ruleset_free(rs);
}
END_TEST

static Suite *
rules_suite(void)
{
	Suite	*s = suite_create("rules");
	TCase	*tc;

	tc = tcase_create("patterns");
	tcase_add_test(tc, exact_ipv4);
	tcase_add_test(tc, octet_prefixes);
	tcase_add_test(tc, cidr_prefixes);
	tcase_add_test(tc, ranges);
	tcase_add_test(tc, bad_patterns);
	tcase_add_test(tc, ipv6);
	tcase_add_test(tc, names);
	tcase_add_test(tc, credentials);
	tcase_add_test(tc, empty_matches_everyone);
	suite_add_tcase(s, tc);

	tc = tcase_create("order");
	tcase_add_test(tc, most_specific_wins);
	tcase_add_test(tc, first_written_wins);
	tcase_add_test(tc, ipv4_mapped);
	tcase_add_test(tc, need_name);
	suite_add_tcase(s, tc);

	tc = tcase_create("records");
	tcase_add_test(tc, rule_is_copied);
	tcase_add_test(tc, bad_rules);
	suite_add_tcase(s, tc);

	tc = tcase_create("parse");
	tcase_add_test(tc, parse_lines);
	tcase_add_test(tc, parse_quoting);
	tcase_add_test(tc, parse_blank_comments_crlf);
	tcase_add_test(tc, parse_errors);
	tcase_add_test(tc, parse_nul);
	tcase_add_test(tc, parse_error_keeps_before);
	suite_add_tcase(s, tc);

	tc = tcase_create("scale");
	tcase_add_test(tc, hundred_thousand);
	tcase_add_test(tc, kept_out_of_children);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

CHECK_MAIN(rules_suite)
