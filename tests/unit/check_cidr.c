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
#include "cidr.h"
#include "check_main.h"

static struct cidr	parse_ok(const char *);
static const char	*parse_err(const char *);
static struct sockaddr_in sin4(const char *);
static struct sockaddr_in6 sin6(const char *);
static int		match4(const char *, const char *);
static int		match6(const char *, const char *);
static int		rules_allow(const char *const *, size_t,
			    const struct sockaddr *);
static Suite		*cidr_suite(void);

static struct cidr
parse_ok(const char *s)
{
	struct cidr	 c;
	const char	*errstr = NULL;

	memset(&c, 0xa5, sizeof(c));
	ck_assert_msg(cidr_parse(s, &c, &errstr) == 0,
	    "\"%s\" refused: %s", s, errstr);
	return c;
}

static const char *
parse_err(const char *s)
{
	struct cidr	 c, before;
	const char	*errstr = NULL;

	memset(&c, 0xa5, sizeof(c));
	before = c;
	ck_assert_msg(cidr_parse(s, &c, &errstr) == -1,
	    "\"%s\" accepted", s);
	ck_assert_msg(errstr != NULL, "\"%s\": no errstr", s);
	/* A failed parse leaves the caller's structure alone. */
	ck_assert(memcmp(&c, &before, sizeof(c)) == 0);
	return errstr;
}

static struct sockaddr_in
sin4(const char *s)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(1234);
	ck_assert_int_eq(inet_pton(AF_INET, s, &sin.sin_addr), 1);
	return sin;
}

static struct sockaddr_in6
sin6(const char *s)
{
	struct sockaddr_in6	sin6;

	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(1234);
	ck_assert_int_eq(inet_pton(AF_INET6, s, &sin6.sin6_addr), 1);
	return sin6;
}

static int
match4(const char *rule, const char *ip)
{
	struct cidr		c = parse_ok(rule);
	struct sockaddr_in	sin = sin4(ip);

	return cidr_match(&c, (struct sockaddr *)&sin);
}

static int
match6(const char *rule, const char *ip)
{
	struct cidr		c = parse_ok(rule);
	struct sockaddr_in6	s6 = sin6(ip);

	return cidr_match(&c, (struct sockaddr *)&s6);
}

START_TEST(parse_v4)
{
	struct cidr	c;
	const uint8_t	want[4] = { 192, 0, 2, 0 };

	c = parse_ok("192.0.2.0/24");
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_uint_eq(c.prefix, 24);
	ck_assert(memcmp(c.addr, want, 4) == 0);

	c = parse_ok("0.0.0.0/0");
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_uint_eq(c.prefix, 0);

	c = parse_ok("10.1.2.3/32");
	ck_assert_uint_eq(c.prefix, 32);
	ck_assert_uint_eq(c.addr[3], 3);
}
END_TEST

START_TEST(parse_v4_bare)
{
	struct cidr	c;
	const uint8_t	want[4] = { 127, 0, 0, 1 };

	c = parse_ok("127.0.0.1");
	ck_assert_int_eq(c.family, AF_INET);
	ck_assert_uint_eq(c.prefix, 32);
	ck_assert(memcmp(c.addr, want, 4) == 0);
}
END_TEST

START_TEST(parse_v6)
{
	struct cidr	c;
	uint8_t		want[16];

	c = parse_ok("2001:db8::/32");
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_uint_eq(c.prefix, 32);
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8::", want), 1);
	ck_assert(memcmp(c.addr, want, 16) == 0);

	c = parse_ok("::/0");
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_uint_eq(c.prefix, 0);

	c = parse_ok("::1/128");
	ck_assert_uint_eq(c.prefix, 128);
	ck_assert_uint_eq(c.addr[15], 1);
}
END_TEST

START_TEST(parse_v6_bare)
{
	struct cidr	c;

	c = parse_ok("::1");
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_uint_eq(c.prefix, 128);
	ck_assert_uint_eq(c.addr[15], 1);

	c = parse_ok("::ffff:192.0.2.1");
	ck_assert_int_eq(c.family, AF_INET6);
	ck_assert_uint_eq(c.prefix, 128);
	ck_assert_uint_eq(c.addr[10], 0xff);
	ck_assert_uint_eq(c.addr[15], 1);
}
END_TEST

START_TEST(parse_hostbits_v4)
{
	struct cidr	c;
	const uint8_t	want24[4] = { 192, 0, 2, 0 };
	const uint8_t	want13[4] = { 10, 248, 0, 0 };
	const uint8_t	zero[4] = { 0, 0, 0, 0 };

	c = parse_ok("192.0.2.77/24");
	ck_assert(memcmp(c.addr, want24, 4) == 0);
	/* A prefix that ends inside a byte keeps only its high bits. */
	c = parse_ok("10.255.255.255/13");
	ck_assert(memcmp(c.addr, want13, 4) == 0);
	c = parse_ok("255.255.255.255/0");
	ck_assert(memcmp(c.addr, zero, 4) == 0);
	/* Bytes past an IPv4 address stay zero. */
	ck_assert(c.addr[4] == 0 && c.addr[15] == 0);
}
END_TEST

