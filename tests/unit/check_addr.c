/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "check_main.h"

static int		 parse_ok(const char *, struct addr[2]);
static const char	*parse_err(const char *);
static struct sockaddr_in sin4(const char *, unsigned int);
static struct sockaddr_in6 sin6(const char *, unsigned int);
static void		 check_numeric(const struct sockaddr *, const char *,
			    const char *);
static Suite		*addr_suite(void);

static int
parse_ok(const char *s, struct addr out[2])
{
	const char	*errstr = NULL;
	int		 n;

	memset(out, 0xa5, 2 * sizeof(*out));
	n = addr_parse_listen(s, out, &errstr);
	ck_assert_msg(n > 0, "\"%s\" refused: %s", s, errstr);
	return n;
}

static const char *
parse_err(const char *s)
{
	struct addr	 out[2];
	const char	*errstr = NULL;

	ck_assert_msg(addr_parse_listen(s, out, &errstr) == -1,
	    "\"%s\" accepted", s);
	ck_assert_msg(errstr != NULL, "\"%s\": no errstr", s);
	return errstr;
}

static struct sockaddr_in
sin4(const char *ip, unsigned int port)
{
	struct sockaddr_in	sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET, ip, &sin.sin_addr), 1);
	return sin;
}

static struct sockaddr_in6
sin6(const char *ip, unsigned int port)
{
	struct sockaddr_in6	s6;

	memset(&s6, 0, sizeof(s6));
	s6.sin6_family = AF_INET6;
	s6.sin6_port = htons(port);
	ck_assert_int_eq(inet_pton(AF_INET6, ip, &s6.sin6_addr), 1);
	return s6;
}

static void
check_numeric(const struct sockaddr *sa, const char *wantip,
    const char *wantport)
{
	char	ip[INET6_ADDRSTRLEN], port[ADDR_PORTLEN];

	ck_assert_int_eq(addr_numeric(sa, ip, port), 0);
	ck_assert_str_eq(ip, wantip);
	ck_assert_str_eq(port, wantport);
}

START_TEST(listen_v4)
{
	struct addr		 out[2];
	struct sockaddr_in	*sin, want;

	ck_assert_int_eq(parse_ok("192.0.2.1:80", out), 1);
	sin = (struct sockaddr_in *)&out[0].ss;
	want = sin4("192.0.2.1", 80);
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(sin->sin_addr.s_addr, want.sin_addr.s_addr);
	ck_assert_uint_eq(ntohs(sin->sin_port), 80);
	ck_assert_uint_eq(out[0].len, sizeof(struct sockaddr_in));
	ck_assert_int_eq(out[0].wildcard, 0);
	ck_assert_uint_eq(addr_port((struct sockaddr *)&out[0].ss), 80);

	ck_assert_int_eq(parse_ok("0.0.0.0:1", out), 1);
	ck_assert_uint_eq(addr_port((struct sockaddr *)&out[0].ss), 1);
	ck_assert_int_eq(out[0].wildcard, 0);
	ck_assert_int_eq(parse_ok("255.255.255.255:65535", out), 1);
	ck_assert_uint_eq(addr_port((struct sockaddr *)&out[0].ss), 65535);
}
END_TEST

START_TEST(listen_v6)
{
	struct addr		 out[2];
	struct sockaddr_in6	*s6;

	ck_assert_int_eq(parse_ok("[::1]:7007", out), 1);
	s6 = (struct sockaddr_in6 *)&out[0].ss;
	ck_assert_int_eq(s6->sin6_family, AF_INET6);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
	ck_assert_uint_eq(ntohs(s6->sin6_port), 7007);
	ck_assert_uint_eq(s6->sin6_scope_id, 0);
	ck_assert_uint_eq(s6->sin6_flowinfo, 0);
	ck_assert_uint_eq(out[0].len, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(out[0].wildcard, 0);

	/* An explicit "[::]" is one IPv6 address, not the wildcard. */
	ck_assert_int_eq(parse_ok("[::]:80", out), 1);
	ck_assert_int_eq(out[0].wildcard, 0);

	ck_assert_int_eq(parse_ok("[::ffff:192.0.2.1]:80", out), 1);
	s6 = (struct sockaddr_in6 *)&out[0].ss;
	ck_assert_int_eq(s6->sin6_family, AF_INET6);
	ck_assert(IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr));
}
END_TEST