START_TEST(parse_hostbits_v6)
{
	struct cidr	c;
	uint8_t		want[16];

	c = parse_ok("2001:db8:ffff:ffff::1/33");
	ck_assert_int_eq(inet_pton(AF_INET6, "2001:db8:8000::", want), 1);
	ck_assert(memcmp(c.addr, want, 16) == 0);

	c = parse_ok("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/127");
	ck_assert_uint_eq(c.addr[15], 0xfe);
	ck_assert_uint_eq(c.addr[14], 0xff);
}
END_TEST

START_TEST(parse_bad_address)
{
	ck_assert_str_eq(parse_err(""), "missing address");
	ck_assert_str_eq(parse_err("/8"), "missing address");
	ck_assert_str_eq(parse_err("1.2.3"), "bad address");
	ck_assert_str_eq(parse_err("1.2.3.4 "), "bad address");
	ck_assert_str_eq(parse_err(" 1.2.3.4"), "bad address");
	ck_assert_str_eq(parse_err("1.2.3.256"), "bad address");
	ck_assert_str_eq(parse_err("01.2.3.4"), "bad address");
	ck_assert_str_eq(parse_err("1.2.3.4.5"), "bad address");
	ck_assert_str_eq(parse_err("[::1]"), "bad address");
	ck_assert_str_eq(parse_err("[::1]/128"), "bad address");
	ck_assert_str_eq(parse_err("::1 "), "bad address");
	ck_assert_str_eq(parse_err("fe80::1%eth0"), "bad address");
	ck_assert_str_eq(parse_err("1:2:3:4:5:6:7:8:9"), "bad address");
	ck_assert_str_eq(parse_err("localhost"), "bad address");
	ck_assert_str_eq(parse_err("1.2.3.4/8/8"), "bad prefix length");
	ck_assert_str_eq(parse_err(
	    "1111:2222:3333:4444:5555:6666:7777:8888:9999/8"), "bad address");
}
END_TEST

START_TEST(parse_bad_prefix)
{
	ck_assert_str_eq(parse_err("1.2.3.4/"), "missing prefix length");
	ck_assert_str_eq(parse_err("::1/"), "missing prefix length");
	ck_assert_str_eq(parse_err("1.2.3.4/33"), "bad prefix length");
	ck_assert_str_eq(parse_err("::1/129"), "bad prefix length");
	ck_assert_str_eq(parse_err("1.2.3.4/08"), "bad prefix length");
	ck_assert_str_eq(parse_err("1.2.3.4/00"), "bad prefix length");
	ck_assert_str_eq(parse_err("1.2.3.4/+8"), "bad prefix length");
	ck_assert_str_eq(parse_err("1.2.3.4/-0"), "bad prefix length");
	ck_assert_str_eq(parse_err("1.2.3.4/ 8"), "bad prefix length");
	ck_assert_str_eq(parse_err("1.2.3.4/8 "), "bad prefix length");
	ck_assert_str_eq(parse_err("1.2.3.4/0x8"), "bad prefix length");
	ck_assert_str_eq(parse_err("1.2.3.4/4294967304"),
	    "bad prefix length");
	ck_assert_str_eq(parse_err("::/99999999999999999999999"),
	    "bad prefix length");
}
END_TEST

START_TEST(parse_null_errstr)
{
	struct cidr	c;

	ck_assert_int_eq(cidr_parse("nonsense", &c, NULL), -1);
}
END_TEST

START_TEST(match_v4)
{
	ck_assert(match4("192.0.2.0/24", "192.0.2.0"));
	ck_assert(match4("192.0.2.0/24", "192.0.2.255"));
	ck_assert(!match4("192.0.2.0/24", "192.0.3.0"));
	ck_assert(!match4("192.0.2.0/24", "192.0.1.255"));
	ck_assert(match4("10.0.0.0/13", "10.7.255.255"));
	ck_assert(!match4("10.0.0.0/13", "10.8.0.0"));
	ck_assert(match4("10.0.0.0/9", "10.127.0.1"));
	ck_assert(!match4("10.0.0.0/9", "10.128.0.1"));
}
END_TEST

START_TEST(match_v4_host)
{
	ck_assert(match4("192.0.2.1/32", "192.0.2.1"));
	ck_assert(!match4("192.0.2.1/32", "192.0.2.0"));
	ck_assert(match4("192.0.2.1", "192.0.2.1"));
	ck_assert(!match4("192.0.2.1", "192.0.2.2"));
	ck_assert(!match4("192.0.2.1", "193.0.2.1"));
}
END_TEST

START_TEST(match_v4_all)
{
	ck_assert(match4("0.0.0.0/0", "0.0.0.0"));
	ck_assert(match4("0.0.0.0/0", "255.255.255.255"));
	/* Host bits written in a /0 rule do not narrow it. */
	ck_assert(match4("203.0.113.9/0", "1.2.3.4"));
}
END_TEST

START_TEST(match_v6)
{
	ck_assert(match6("2001:db8::/32", "2001:db8::1"));
	ck_assert(match6("2001:db8::/32", "2001:db8:ffff:ffff::"));
	ck_assert(!match6("2001:db8::/32", "2001:db9::1"));
	ck_assert(match6("2001:db8::/33", "2001:db8:7fff::1"));
	ck_assert(!match6("2001:db8::/33", "2001:db8:8000::1"));
	ck_assert(match6("::1/128", "::1"));
	ck_assert(match6("::1", "::1"));
	ck_assert(!match6("::1", "::2"));
	ck_assert(match6("::/0", "ffff::1"));
	ck_assert(match6("fe80::/10", "febf::1"));
	ck_assert(!match6("fe80::/10", "fec0::1"));
}
END_TEST

START_TEST(match_mapped)
{
	/* A v4-mapped client matches IPv4 rules as its IPv4 address. */
	ck_assert(match6("192.0.2.0/24", "::ffff:192.0.2.9"));
	ck_assert(!match6("192.0.2.0/24", "::ffff:192.0.3.9"));
	ck_assert(match6("127.0.0.1", "::ffff:127.0.0.1"));
	ck_assert(match6("0.0.0.0/0", "::ffff:8.8.8.8"));
	/* It is still an IPv6 address for IPv6 rules. */
	ck_assert(match6("::ffff:0:0/96", "::ffff:192.0.2.9"));
	ck_assert(!match6("::1", "::ffff:0.0.0.1"));
	ck_assert(!match6("2001:db8::/32", "::ffff:192.0.2.9"));
}
END_TEST

START_TEST(match_family)
{
	struct cidr		 c;
	struct sockaddr_in	 s4;
	struct sockaddr_in6	 s6;
	struct sockaddr		 sa;

	/* A non-mapped IPv6 address never matches an IPv4 rule... */
	ck_assert(!match6("0.0.0.0/0", "::1"));
	ck_assert(!match6("0.0.0.0/0", "::"));
	/* ...nor one that embeds IPv4 any other way. */
	ck_assert(!match6("192.0.2.1", "::192.0.2.1"));
	ck_assert(!match6("192.0.2.1", "64:ff9b::192.0.2.1"));

	/* A plain IPv4 address never matches an IPv6 rule. */
	ck_assert(!match4("::/0", "1.2.3.4"));
	ck_assert(!match4("::ffff:1.2.3.4", "1.2.3.4"));
	ck_assert(!match4("::ffff:0:0/96", "1.2.3.4"));

	/* Unknown families match nothing. */
	c = parse_ok("0.0.0.0/0");
	memset(&sa, 0, sizeof(sa));
	sa.sa_family = AF_UNIX;
	ck_assert(!cidr_match(&c, &sa));
	c = parse_ok("::/0");
	ck_assert(!cidr_match(&c, &sa));

	/* The port plays no part. */
	c = parse_ok("192.0.2.1");
	s4 = sin4("192.0.2.1");
	s4.sin_port = htons(65535);
	ck_assert(cidr_match(&c, (struct sockaddr *)&s4));
	c = parse_ok("::1");
	s6 = sin6("::1");
	s6.sin6_port = 0;
	ck_assert(cidr_match(&c, (struct sockaddr *)&s6));
}
END_TEST

/* Rules "allow 10.0.0.0/8" style: "+net" allows, "-net" denies. */
static int
rules_allow(const char *const *spec, size_t n, const struct sockaddr *sa)
{
	struct cidr_rule	rules[8];
	size_t			i;

	ck_assert_uint_le(n, 8);
	for (i = 0; i < n; i++) {
		rules[i].allow = spec[i][0] == '+';
		rules[i].net = parse_ok(spec[i] + 1);
	}
	return cidr_rules_allow(rules, n, sa);
}