START_TEST(listen_wildcard)
{
	struct addr		 out[2];
	struct sockaddr_in6	*s6;

	ck_assert_int_eq(parse_ok("*:1313", out), 1);
	s6 = (struct sockaddr_in6 *)&out[0].ss;
	ck_assert_int_eq(s6->sin6_family, AF_INET6);
	ck_assert(IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr));
	ck_assert_uint_eq(ntohs(s6->sin6_port), 1313);
	ck_assert_uint_eq(out[0].len, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(out[0].wildcard, 1);
}
END_TEST

START_TEST(listen_localhost)
{
	struct addr		 out[2];
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*s6;

	ck_assert_int_eq(parse_ok("localhost:8080", out), 2);
	sin = (struct sockaddr_in *)&out[0].ss;
	ck_assert_int_eq(sin->sin_family, AF_INET);
	ck_assert_uint_eq(ntohl(sin->sin_addr.s_addr), INADDR_LOOPBACK);
	ck_assert_uint_eq(ntohs(sin->sin_port), 8080);
	ck_assert_uint_eq(out[0].len, sizeof(struct sockaddr_in));
	ck_assert_int_eq(out[0].wildcard, 0);
	s6 = (struct sockaddr_in6 *)&out[1].ss;
	ck_assert_int_eq(s6->sin6_family, AF_INET6);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr));
	ck_assert_uint_eq(ntohs(s6->sin6_port), 8080);
	ck_assert_uint_eq(out[1].len, sizeof(struct sockaddr_in6));
	ck_assert_int_eq(out[1].wildcard, 0);
}
END_TEST

START_TEST(listen_bad_port)
{
	ck_assert_str_eq(parse_err("127.0.0.1"), "missing port");
	ck_assert_str_eq(parse_err("127.0.0.1:"), "missing port");
	ck_assert_str_eq(parse_err("[::1]"), "missing port");
	ck_assert_str_eq(parse_err("[::1]:"), "missing port");
	ck_assert_str_eq(parse_err("*:"), "missing port");
	ck_assert_str_eq(parse_err("localhost"), "missing port");
	ck_assert_str_eq(parse_err("127.0.0.1:0"), "port out of range");
	ck_assert_str_eq(parse_err("127.0.0.1:65536"), "port out of range");
	ck_assert_str_eq(parse_err("127.0.0.1:99999999999999999999"),
	    "port out of range");
	ck_assert_str_eq(parse_err("127.0.0.1:4295032832"),
	    "port out of range");
	ck_assert_str_eq(parse_err("127.0.0.1:+80"), "bad port");
	ck_assert_str_eq(parse_err("127.0.0.1:-80"), "bad port");
	ck_assert_str_eq(parse_err("127.0.0.1: 80"), "bad port");
	ck_assert_str_eq(parse_err("127.0.0.1:80 "), "bad port");
	ck_assert_str_eq(parse_err("127.0.0.1:0x50"), "bad port");
	ck_assert_str_eq(parse_err("127.0.0.1:http"), "bad port");
	/* Leading zeros are refused, not read as decimal or octal. */
	ck_assert_str_eq(parse_err("127.0.0.1:080"), "bad port");
	ck_assert_str_eq(parse_err("127.0.0.1:00"), "bad port");
	ck_assert_str_eq(parse_err("[::1]:0"), "port out of range");
	ck_assert_str_eq(parse_err("[::1]:65536"), "port out of range");
	ck_assert_str_eq(parse_err("*:0"), "port out of range");
	ck_assert_str_eq(parse_err("localhost:0"), "port out of range");
}
END_TEST