START_TEST(rules_first_match)
{
	const char *const	 spec[] = { "-127.0.0.2", "+127.0.0.0/8",
				     "-0.0.0.0/0" };
	struct sockaddr_in	 a = sin4("127.0.0.2"), b = sin4("127.0.0.3"),
				 c = sin4("192.0.2.1");

	ck_assert(!rules_allow(spec, 3, (struct sockaddr *)&a));
	ck_assert(rules_allow(spec, 3, (struct sockaddr *)&b));
	ck_assert(!rules_allow(spec, 3, (struct sockaddr *)&c));
	/* Order matters: the broad allow first lets 127.0.0.2 in. */
	ck_assert(rules_allow(spec + 1, 2, (struct sockaddr *)&b));
}
END_TEST

START_TEST(rules_no_match)
{
	const char *const	 deny[] = { "-192.0.2.0/24", "-2001:db8::/32" };
	const char *const	 allow[] = { "-127.0.0.2", "+::1" };
	struct sockaddr_in	 a = sin4("127.0.0.1");
	struct sockaddr_in6	 b = sin6("::1"), c = sin6("2001:db8::1");

	/* Deny rules only: what no rule names is let in. */
	ck_assert(rules_allow(deny, 2, (struct sockaddr *)&a));
	ck_assert(rules_allow(deny, 2, (struct sockaddr *)&b));
	ck_assert(!rules_allow(deny, 2, (struct sockaddr *)&c));
	/* With an allow rule, what no rule names is kept out. */
	ck_assert(!rules_allow(allow, 2, (struct sockaddr *)&a));
	ck_assert(rules_allow(allow, 2, (struct sockaddr *)&b));
	/* No rules at all. */
	ck_assert(cidr_rules_allow(NULL, 0, (struct sockaddr *)&a));
}
END_TEST

START_TEST(rules_mapped)
{
	const char *const	 spec[] = { "+127.0.0.0/8" };
	struct sockaddr_in6	 a = sin6("::ffff:127.0.0.9"),
				 b = sin6("::ffff:192.0.2.1");

	/* An IPv4 client on a dual-stack socket matches IPv4 rules. */
	ck_assert(rules_allow(spec, 1, (struct sockaddr *)&a));
	ck_assert(!rules_allow(spec, 1, (struct sockaddr *)&b));
}
END_TEST

/* Unix-domain clients: by uid or gid, and no network rule matches them. */
START_TEST(rules_credentials)
{
	struct sockaddr_storage	 me, other, nocred;
	struct cidr_rule	 r[3];

	addr_set_cred(&me, 1000, 100, 42);
	addr_set_cred(&other, 1001, 101, 43);
	memset(&nocred, 0, sizeof(nocred));
	nocred.ss_family = AF_UNIX;
	memset(r, 0, sizeof(r));
	r[0].allow = 0;
	r[0].kind = CIDR_UID;
	r[0].id = 1001;
	r[1].allow = 1;
	r[1].kind = CIDR_GID;
	r[1].id = 100;
	ck_assert(cidr_rules_allow(r, 2, (struct sockaddr *)&me));
	ck_assert(!cidr_rules_allow(r, 2, (struct sockaddr *)&other));
	/* No credentials: no uid or gid rule matches; an allow refuses. */
	ck_assert(!cidr_rules_allow(r, 2, (struct sockaddr *)&nocred));
	ck_assert_int_eq(cidr_parse("0.0.0.0/0", &r[2].net, NULL), 0);
	r[2].allow = 1;
	ck_assert(!cidr_rules_allow(&r[2], 1, (struct sockaddr *)&me));
}
END_TEST

static Suite *
cidr_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("cidr");

	tc = tcase_create("parse");
	tcase_add_test(tc, parse_v4);
	tcase_add_test(tc, parse_v4_bare);
	tcase_add_test(tc, parse_v6);
	tcase_add_test(tc, parse_v6_bare);
	suite_add_tcase(s, tc);

	tc = tcase_create("host bits");
	tcase_add_test(tc, parse_hostbits_v4);
	tcase_add_test(tc, parse_hostbits_v6);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad input");
	tcase_add_test(tc, parse_bad_address);
	tcase_add_test(tc, parse_bad_prefix);
	tcase_add_test(tc, parse_null_errstr);
	suite_add_tcase(s, tc);

	tc = tcase_create("match");
	tcase_add_test(tc, rules_credentials);
	tcase_add_test(tc, match_v4);
	tcase_add_test(tc, match_v4_host);
	tcase_add_test(tc, match_v4_all);
	tcase_add_test(tc, match_v6);
	suite_add_tcase(s, tc);

	tc = tcase_create("families");
	tcase_add_test(tc, match_mapped);
	tcase_add_test(tc, match_family);
	suite_add_tcase(s, tc);

	tc = tcase_create("rules");
	tcase_add_test(tc, rules_first_match);
	tcase_add_test(tc, rules_no_match);
	tcase_add_test(tc, rules_mapped);
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(cidr_suite)