START_TEST(listen_bad_address)
{
	ck_assert_str_eq(parse_err(""), "missing address");
	ck_assert_str_eq(parse_err(":80"), "missing address");
	ck_assert_str_eq(parse_err("[]:80"), "missing address");
	ck_assert_str_eq(parse_err("1.2.3:80"), "bad address");
	ck_assert_str_eq(parse_err("1.2.3.256:80"), "bad address");
	ck_assert_str_eq(parse_err(" 1.2.3.4:80"), "bad address");
	ck_assert_str_eq(parse_err("1.2.3.4 :80"), "bad address");
	ck_assert_str_eq(parse_err("example.com:80"), "bad address");
	ck_assert_str_eq(parse_err("LOCALHOST:80"), "bad address");
	ck_assert_str_eq(parse_err("**:80"), "bad address");
	ck_assert_str_eq(parse_err("::1:80"), "IPv6 address needs brackets");
	ck_assert_str_eq(parse_err("::1"), "IPv6 address needs brackets");
	ck_assert_str_eq(parse_err("1.2.3.4:80:80"),
	    "IPv6 address needs brackets");
	ck_assert_str_eq(parse_err("[::1:80"), "missing ]");
	ck_assert_str_eq(parse_err("[::1]80"), "bad address");
	ck_assert_str_eq(parse_err("[::1]]:80"), "bad address");
	ck_assert_str_eq(parse_err("[1.2.3.4]:80"), "bad IPv6 address");
	ck_assert_str_eq(parse_err("[*]:80"), "bad IPv6 address");
	ck_assert_str_eq(parse_err("[localhost]:80"), "bad IPv6 address");
	ck_assert_str_eq(parse_err("[fe80::1%eth0]:80"), "bad IPv6 address");
	ck_assert_str_eq(parse_err("[::1:80]"), "missing port");
	ck_assert_str_eq(parse_err(
	    "[1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa]:80"),
	    "bad address");
}
END_TEST

START_TEST(listen_null_errstr)
{
	struct addr	out[2];

	ck_assert_int_eq(addr_parse_listen("nonsense", out, NULL), -1);
}
END_TEST

START_TEST(numeric_v4)
{
	struct sockaddr_in	s = sin4("192.0.2.1", 80);

	check_numeric((struct sockaddr *)&s, "192.0.2.1", "80");
	s = sin4("255.255.255.255", 65535);
	check_numeric((struct sockaddr *)&s, "255.255.255.255", "65535");
	s = sin4("0.0.0.0", 0);
	check_numeric((struct sockaddr *)&s, "0.0.0.0", "0");
	s = sin4("10.1.100.9", 8);
	check_numeric((struct sockaddr *)&s, "10.1.100.9", "8");
}
END_TEST

START_TEST(numeric_v6)
{
	struct sockaddr_in6	s = sin6("2001:db8::1", 443);

	check_numeric((struct sockaddr *)&s, "2001:db8::1", "443");
	s = sin6("::1", 1);
	check_numeric((struct sockaddr *)&s, "::1", "1");
	s = sin6("::", 0);
	check_numeric((struct sockaddr *)&s, "::", "0");
	s = sin6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
	check_numeric((struct sockaddr *)&s,
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "65535");
}
END_TEST

START_TEST(numeric_mapped)
{
	struct sockaddr_in6	s = sin6("::ffff:192.0.2.1", 5555);

	check_numeric((struct sockaddr *)&s, "192.0.2.1", "5555");
	s = sin6("::ffff:0.0.0.0", 1);
	check_numeric((struct sockaddr *)&s, "0.0.0.0", "1");
}
END_TEST

/*
 * addr_numeric writes addresses itself; inet_ntop(3) is the reference.
 * Each group of a random address is zero with probability one half, so
 * that runs of zeros of every length and position come up, ties too.
 */
START_TEST(numeric_like_ntop)
{
	static const char *const fixed[] = {
		"::", "::1", "1::", "1::1", "0:0:1::", "1:0:0:1:0:0:1:0",
		"1:0:1:0:1:0:1:0", "::1:2:3:4:5:6", "::1.2.3.4",
		"::ffff:0:1.2.3.4", "0:0:0:0:0:1:1.2.3.4", "fe80::1%lo",
	};
	struct sockaddr_in6	s;
	char			want[INET6_ADDRSTRLEN], ip[INET6_ADDRSTRLEN];
	char			port[ADDR_PORTLEN], wantport[ADDR_PORTLEN];
	unsigned int		seed = 5952, v;
	int			i, j;

	for (i = 0; i < (int)(sizeof(fixed) / sizeof(fixed[0])); i++) {
		memset(&s, 0, sizeof(s));
		s.sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, fixed[i], &s.sin6_addr) != 1)
			continue;	/* the scoped form is not for inet_pton */
		ck_assert_ptr_nonnull(inet_ntop(AF_INET6, &s.sin6_addr, want,
		    sizeof(want)));
		ck_assert_int_eq(addr_numeric((struct sockaddr *)&s, ip, port),
		    0);
		ck_assert_str_eq(ip, want);
	}
	for (i = 0; i < 100000; i++) {
		memset(&s, 0, sizeof(s));
		s.sin6_family = AF_INET6;
		v = (unsigned int)rand_r(&seed);
		s.sin6_port = htons((uint16_t)v);
		for (j = 0; j < 8; j++) {
			v = (unsigned int)rand_r(&seed);
			if (v & 1)
				continue;
			/* Small values too, for groups of one to four digits. */
			v >>= 1 + (v >> 1) % 13;
			s.sin6_addr.s6_addr[2 * j] = (unsigned char)(v >> 8);
			s.sin6_addr.s6_addr[2 * j + 1] = (unsigned char)v;
		}
		if (IN6_IS_ADDR_V4MAPPED(&s.sin6_addr))
			continue;
		ck_assert_ptr_nonnull(inet_ntop(AF_INET6, &s.sin6_addr, want,
		    sizeof(want)));
		snprintf(wantport, sizeof(wantport), "%u", ntohs(s.sin6_port));
		ck_assert_int_eq(addr_numeric((struct sockaddr *)&s, ip, port),
		    0);
		ck_assert_str_eq(ip, want);
		ck_assert_str_eq(port, wantport);
	}
}
END_TEST

START_TEST(numeric_unknown)
{
	struct sockaddr_un	sun;
	char			ip[INET6_ADDRSTRLEN], port[ADDR_PORTLEN];

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memset(ip, 'x', sizeof(ip));
	memset(port, 'x', sizeof(port));
	ck_assert_int_eq(addr_numeric((struct sockaddr *)&sun, ip, port), -1);
	/* Callers that ignore the result still get strings. */
	ck_assert_str_eq(ip, "");
	ck_assert_str_eq(port, "");
	ck_assert_uint_eq(addr_port((struct sockaddr *)&sun), 0);
}
END_TEST

START_TEST(str_forms)
{
	struct sockaddr_in	s4 = sin4("192.0.2.1", 80);
	struct sockaddr_in6	s6 = sin6("2001:db8::1", 80);
	struct sockaddr_un	sun;
	char			buf[ADDR_STRLEN], *r;

	r = addr_str((struct sockaddr *)&s4, 0, buf);
	ck_assert_ptr_eq(r, buf);
	ck_assert_str_eq(buf, "192.0.2.1:80");

	r = addr_str((struct sockaddr *)&s6, 0, buf);
	ck_assert_ptr_eq(r, buf);
	ck_assert_str_eq(buf, "[2001:db8::1]:80");

	s6 = sin6("::1", 7007);
	ck_assert_str_eq(addr_str((struct sockaddr *)&s6, 0, buf),
	    "[::1]:7007");

	s6 = sin6("::ffff:10.0.0.1", 22);
	ck_assert_str_eq(addr_str((struct sockaddr *)&s6, 0, buf),
	    "10.0.0.1:22");

	/* A unix-domain peer has no name; a listener has one. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	ck_assert_str_eq(addr_str((struct sockaddr *)&sun, 0, buf), "unix:");
	strlcpy(sun.sun_path, "/run/x.sock", sizeof(sun.sun_path));
	ck_assert_str_eq(addr_str((struct sockaddr *)&sun, 0, buf),
	    "unix:/run/x.sock");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path + 1, "name", 4);
	ck_assert_str_eq(addr_str((struct sockaddr *)&sun, 0, buf),
	    "unix:@name");
}
END_TEST

START_TEST(str_longest)
{
	struct sockaddr_in6	s6;
	char			buf[ADDR_STRLEN + 8];
	const char		*want =
	    "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff]:65535";

	s6 = sin6("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 65535);
	/* Nothing is written past the documented ADDR_STRLEN bytes. */
	memset(buf, 'z', sizeof(buf));
	addr_str((struct sockaddr *)&s6, 0, buf);
	ck_assert_str_eq(buf, want);
	ck_assert(buf[ADDR_STRLEN] == 'z');
}
END_TEST

START_TEST(str_wildcard)
{
	struct addr	out[2];
	char		buf[ADDR_STRLEN];

	ck_assert_int_eq(parse_ok("*:1313", out), 1);
	ck_assert_str_eq(addr_str((struct sockaddr *)&out[0].ss,
	    out[0].wildcard, buf), "*:1313");
	ck_assert_str_eq(addr_str((struct sockaddr *)&out[0].ss, 0, buf),
	    "[::]:1313");
}
END_TEST

START_TEST(str_roundtrip)
{
	const char	*forms[] = {
		"192.0.2.1:80", "[2001:db8::1]:443", "[::1]:65535",
		"*:1", "0.0.0.0:9",
	};
	struct addr	 out[2];
	char		 buf[ADDR_STRLEN];
	size_t		 i;

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		ck_assert_int_eq(parse_ok(forms[i], out), 1);
		addr_str((struct sockaddr *)&out[0].ss, out[0].wildcard, buf);
		ck_assert_str_eq(buf, forms[i]);
	}
}
END_TEST

START_TEST(equal)
{
	struct sockaddr_in	a4 = sin4("192.0.2.1", 80), b4;
	struct sockaddr_in6	a6 = sin6("2001:db8::1", 80), b6;
	struct sockaddr_in6	m6 = sin6("::ffff:192.0.2.1", 80);
	struct sockaddr_un	sun;

	b4 = a4;
	ck_assert(addr_equal((struct sockaddr *)&a4, (struct sockaddr *)&b4));
	b4 = sin4("192.0.2.1", 81);
	ck_assert(!addr_equal((struct sockaddr *)&a4, (struct sockaddr *)&b4));
	b4 = sin4("192.0.2.2", 80);
	ck_assert(!addr_equal((struct sockaddr *)&a4, (struct sockaddr *)&b4));

	b6 = a6;
	ck_assert(addr_equal((struct sockaddr *)&a6, (struct sockaddr *)&b6));
	b6 = sin6("2001:db8::1", 81);
	ck_assert(!addr_equal((struct sockaddr *)&a6, (struct sockaddr *)&b6));
	b6 = sin6("2001:db8::2", 80);
	ck_assert(!addr_equal((struct sockaddr *)&a6, (struct sockaddr *)&b6));
	b6 = a6;
	b6.sin6_scope_id = 2;
	ck_assert(!addr_equal((struct sockaddr *)&a6, (struct sockaddr *)&b6));

	/* A mapped address is an IPv6 one, whichever side it is on. */
	ck_assert(!addr_equal((struct sockaddr *)&a4, (struct sockaddr *)&m6));
	ck_assert(!addr_equal((struct sockaddr *)&m6, (struct sockaddr *)&a4));

	/* Unix-domain sockets: the same path, or the same abstract name. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strlcpy(sun.sun_path, "/run/x.sock", sizeof(sun.sun_path));
	ck_assert(addr_equal((struct sockaddr *)&sun,
	    (struct sockaddr *)&sun));
	ck_assert(!addr_equal((struct sockaddr *)&sun,
	    (struct sockaddr *)&a4));
}
END_TEST

START_TEST(parse_unix)
{
	struct addr		 a[2];
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&a[0].ss;
	const char		*errstr;
	char			 longpath[200];

	ck_assert_int_eq(addr_parse_listen("unix:/run/forkd.sock", a, &errstr),
	    1);
	ck_assert_int_eq(sun->sun_family, AF_UNIX);
	ck_assert_str_eq(sun->sun_path, "/run/forkd.sock");
	ck_assert_int_eq(a[0].len, offsetof(struct sockaddr_un, sun_path) +
	    sizeof("/run/forkd.sock"));
	ck_assert_int_eq(addr_parse_listen("unix:@forkd", a, &errstr), 1);
	ck_assert_int_eq(sun->sun_path[0], '\0');
	ck_assert_str_eq(sun->sun_path + 1, "forkd");
	/* The name alone, without a NUL: systemd's and socat's length. */
	ck_assert_int_eq(a[0].len, offsetof(struct sockaddr_un, sun_path) +
	    1 + 5);
	ck_assert_int_eq(addr_parse_listen("unix:run/x", a, &errstr), -1);
	ck_assert_str_eq(errstr, "a unix socket is /path or @name");
	ck_assert_int_eq(addr_parse_listen("unix:", a, &errstr), -1);
	ck_assert_int_eq(addr_parse_listen("unix:@", a, &errstr), -1);
	memset(longpath, 'x', sizeof(longpath) - 1);
	longpath[0] = '/';
	longpath[sizeof(longpath) - 1] = '\0';
	memcpy(longpath, "unix:/", 6);
	ck_assert_int_eq(addr_parse_listen(longpath, a, &errstr), -1);
	ck_assert_str_eq(errstr, "unix socket name too long");
}
END_TEST

START_TEST(equal_parsed)
{
	struct addr	a[2], b[2];

	/* Listen addresses compare by value, as a reload needs. */
	parse_ok("localhost:80", a);
	parse_ok("localhost:80", b);
	ck_assert(addr_equal((struct sockaddr *)&a[0].ss,
	    (struct sockaddr *)&b[0].ss));
	ck_assert(addr_equal((struct sockaddr *)&a[1].ss,
	    (struct sockaddr *)&b[1].ss));
	parse_ok("127.0.0.1:80", b);
	ck_assert(addr_equal((struct sockaddr *)&a[0].ss,
	    (struct sockaddr *)&b[0].ss));
	parse_ok("[::1]:80", b);
	ck_assert(addr_equal((struct sockaddr *)&a[1].ss,
	    (struct sockaddr *)&b[0].ss));
	parse_ok("*:80", b);
	ck_assert(!addr_equal((struct sockaddr *)&a[1].ss,
	    (struct sockaddr *)&b[0].ss));
}
END_TEST

static Suite *
addr_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("addr");

	tc = tcase_create("listen syntax");
	tcase_add_test(tc, listen_v4);
	tcase_add_test(tc, listen_v6);
	tcase_add_test(tc, listen_wildcard);
	tcase_add_test(tc, listen_localhost);
	suite_add_tcase(s, tc);

	tc = tcase_create("listen errors");
	tcase_add_test(tc, listen_bad_port);
	tcase_add_test(tc, listen_bad_address);
	tcase_add_test(tc, listen_null_errstr);
	suite_add_tcase(s, tc);

	tc = tcase_create("numeric");
	tcase_add_test(tc, numeric_v4);
	tcase_add_test(tc, numeric_v6);
	tcase_add_test(tc, numeric_mapped);
	tcase_add_test(tc, numeric_like_ntop);
	tcase_add_test(tc, numeric_unknown);
	suite_add_tcase(s, tc);

	tc = tcase_create("string");
	tcase_add_test(tc, str_forms);
	tcase_add_test(tc, str_longest);
	tcase_add_test(tc, str_wildcard);
	tcase_add_test(tc, str_roundtrip);
	suite_add_tcase(s, tc);

	tc = tcase_create("equality");
	tcase_add_test(tc, equal);
	tcase_add_test(tc, parse_unix);
	tcase_add_test(tc, equal_parsed);
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(addr_suite)
