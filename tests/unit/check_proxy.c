#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"
#include "check_main.h"

#define BOTH		(PROXY_V1 | PROXY_V2)
#define PAYLOAD		"GET / HTTP/1.0\r\n\r\n"
#define SIG		"\r\n\r\n\0\r\nQUIT\n"

/* The longest v1 line: UNKNOWN with the spec's worst-case fields. */
#define V6MAX		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
#define V6LONG		"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
#define V1_LONGEST	"PROXY UNKNOWN " V6MAX " " V6MAX " 65535 65535\r\n"

static void		prefixes(const void *, size_t, int);
static struct proxy_hdr	ok(const void *, size_t, size_t, int);
static const char	*bad(const void *, size_t, int);
static struct proxy_hdr	v1_ok(const char *);
static const char	*v1_bad(const char *);
static size_t		v1_need(const char *, int);
static size_t		v2_hdr(uint8_t *, uint8_t, uint8_t, const void *,
			    size_t);
static size_t		body4(uint8_t *, const char *, const char *,
			    uint16_t, uint16_t);
static size_t		body6(uint8_t *, const char *, const char *,
			    uint16_t, uint16_t);
static void		is_sin(const struct sockaddr_storage *, const char *,
			    unsigned int);
static void		is_sin6(const struct sockaddr_storage *, const char *,
			    unsigned int);
static void		is_zero(const struct sockaddr_storage *);
static void		pair(int[2]);
static void		tcp_pair(int[2]);
static void		send_all(int, const void *, size_t);
static void		expect_rest(int, const void *, size_t);
static pid_t		trickle(int, const void *, size_t, int, int);
static void		reap(pid_t);
static long		cpu_ms(void);
static long		wall_ms(void);
static void		on_alarm(int);
static Suite		*proxy_suite(void);

/*
 * Every proper prefix of a header of hlen bytes asks for more, and never
 * for more than hlen: reading what *need says stops at the header's end.
 */
static void
prefixes(const void *buf, size_t hlen, int accept)
{
	struct proxy_hdr	 h;
	const char		*errstr = NULL;
	size_t			 k, need;
	ssize_t			 r;

	for (k = 0; k < hlen; k++) {
		need = 0;
		r = proxy_parse(buf, k, accept, &h, &need, &errstr);
		ck_assert_msg(r == 0, "prefix of %zu/%zu bytes: %zd (%s)",
		    k, hlen, r, r == -1 ? errstr : "header");
		ck_assert_msg(need > k && need <= hlen,
		    "prefix of %zu/%zu bytes needs %zu", k, hlen, need);
	}
}

/*
 * buf holds a valid header of hlen bytes, and maybe more after it.  The
 * parse must return hlen, and every prefix must ask for more.
 */
static struct proxy_hdr
ok(const void *buf, size_t len, size_t hlen, int accept)
{
	struct proxy_hdr	 h;
	const char		*errstr = NULL;
	ssize_t			 r;

	memset(&h, 0xa5, sizeof(h));
	r = proxy_parse(buf, len, accept, &h, NULL, &errstr);
	ck_assert_msg(r == (ssize_t)hlen, "parse returned %zd, not %zu (%s)",
	    r, hlen, r == -1 ? errstr : "");
	prefixes(buf, hlen, accept);
	return h;
}

static const char *
bad(const void *buf, size_t len, int accept)
{
	struct proxy_hdr	 h, before;
	const char		*errstr = NULL;
	size_t			 need = 12345;
	ssize_t			 r;

	memset(&h, 0xa5, sizeof(h));
	before = h;
	r = proxy_parse(buf, len, accept, &h, &need, &errstr);
	ck_assert_msg(r == -1, "accepted (%zd, need %zu)", r, need);
	ck_assert(errstr != NULL);
	/* A failed parse leaves the caller's structure alone. */
	ck_assert(memcmp(&h, &before, sizeof(h)) == 0);
	return errstr;
}

/* A v1 line, with the client's bytes after it. */
static struct proxy_hdr
v1_ok(const char *line)
{
	char	buf[512];
	size_t	len = strlen(line);

	ck_assert(len + sizeof(PAYLOAD) <= sizeof(buf));
	memcpy(buf, line, len);
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	ok(buf, len, len, BOTH);
	ok(buf, len, len, PROXY_V1);
	return ok(buf, len + sizeof(PAYLOAD) - 1, len, BOTH);
}

static const char *
v1_bad(const char *s)
{
	return bad(s, strlen(s), BOTH);
}

static size_t
v1_need(const char *s, int accept)
{
	struct proxy_hdr	 h;
	const char		*errstr = NULL;
	size_t			 need = 0;
	ssize_t			 r;

	r = proxy_parse(s, strlen(s), accept, &h, &need, &errstr);
	ck_assert_msg(r == 0, "\"%s\": %zd (%s)", s, r,
	    r == -1 ? errstr : "");
	return need;
}

static size_t
v2_hdr(uint8_t *buf, uint8_t vercmd, uint8_t fam, const void *body,
    size_t len)
{
	memcpy(buf, SIG, 12);
	buf[12] = vercmd;
	buf[13] = fam;
	buf[14] = (uint8_t)(len >> 8);
	buf[15] = (uint8_t)len;
	if (body != NULL)
		memcpy(buf + 16, body, len);
	else
		memset(buf + 16, 0, len);
	return 16 + len;
}

static size_t
body4(uint8_t *body, const char *src, const char *dst, uint16_t sport,
    uint16_t dport)
{
	ck_assert_int_eq(inet_pton(AF_INET, src, body), 1);
	ck_assert_int_eq(inet_pton(AF_INET, dst, body + 4), 1);
	body[8] = (uint8_t)(sport >> 8);
	body[9] = (uint8_t)sport;
	body[10] = (uint8_t)(dport >> 8);
	body[11] = (uint8_t)dport;
	return 12;
}

static size_t
body6(uint8_t *body, const char *src, const char *dst, uint16_t sport,
    uint16_t dport)
{
	ck_assert_int_eq(inet_pton(AF_INET6, src, body), 1);
	ck_assert_int_eq(inet_pton(AF_INET6, dst, body + 16), 1);
	body[32] = (uint8_t)(sport >> 8);
	body[33] = (uint8_t)sport;
	body[34] = (uint8_t)(dport >> 8);
	body[35] = (uint8_t)dport;
	return 36;
}

static void
is_sin(const struct sockaddr_storage *ss, const char *ip, unsigned int port)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	char				 text[INET_ADDRSTRLEN];

	ck_assert_int_eq(ss->ss_family, AF_INET);
	ck_assert(inet_ntop(AF_INET, &sin->sin_addr, text,
	    sizeof(text)) != NULL);
	ck_assert_str_eq(text, ip);
	ck_assert_uint_eq(ntohs(sin->sin_port), port);
}

static void
is_sin6(const struct sockaddr_storage *ss, const char *ip, unsigned int port)
{
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;
	char				 text[INET6_ADDRSTRLEN];

	ck_assert_int_eq(ss->ss_family, AF_INET6);
	ck_assert(inet_ntop(AF_INET6, &sin6->sin6_addr, text,
	    sizeof(text)) != NULL);
	ck_assert_str_eq(text, ip);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), port);
	ck_assert_uint_eq(sin6->sin6_flowinfo, 0);
	ck_assert_uint_eq(sin6->sin6_scope_id, 0);
}

static void
is_zero(const struct sockaddr_storage *ss)
{
	struct sockaddr_storage	zero;

	memset(&zero, 0, sizeof(zero));
	ck_assert(memcmp(ss, &zero, sizeof(zero)) == 0);
}

static void
pair(int fd[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
}

/* A connected loopback TCP pair: fd[0] the server's end. */
static void
tcp_pair(int fd[2])
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(s = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(s, 1), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	ck_assert_int_ne(fd[1] = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(connect(fd[1], (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	ck_assert_int_ne(fd[0] = accept(s, NULL, NULL), -1);
	close(s);
}

static void
send_all(int fd, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		ck_assert_msg(n > 0, "write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* What is left in the socket is exactly want, then EOF. */
static void
expect_rest(int fd, const void *want, size_t len)
{
	char	buf[1024];
	size_t	got = 0;
	ssize_t	n;

	ck_assert(len <= sizeof(buf));
	while ((n = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(got, len);
	ck_assert(memcmp(buf, want, len) == 0);
}

/*
 * A writer process: len bytes in chunks of chunk bytes, delay_ms apart,
 * then it closes its end.
 */
static pid_t
trickle(int fd, const void *buf, size_t len, int chunk, int delay_ms)
{
	const struct timespec	 ts = { 0, delay_ms * 1000000L };
	const uint8_t		*p = buf;
	size_t			 n;
	pid_t			 pid;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid != 0)
		return pid;
	while (len > 0) {
		n = len < (size_t)chunk ? len : (size_t)chunk;
		if (write(fd, p, n) != (ssize_t)n)
			_exit(1);
		p += n;
		len -= n;
		nanosleep(&ts, NULL);
	}
	_exit(0);
}

/*
 * SIGKILL, for the writer inherits Check's SIGTERM handler, which would
 * pass the signal on to the whole test.
 */
static void
reap(pid_t pid)
{
	int	status;

	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}

static long
cpu_ms(void)
{
	struct rusage	ru;

	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000L +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000L;
}

static long
wall_ms(void)
{
	struct timespec	ts;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
on_alarm(int sig)
{
	(void)sig;
}

START_TEST(v1_tcp4)
{
	struct proxy_hdr	h;

	h = v1_ok("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n");
	ck_assert_int_eq(h.version, 1);
	ck_assert_int_eq(h.local, 0);
	is_sin(&h.src, "192.0.2.1", 56324);
	is_sin(&h.dst, "198.51.100.2", 443);

	h = v1_ok("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535"
	    "\r\n");
	is_sin(&h.src, "255.255.255.255", 65535);
	is_sin(&h.dst, "255.255.255.255", 65535);

	/* The shortest TCP4 line, with port 0 as a lone zero. */
	h = v1_ok("PROXY TCP4 0.0.0.0 0.0.0.0 0 0\r\n");
	is_sin(&h.src, "0.0.0.0", 0);
	is_sin(&h.dst, "0.0.0.0", 0);
	h = v1_ok("PROXY TCP4 10.0.0.1 10.0.0.2 1 10\r\n");
	is_sin(&h.src, "10.0.0.1", 1);
	is_sin(&h.dst, "10.0.0.2", 10);
}
END_TEST

START_TEST(v1_tcp6)
{
	struct proxy_hdr	h;

	h = v1_ok("PROXY TCP6 2001:db8::1 2001:db8::2 1234 80\r\n");
	ck_assert_int_eq(h.version, 1);
	ck_assert_int_eq(h.local, 0);
	is_sin6(&h.src, "2001:db8::1", 1234);
	is_sin6(&h.dst, "2001:db8::2", 80);

	/* The longest TCP6 line, 104 bytes. */
	h = v1_ok("PROXY TCP6 " V6MAX " " V6MAX " 65535 65535\r\n");
	is_sin6(&h.src, V6MAX, 65535);

	h = v1_ok("PROXY TCP6 :: ::1 0 65535\r\n");
	is_sin6(&h.src, "::", 0);
	is_sin6(&h.dst, "::1", 65535);

	h = v1_ok("PROXY TCP6 ::ffff:192.0.2.1 FE80::A 40000 22\r\n");
	is_sin6(&h.src, "::ffff:192.0.2.1", 40000);
	is_sin6(&h.dst, "fe80::a", 22);
}
END_TEST

START_TEST(v1_unknown)
{
	struct proxy_hdr	h;
	char			line[200];

	h = v1_ok("PROXY UNKNOWN\r\n");
	ck_assert_int_eq(h.version, 1);
	ck_assert_int_eq(h.local, 1);
	is_zero(&h.src);
	is_zero(&h.dst);

	/* Whatever follows UNKNOWN is ignored, even if not addresses. */
	h = v1_ok("PROXY UNKNOWN 192.0.2.1 198.51.100.2 56324 443\r\n");
	ck_assert_int_eq(h.local, 1);
	is_zero(&h.src);
	h = v1_ok("PROXY UNKNOWN what ever  \t\x01\x7f\xff\r\n");
	ck_assert_int_eq(h.local, 1);
	h = v1_ok("PROXY UNKNOWN \r\n");
	ck_assert_int_eq(h.local, 1);

	/* A NUL in the ignored part is no terminator. */
	memcpy(line, "PROXY UNKNOWN a\0b\r\nX", 20);
	h = ok(line, 20, 19, BOTH);
	ck_assert_int_eq(h.local, 1);
}
END_TEST

START_TEST(v1_length)
{
	char	line[300];

	ck_assert_uint_eq(strlen(V1_LONGEST), PROXY_V1_MAXLEN);
	v1_ok(V1_LONGEST);

	/* 107 bytes with the CRLF is the most, 108 too many. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "PROXY UNKNOWN ", 14);
	memcpy(line + PROXY_V1_MAXLEN - 2, "\r\n", 3);
	ck_assert_uint_eq(strlen(line), PROXY_V1_MAXLEN);
	v1_ok(line);
	memset(line + 14, 'x', sizeof(line) - 14);
	memcpy(line + PROXY_V1_MAXLEN - 1, "\r\n", 3);
	ck_assert_uint_eq(strlen(line), PROXY_V1_MAXLEN + 1);
	ck_assert_str_eq(v1_bad(line), "v1 header too long");

	/* The CR alone at byte 108 already makes the line too long. */
	line[PROXY_V1_MAXLEN] = '\0';
	ck_assert_str_eq(v1_bad(line), "v1 header too long");

	/* No CRLF in the first 107 bytes, or no room left for one. */
	memset(line + 14, 'x', sizeof(line) - 15);
	line[sizeof(line) - 1] = '\0';
	ck_assert_str_eq(v1_bad(line), "v1 header too long");
	line[PROXY_V1_MAXLEN] = '\0';
	ck_assert_str_eq(v1_bad(line), "v1 header too long");
	line[PROXY_V1_MAXLEN - 1] = '\0';
	ck_assert_str_eq(v1_bad(line), "v1 header too long");
	line[PROXY_V1_MAXLEN - 2] = '\0';
	ck_assert_uint_eq(v1_need(line, BOTH), PROXY_V1_MAXLEN);

	/*
	 * Two of the longest IPv6 addresses inet_pton takes leave no room
	 * for the ports, which is known before they come.
	 */
	ck_assert_uint_eq(strlen(V6LONG), INET6_ADDRSTRLEN - 1);
	v1_ok("PROXY TCP6 " V6LONG " ::1 0 0\r\n");
	v1_ok("PROXY TCP6 " V6LONG " " V6MAX " 0 0\r\n");
	ck_assert_str_eq(v1_bad("PROXY TCP6 " V6LONG " " V6LONG " 0 0\r\n"),
	    "v1 header too long");
	ck_assert_str_eq(v1_bad("PROXY TCP6 " V6LONG " " V6LONG),
	    "v1 header too long");
	ck_assert_str_eq(v1_bad("PROXY TCP6 " V6LONG " " V6MAX " 65535 655"),
	    "v1 header too long");
}
END_TEST

START_TEST(v1_line_end)
{
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\n"),
	    "v1 header ends in lf without cr");
	ck_assert_str_eq(v1_bad("PROXY UNKNOWN\n"),
	    "v1 header ends in lf without cr");
	ck_assert_str_eq(v1_bad("PROXY UNKNOWN a\nb\r\n"),
	    "v1 header ends in lf without cr");
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\rX"),
	    "v1 header has cr without lf");
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\r\n"),
	    "v1 header has cr without lf");
	ck_assert_str_eq(v1_bad("PROXY UNKNOWN a\rb\r\n"),
	    "v1 header has cr without lf");
	ck_assert_str_eq(v1_bad("PROXY UNKNOWN\n\r"),
	    "v1 header ends in lf without cr");
	ck_assert_str_eq(v1_bad("PROXY \r\n"), "bad v1 spacing");
}
END_TEST

START_TEST(v1_ports)
{
	static const char *const bad_ports[] = {
		"01", "00", "065535", "+1", "-1", "-0", "65536", "99999",
		"100000", "4294967297", "1a", "0x10", "1.0",
	};
	struct proxy_hdr	h;
	char			line[128];
	size_t			i;

	h = v1_ok("PROXY TCP4 192.0.2.1 192.0.2.2 0 65535\r\n");
	is_sin(&h.src, "192.0.2.1", 0);
	is_sin(&h.dst, "192.0.2.2", 65535);
	h = v1_ok("PROXY TCP6 ::1 ::2 65535 0\r\n");
	is_sin6(&h.src, "::1", 65535);
	is_sin6(&h.dst, "::2", 0);

	for (i = 0; i < sizeof(bad_ports) / sizeof(bad_ports[0]); i++) {
		snprintf(line, sizeof(line),
		    "PROXY TCP4 192.0.2.1 192.0.2.2 %s 80\r\n", bad_ports[i]);
		ck_assert_msg(strcmp(v1_bad(line), "bad v1 port") == 0,
		    "%s", line);
		snprintf(line, sizeof(line),
		    "PROXY TCP6 ::1 ::2 80 %s\r\n", bad_ports[i]);
		ck_assert_msg(strcmp(v1_bad(line), "bad v1 port") == 0,
		    "%s", line);
	}
}
END_TEST

START_TEST(v1_addresses)
{
	static const char *const bad4[] = {
		"1.2.3", "1.2.3.256", "01.2.3.4", "1.2.3.4.5", "1.2.3.",
		".1.2.3", "1..2.3", "localhost", "0x7f.0.0.1", "127.1",
		"1.2.3.4/32", "1.2.3.4:80", "::1", "::ffff:1.2.3.4",
		"1.2.3.4\t", "1.2.3.4\v",
	};
	static const char *const bad6[] = {
		"1.2.3.4", "[::1]", "fe80::1%eth0", "2001:db8::g", ":::",
		"1:2:3:4:5:6:7:8:9", "2001:db8:::1", "::1/128",
		"1111:2222:3333:4444:5555:6666:7777:8888:9999",
		"0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0001",
	};
	static const char	nul4[] =
	    "PROXY TCP4 1.2.3.4\0x 1.2.3.4 1 2\r\n";
	static const char	nul6[] = "PROXY TCP6 ::1\0:1 ::2 1 2\r\n";
	char	line[160];
	size_t	i;

	for (i = 0; i < sizeof(bad4) / sizeof(bad4[0]); i++) {
		snprintf(line, sizeof(line), "PROXY TCP4 %s 192.0.2.2 1 2\r\n",
		    bad4[i]);
		ck_assert_msg(strcmp(v1_bad(line), "bad v1 address") == 0,
		    "%s", line);
		snprintf(line, sizeof(line), "PROXY TCP4 192.0.2.1 %s 1 2\r\n",
		    bad4[i]);
		ck_assert_msg(strcmp(v1_bad(line), "bad v1 address") == 0,
		    "%s", line);
	}
	for (i = 0; i < sizeof(bad6) / sizeof(bad6[0]); i++) {
		snprintf(line, sizeof(line), "PROXY TCP6 %s ::2 1 2\r\n",
		    bad6[i]);
		ck_assert_msg(strcmp(v1_bad(line), "bad v1 address") == 0,
		    "%s", line);
		snprintf(line, sizeof(line), "PROXY TCP6 ::1 %s 1 2\r\n",
		    bad6[i]);
		ck_assert_msg(strcmp(v1_bad(line), "bad v1 address") == 0,
		    "%s", line);
	}

	/* A NUL must not cut the address short for inet_pton. */
	ck_assert_str_eq(bad(nul4, sizeof(nul4) - 1, BOTH), "bad v1 address");
	ck_assert_str_eq(bad(nul6, sizeof(nul6) - 1, BOTH), "bad v1 address");
}
END_TEST

START_TEST(v1_fields)
{
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n"),
	    "missing v1 field");
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1 192.0.2.2\r\n"),
	    "missing v1 field");
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1\r\n"),
	    "missing v1 field");
	ck_assert_str_eq(v1_bad("PROXY TCP4\r\n"), "missing v1 field");
	ck_assert_str_eq(v1_bad("PROXY TCP6\r\n"), "missing v1 field");
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1 192.0.2.2 1 2 3\r\n"),
	    "extra v1 field");
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1 192.0.2.2 1 2 \r\n"),
	    "extra v1 field");

	ck_assert_str_eq(v1_bad("PROXY  TCP4 192.0.2.1 192.0.2.2 1 2\r\n"),
	    "bad v1 spacing");
	ck_assert_str_eq(v1_bad("PROXY TCP4  192.0.2.1 192.0.2.2 1 2\r\n"),
	    "bad v1 spacing");
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1  192.0.2.2 1 2\r\n"),
	    "bad v1 spacing");
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1 192.0.2.2  1 2\r\n"),
	    "bad v1 spacing");
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1 192.0.2.2 1  2\r\n"),
	    "bad v1 spacing");
	ck_assert_str_eq(v1_bad("PROXY TCP4 192.0.2.1 192.0.2.2 1 \r\n"),
	    "bad v1 spacing");
	ck_assert_str_eq(v1_bad("PROXY TCP4 \r\n"), "bad v1 spacing");
	ck_assert_str_eq(v1_bad("PROXY  UNKNOWN\r\n"), "bad v1 spacing");

	ck_assert_str_eq(v1_bad("PROXY TCP4\t192.0.2.1 192.0.2.2 1 2\r\n"),
	    "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY tcp4 192.0.2.1 192.0.2.2 1 2\r\n"),
	    "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY TCP5 192.0.2.1 192.0.2.2 1 2\r\n"),
	    "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY UDP4 192.0.2.1 192.0.2.2 1 2\r\n"),
	    "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY TCP 192.0.2.1 192.0.2.2 1 2\r\n"),
	    "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY TCP44 192.0.2.1 192.0.2.2 1 2\r\n"),
	    "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY UNKNOWNX\r\n"), "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY UNKNOW\r\n"), "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY unknown\r\n"), "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY X\r\n"), "bad v1 protocol");
}
END_TEST

/* A line that cannot end well is refused before its CRLF comes. */
START_TEST(v1_early)
{
	ck_assert_str_eq(v1_bad("PROXY X"), "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY TCP5"), "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY TCP4X"), "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY UNKNOWNX"), "bad v1 protocol");
	ck_assert_str_eq(v1_bad("PROXY  "), "bad v1 spacing");
	ck_assert_str_eq(v1_bad("PROXY TCP4 1.2.3.4x"), "bad v1 address");
	ck_assert_str_eq(v1_bad("PROXY TCP4 1.2.3.456789012345"),
	    "bad v1 address");
	ck_assert_str_eq(v1_bad("PROXY TCP4 ::"), "bad v1 address");
	ck_assert_str_eq(v1_bad("PROXY TCP6 ::g"), "bad v1 address");
	ck_assert_str_eq(v1_bad("PROXY TCP4 1.2.3.4  "), "bad v1 spacing");
	ck_assert_str_eq(v1_bad("PROXY TCP4 1.2.3.4 1.2.3.4 00"),
	    "bad v1 port");
	ck_assert_str_eq(v1_bad("PROXY TCP4 1.2.3.4 1.2.3.4 655360"),
	    "bad v1 port");
	ck_assert_str_eq(v1_bad("PROXY TCP4 1.2.3.4 1.2.3.4 65536"),
	    "bad v1 port");
	ck_assert_str_eq(v1_bad("PROXY TCP4 1.2.3.4 1.2.3.4 1 +"),
	    "bad v1 port");
	ck_assert_str_eq(v1_bad("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 "),
	    "extra v1 field");
	ck_assert_str_eq(v1_bad("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n"),
	    "v1 header ends in lf without cr");
}
END_TEST

START_TEST(v1_need_more)
{
	/* Until the first byte, the shortest header of any allowed version. */
	ck_assert_uint_eq(v1_need("", BOTH), 15);
	ck_assert_uint_eq(v1_need("", PROXY_V1), 15);
	ck_assert_uint_eq(v1_need("", PROXY_V2), 16);
	ck_assert_uint_eq(v1_need("P", BOTH), 15);
	ck_assert_uint_eq(v1_need("PROXY ", BOTH), 15);
	ck_assert_uint_eq(v1_need("PROXY TCP4", BOTH), 15);
	/* The shortest lines: "PROXY TCP4 0.0.0.0 0.0.0.0 0 0\r\n" ... */
	ck_assert_uint_eq(v1_need("PROXY TCP4 ", BOTH), 32);
	ck_assert_uint_eq(v1_need("PROXY TCP4 192.", BOTH), 32);
	ck_assert_uint_eq(v1_need("PROXY TCP4 192.0.2.1", BOTH), 34);
	ck_assert_uint_eq(v1_need("PROXY TCP4 192.0.2.1 1.2.3.4 ", BOTH),
	    34);
	/* ... "PROXY TCP6 :: :: 0 0\r\n". */
	ck_assert_uint_eq(v1_need("PROXY TCP6 ", BOTH), 22);
	ck_assert_uint_eq(v1_need("PROXY TCP6 2001:db8::", BOTH), 30);
	ck_assert_uint_eq(v1_need("PROXY UNKNOWN", BOTH), 15);
	ck_assert_uint_eq(v1_need("PROXY UNKNOWN ", BOTH), 16);
	ck_assert_uint_eq(v1_need("PROXY UNKNOWN\r", BOTH), 15);
	ck_assert_uint_eq(v1_need("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\r", BOTH),
	    32);
	ck_assert_uint_eq(v1_need("PROXY TCP4 1.2.3.4 1.2.3.4 1 2", BOTH),
	    32);
	ck_assert_uint_eq(v1_need("PROXY TCP4 1.2.3.4 1.2.3.4 1 ", BOTH),
	    32);
}
END_TEST

START_TEST(v2_inet)
{
	struct proxy_hdr	h;
	uint8_t			buf[128], body[12];
	size_t			len;

	body4(body, "192.0.2.1", "198.51.100.2", 56324, 443);
	len = v2_hdr(buf, 0x21, 0x11, body, sizeof(body));
	ck_assert_uint_eq(len, 28);
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	h = ok(buf, len + sizeof(PAYLOAD) - 1, len, BOTH);
	ck_assert_int_eq(h.version, 2);
	ck_assert_int_eq(h.local, 0);
	is_sin(&h.src, "192.0.2.1", 56324);
	is_sin(&h.dst, "198.51.100.2", 443);
	ok(buf, len, len, PROXY_V2);

	body4(body, "255.255.255.255", "0.0.0.0", 65535, 0);
	len = v2_hdr(buf, 0x21, 0x11, body, sizeof(body));
	h = ok(buf, len, len, BOTH);
	is_sin(&h.src, "255.255.255.255", 65535);
	is_sin(&h.dst, "0.0.0.0", 0);
}
END_TEST

START_TEST(v2_inet6)
{
	struct proxy_hdr	h;
	uint8_t			buf[128], body[36];
	size_t			len;

	body6(body, "2001:db8::1", "2001:db8::2", 1234, 80);
	len = v2_hdr(buf, 0x21, 0x21, body, sizeof(body));
	ck_assert_uint_eq(len, 52);
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	h = ok(buf, len + sizeof(PAYLOAD) - 1, len, BOTH);
	ck_assert_int_eq(h.version, 2);
	ck_assert_int_eq(h.local, 0);
	is_sin6(&h.src, "2001:db8::1", 1234);
	is_sin6(&h.dst, "2001:db8::2", 80);

	body6(body, "::ffff:192.0.2.1", V6MAX, 0, 65535);
	len = v2_hdr(buf, 0x21, 0x21, body, sizeof(body));
	h = ok(buf, len, len, PROXY_V2);
	is_sin6(&h.src, "::ffff:192.0.2.1", 0);
	is_sin6(&h.dst, V6MAX, 65535);
}
END_TEST

START_TEST(v2_local)
{
	struct proxy_hdr	h;
	uint8_t			buf[128], body[36];
	size_t			len;

	len = v2_hdr(buf, 0x20, 0x00, NULL, 0);
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	h = ok(buf, len + sizeof(PAYLOAD) - 1, len, BOTH);
	ck_assert_int_eq(h.version, 2);
	ck_assert_int_eq(h.local, 1);
	is_zero(&h.src);
	is_zero(&h.dst);

	/* LOCAL ignores the family and skips whatever addresses come. */
	body4(body, "192.0.2.1", "198.51.100.2", 56324, 443);
	len = v2_hdr(buf, 0x20, 0x11, body, 12);
	h = ok(buf, len, 28, BOTH);
	ck_assert_int_eq(h.local, 1);
	is_zero(&h.src);
	len = v2_hdr(buf, 0x20, 0x21, body, 5);
	h = ok(buf, len, 21, BOTH);
	ck_assert_int_eq(h.local, 1);
	len = v2_hdr(buf, 0x20, 0x12, NULL, 0);
	ck_assert_int_eq(ok(buf, len, 16, BOTH).local, 1);
	len = v2_hdr(buf, 0x20, 0xff, NULL, 0);
	ck_assert_int_eq(ok(buf, len, 16, BOTH).local, 1);
}
END_TEST

START_TEST(v2_unspec)
{
	struct proxy_hdr	h;
	uint8_t			buf[128];
	size_t			len;

	len = v2_hdr(buf, 0x21, 0x00, NULL, 0);
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	h = ok(buf, len + sizeof(PAYLOAD) - 1, len, BOTH);
	ck_assert_int_eq(h.version, 2);
	ck_assert_int_eq(h.local, 1);
	is_zero(&h.src);
	is_zero(&h.dst);

	/* Whatever is there is skipped. */
	len = v2_hdr(buf, 0x21, 0x00, "\1\2\3\4\5", 5);
	ck_assert_int_eq(ok(buf, len, 21, BOTH).local, 1);
	len = v2_hdr(buf, 0x21, 0x01, NULL, 12);
	ck_assert_int_eq(ok(buf, len, 28, BOTH).local, 1);
	len = v2_hdr(buf, 0x21, 0x02, NULL, 0);
	ck_assert_int_eq(ok(buf, len, 16, BOTH).local, 1);
}
END_TEST

START_TEST(v2_unix)
{
	struct proxy_hdr	h;
	uint8_t			buf[512], body[216];
	size_t			len;

	memset(body, 0, sizeof(body));
	memcpy(body, "/run/client.sock", 16);
	memcpy(body + 108, "/run/forkd.sock", 15);
	len = v2_hdr(buf, 0x21, 0x31, body, sizeof(body));
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	h = ok(buf, len + sizeof(PAYLOAD) - 1, 232, BOTH);
	ck_assert_int_eq(h.version, 2);
	ck_assert_int_eq(h.local, 1);
	is_zero(&h.src);
	is_zero(&h.dst);

	len = v2_hdr(buf, 0x21, 0x32, body, sizeof(body));
	ck_assert_int_eq(ok(buf, len, 232, BOTH).local, 1);
	/* The block is not used, so its length is not held against it. */
	len = v2_hdr(buf, 0x21, 0x31, NULL, 0);
	ck_assert_int_eq(ok(buf, len, 16, BOTH).local, 1);
}
END_TEST

START_TEST(v2_tlv)
{
	struct proxy_hdr	h;
	uint8_t			buf[PROXY_MAXLEN + 64], body[PROXY_V2_MAXLEN];
	size_t			len, n;

	/* Addresses, then a CRC32C, a 128-byte unique ID and a NOOP. */
	n = body4(body, "192.0.2.1", "198.51.100.2", 56324, 443);
	memcpy(body + n, "\x03\x00\x04\xde\xad\xbe\xef", 7);
	n += 7;
	memcpy(body + n, "\x05\x00\x80", 3);
	memset(body + n + 3, 'u', 128);
	n += 3 + 128;
	memcpy(body + n, "\x04\x00\x00", 3);
	n += 3;
	len = v2_hdr(buf, 0x21, 0x11, body, n);
	ck_assert_uint_eq(len, 16 + 12 + 7 + 131 + 3);
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	h = ok(buf, len + sizeof(PAYLOAD) - 1, len, BOTH);
	ck_assert_int_eq(h.local, 0);
	is_sin(&h.src, "192.0.2.1", 56324);
	is_sin(&h.dst, "198.51.100.2", 443);

	/* TLVs are skipped by the header's length, not walked. */
	n = body6(body, "2001:db8::1", "2001:db8::2", 1, 2);
	memset(body + n, 0xff, 100);
	len = v2_hdr(buf, 0x21, 0x21, body, n + 100);
	h = ok(buf, len, len, BOTH);
	is_sin6(&h.src, "2001:db8::1", 1);
	is_sin6(&h.dst, "2001:db8::2", 2);
}
END_TEST

START_TEST(v2_length)
{
	uint8_t	buf[PROXY_MAXLEN + 64];
	size_t	len;

	ck_assert_uint_ge(PROXY_V2_MAXLEN, 1024);
	len = v2_hdr(buf, 0x21, 0x11, NULL, PROXY_V2_MAXLEN);
	ck_assert_uint_eq(len, PROXY_MAXLEN);
	ck_assert_int_eq(ok(buf, len, len, BOTH).local, 0);
	len = v2_hdr(buf, 0x20, 0x00, NULL, PROXY_V2_MAXLEN);
	ck_assert_int_eq(ok(buf, len, len, BOTH).local, 1);

	/* Refused on the fixed part alone, before the body comes. */
	v2_hdr(buf, 0x21, 0x11, NULL, PROXY_V2_MAXLEN + 1);
	ck_assert_str_eq(bad(buf, 16, BOTH), "v2 header too long");
	v2_hdr(buf, 0x20, 0x00, NULL, PROXY_V2_MAXLEN + 1);
	ck_assert_str_eq(bad(buf, 16, BOTH), "v2 header too long");
	v2_hdr(buf, 0x21, 0x00, NULL, 0);
	buf[14] = buf[15] = 0xff;
	ck_assert_str_eq(bad(buf, 16, BOTH), "v2 header too long");

	/* The address block must be all there. */
	v2_hdr(buf, 0x21, 0x11, NULL, 11);
	ck_assert_str_eq(bad(buf, 16, BOTH), "v2 address block too short");
	v2_hdr(buf, 0x21, 0x11, NULL, 0);
	ck_assert_str_eq(bad(buf, 16, BOTH), "v2 address block too short");
	v2_hdr(buf, 0x21, 0x21, NULL, 35);
	ck_assert_str_eq(bad(buf, 16, BOTH), "v2 address block too short");
	len = v2_hdr(buf, 0x21, 0x21, NULL, 12);
	ck_assert_str_eq(bad(buf, len, BOTH), "v2 address block too short");
}
END_TEST

START_TEST(v2_signature)
{
	uint8_t	buf[64], body[12];
	size_t	len, i;

	body4(body, "192.0.2.1", "198.51.100.2", 56324, 443);
	len = v2_hdr(buf, 0x21, 0x11, body, sizeof(body));
	for (i = 0; i < 12; i++) {
		buf[i] ^= 0x01;
		ck_assert_str_eq(bad(buf, len, BOTH),
		    "not a PROXY protocol header");
		/* As soon as the byte that differs has come. */
		ck_assert_str_eq(bad(buf, i + 1, BOTH),
		    "not a PROXY protocol header");
		buf[i] ^= 0x01;
	}
	ck_assert_str_eq(bad("\r\n\r\n\0\r\nQUIT\r", 12, BOTH),
	    "not a PROXY protocol header");
	ck_assert_str_eq(bad("\r\n\r\n", 4, PROXY_V1),
	    "v2 header not allowed");
}
END_TEST

START_TEST(v2_version)
{
	static const uint8_t	vers[] = { 0x01, 0x11, 0x31, 0x30, 0xf1, 0x10 };
	uint8_t			buf[64];
	size_t			len, i;

	for (i = 0; i < sizeof(vers); i++) {
		len = v2_hdr(buf, vers[i], 0x11, NULL, 12);
		ck_assert_str_eq(bad(buf, len, BOTH),
		    "unsupported v2 version");
		ck_assert_str_eq(bad(buf, 13, BOTH),
		    "unsupported v2 version");
	}
}
END_TEST

START_TEST(v2_command)
{
	static const uint8_t	cmds[] = { 0x22, 0x23, 0x2f };
	uint8_t			buf[64];
	size_t			len, i;

	for (i = 0; i < sizeof(cmds); i++) {
		len = v2_hdr(buf, cmds[i], 0x11, NULL, 12);
		ck_assert_str_eq(bad(buf, len, BOTH),
		    "unsupported v2 command");
		ck_assert_str_eq(bad(buf, 13, BOTH),
		    "unsupported v2 command");
	}
}
END_TEST

START_TEST(v2_family)
{
	static const uint8_t	fams[] = { 0x41, 0x51, 0xf1, 0x40 };
	static const uint8_t	trs[] = {
		0x12, 0x22, 0x10, 0x20, 0x13, 0x23, 0x03, 0x33, 0x1f
	};
	uint8_t			buf[64];
	size_t			len, i;

	for (i = 0; i < sizeof(fams); i++) {
		len = v2_hdr(buf, 0x21, fams[i], NULL, 36);
		ck_assert_str_eq(bad(buf, len, BOTH),
		    "unsupported v2 address family");
		ck_assert_str_eq(bad(buf, 14, BOTH),
		    "unsupported v2 address family");
	}
	/* UDP is refused: this is a TCP connection. */
	for (i = 0; i < sizeof(trs); i++) {
		len = v2_hdr(buf, 0x21, trs[i], NULL, 36);
		ck_assert_str_eq(bad(buf, len, BOTH),
		    "unsupported v2 transport");
		ck_assert_str_eq(bad(buf, 14, BOTH),
		    "unsupported v2 transport");
	}
}
END_TEST

START_TEST(v2_need_more)
{
	struct proxy_hdr	 h;
	uint8_t			 buf[PROXY_MAXLEN + 64];
	const char		*errstr;
	size_t			 need, len;

	/* Every prefix of every kind of header asks for more. */
	len = v2_hdr(buf, 0x21, 0x11, NULL, 12);
	prefixes(buf, len, BOTH);
	prefixes(buf, len, PROXY_V2);
	len = v2_hdr(buf, 0x21, 0x21, NULL, 36 + 300);
	prefixes(buf, len, BOTH);
	len = v2_hdr(buf, 0x20, 0x00, NULL, 0);
	prefixes(buf, len, BOTH);
	len = v2_hdr(buf, 0x21, 0x31, NULL, PROXY_V2_MAXLEN);
	prefixes(buf, len, BOTH);

	/* With the fixed part in, need is the whole header. */
	len = v2_hdr(buf, 0x21, 0x11, NULL, 300);
	ck_assert_int_eq(proxy_parse(buf, 16, BOTH, &h, &need, &errstr), 0);
	ck_assert_uint_eq(need, len);
	ck_assert_int_eq(proxy_parse(buf, 15, BOTH, &h, &need, &errstr), 0);
	ck_assert_uint_eq(need, 16);
	ck_assert_int_eq(proxy_parse(buf, len - 1, BOTH, &h, &need, &errstr),
	    0);
	ck_assert_uint_eq(need, len);
}
END_TEST

START_TEST(accept_mask)
{
	uint8_t		 buf[64];
	const char	*line = "PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n";
	size_t		 len;

	ck_assert_str_eq(bad(line, strlen(line), PROXY_V2),
	    "v1 header not allowed");
	ck_assert_str_eq(bad("PROXY UNKNOWN\r\n", 15, PROXY_V2),
	    "v1 header not allowed");
	ck_assert_str_eq(bad(line, 6, PROXY_V2), "v1 header not allowed");
	ck_assert_str_eq(bad(line, 1, PROXY_V2), "v1 header not allowed");
	ck_assert_str_eq(bad(line, strlen(line), 0),
	    "no PROXY protocol version allowed");
	ck_assert_str_eq(bad("", 0, 0), "no PROXY protocol version allowed");

	len = v2_hdr(buf, 0x21, 0x11, NULL, 12);
	ck_assert_str_eq(bad(buf, len, PROXY_V1), "v2 header not allowed");
	ck_assert_str_eq(bad(buf, 16, PROXY_V1), "v2 header not allowed");
	ck_assert_str_eq(bad(buf, 1, PROXY_V1), "v2 header not allowed");
	ck_assert_str_eq(bad(buf, len, 0), "no PROXY protocol version allowed");

	/* Bits beyond the two versions are ignored. */
	ok(line, strlen(line), strlen(line), PROXY_V1 | 0x100);
	ok(buf, len, len, PROXY_V2 | 0x100);
}
END_TEST

START_TEST(not_proxy)
{
	ck_assert_str_eq(bad("GET / HTTP/1.0\r\n", 16, BOTH),
	    "not a PROXY protocol header");
	ck_assert_str_eq(bad("G", 1, BOTH), "not a PROXY protocol header");
	ck_assert_str_eq(bad("PROXYTCP4 1.2.3.4 1.2.3.4 1 2\r\n", 31, BOTH),
	    "not a PROXY protocol header");
	ck_assert_str_eq(bad("proxy TCP4", 10, BOTH),
	    "not a PROXY protocol header");
	ck_assert_str_eq(bad(" PROXY TCP4", 11, BOTH),
	    "not a PROXY protocol header");
	ck_assert_str_eq(bad("PRX", 3, BOTH), "not a PROXY protocol header");
	ck_assert_str_eq(bad("PROXY\r\n", 7, BOTH),
	    "not a PROXY protocol header");
	ck_assert_str_eq(bad("\r\n\r\nHELLO", 9, BOTH),
	    "not a PROXY protocol header");
	ck_assert_str_eq(bad("\0", 1, BOTH), "not a PROXY protocol header");
	ck_assert_str_eq(bad("\x16\x03\x01", 3, BOTH),
	    "not a PROXY protocol header");
	ck_assert_str_eq(bad("SSH-2.0-OpenSSH_9.2\r\n", 21, BOTH),
	    "not a PROXY protocol header");
}
END_TEST

START_TEST(null_outputs)
{
	struct proxy_hdr	h;
	const char		*line = "PROXY UNKNOWN\r\n";

	ck_assert_int_eq(proxy_parse(line, 15, BOTH, &h, NULL, NULL), 15);
	ck_assert_int_eq(proxy_parse(line, 14, BOTH, &h, NULL, NULL), 0);
	ck_assert_int_eq(proxy_parse("GET", 3, BOTH, &h, NULL, NULL), -1);
	ck_assert_int_eq(proxy_parse(line, 15, 0, &h, NULL, NULL), -1);
}
END_TEST

/* Headers of each kind, each followed by the client's first bytes. */
START_TEST(read_payload)
{
	static const char *const lines[] = {
		"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n",
		"PROXY TCP6 2001:db8::1 2001:db8::2 1234 80\r\n",
		"PROXY UNKNOWN\r\n",
		V1_LONGEST,
	};
	struct proxy_hdr	 h;
	uint8_t			 buf[PROXY_MAXLEN + 64], body[PROXY_V2_MAXLEN];
	const char		*errstr = NULL;
	size_t			 len, i;
	int			 fd[2];

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		pair(fd);
		len = strlen(lines[i]);
		memcpy(buf, lines[i], len);
		/* A client's first bytes that could pass for more header. */
		memcpy(buf + len, "\r\nPROXY", 7);
		send_all(fd[1], buf, len + 7);
		close(fd[1]);
		ck_assert_msg(proxy_read(fd[0], BOTH, 2000, &h, &errstr) == 0,
		    "%s: %s", lines[i], errstr);
		ck_assert_int_eq(h.version, 1);
		expect_rest(fd[0], "\r\nPROXY", 7);
		close(fd[0]);
	}

	pair(fd);
	len = v2_hdr(buf, 0x21, 0x11, NULL, 12);
	body4(buf + 16, "192.0.2.1", "198.51.100.2", 56324, 443);
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	send_all(fd[1], buf, len + sizeof(PAYLOAD) - 1);
	close(fd[1]);
	ck_assert_msg(proxy_read(fd[0], BOTH, 2000, &h, &errstr) == 0,
	    "%s", errstr);
	ck_assert_int_eq(h.version, 2);
	is_sin(&h.src, "192.0.2.1", 56324);
	expect_rest(fd[0], PAYLOAD, sizeof(PAYLOAD) - 1);
	close(fd[0]);

	pair(fd);
	memset(body, 'x', sizeof(body));
	len = v2_hdr(buf, 0x20, 0x00, body, sizeof(body));
	memcpy(buf + len, SIG, 12);
	send_all(fd[1], buf, len + 12);
	close(fd[1]);
	ck_assert_msg(proxy_read(fd[0], PROXY_V2, 2000, &h, &errstr) == 0,
	    "%s", errstr);
	ck_assert_int_eq(h.local, 1);
	expect_rest(fd[0], SIG, 12);
	close(fd[0]);
}
END_TEST

START_TEST(read_tcp)
{
	struct proxy_hdr	 h;
	const char		*line, *errstr = NULL;
	int			 fd[2];

	tcp_pair(fd);
	line = "PROXY TCP6 2001:db8::1 2001:db8::2 1234 80\r\n" PAYLOAD;
	send_all(fd[1], line, strlen(line));
	ck_assert_int_eq(shutdown(fd[1], SHUT_WR), 0);
	ck_assert_msg(proxy_read(fd[0], PROXY_V1, 2000, &h, &errstr) == 0,
	    "%s", errstr);
	is_sin6(&h.src, "2001:db8::1", 1234);
	is_sin6(&h.dst, "2001:db8::2", 80);
	expect_rest(fd[0], PAYLOAD, sizeof(PAYLOAD) - 1);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

START_TEST(read_nonblocking)
{
	struct proxy_hdr	 h;
	uint8_t			 buf[128];
	const char		*errstr = NULL;
	size_t			 len;
	pid_t			 pid;
	int			 fd[2];

	pair(fd);
	ck_assert_int_ne(fcntl(fd[0], F_SETFL, O_NONBLOCK), -1);
	len = v2_hdr(buf, 0x21, 0x21, NULL, 36);
	body6(buf + 16, "2001:db8::1", "2001:db8::2", 1, 2);
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	pid = trickle(fd[1], buf, len + sizeof(PAYLOAD) - 1, 7, 5);
	close(fd[1]);
	ck_assert_msg(proxy_read(fd[0], BOTH, 5000, &h, &errstr) == 0,
	    "%s", errstr);
	is_sin6(&h.dst, "2001:db8::2", 2);
	ck_assert_int_ne(fcntl(fd[0], F_SETFL, 0), -1);
	expect_rest(fd[0], PAYLOAD, sizeof(PAYLOAD) - 1);
	close(fd[0]);
	reap(pid);
}
END_TEST

/* One byte at a time from a writer process, header and payload. */
START_TEST(read_bytewise)
{
	static const char *const lines[] = {
		"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n" PAYLOAD,
		"PROXY UNKNOWN\r\n" PAYLOAD,
		"PROXY UNKNOWN x\r\n" PAYLOAD,
	};
	struct proxy_hdr	 h;
	uint8_t			 buf[128];
	const char		*errstr = NULL;
	size_t			 len, i;
	pid_t			 pid;
	int			 fd[2];

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		pair(fd);
		pid = trickle(fd[1], lines[i], strlen(lines[i]), 1, 1);
		close(fd[1]);
		ck_assert_msg(proxy_read(fd[0], BOTH, 5000, &h, &errstr) == 0,
		    "%s", errstr);
		ck_assert_int_eq(h.version, 1);
		expect_rest(fd[0], PAYLOAD, sizeof(PAYLOAD) - 1);
		close(fd[0]);
		reap(pid);
	}

	pair(fd);
	len = v2_hdr(buf, 0x21, 0x11, NULL, 12 + 20);
	body4(buf + 16, "192.0.2.1", "198.51.100.2", 56324, 443);
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	pid = trickle(fd[1], buf, len + sizeof(PAYLOAD) - 1, 1, 1);
	close(fd[1]);
	ck_assert_msg(proxy_read(fd[0], BOTH, 5000, &h, &errstr) == 0,
	    "%s", errstr);
	is_sin(&h.dst, "198.51.100.2", 443);
	expect_rest(fd[0], PAYLOAD, sizeof(PAYLOAD) - 1);
	close(fd[0]);
	reap(pid);
}
END_TEST

START_TEST(read_truncated)
{
	struct proxy_hdr	 h, before;
	uint8_t			 buf[64];
	const char		*errstr = NULL;
	size_t			 len;
	int			 fd[2];

	memset(&h, 0xa5, sizeof(h));
	before = h;

	pair(fd);
	send_all(fd[1], "PROXY TCP4 192.0.2.1 ", 21);
	close(fd[1]);
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 2000, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "truncated header");
	ck_assert(memcmp(&h, &before, sizeof(h)) == 0);
	close(fd[0]);

	pair(fd);
	len = v2_hdr(buf, 0x21, 0x11, NULL, 12);
	send_all(fd[1], buf, len - 1);
	close(fd[1]);
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 2000, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "truncated header");
	close(fd[0]);

	pair(fd);
	send_all(fd[1], "PROXY UNKNOWN\r", 14);
	close(fd[1]);
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 2000, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "truncated header");
	close(fd[0]);

	pair(fd);
	close(fd[1]);
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 2000, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "connection closed before header");
	close(fd[0]);
}
END_TEST

START_TEST(read_bad)
{
	struct proxy_hdr	 h;
	const char		*errstr = NULL;
	long			 t0;
	int			 fd[2];

	/* Refused on what has come, without waiting for more. */
	pair(fd);
	send_all(fd[1], "GET / HTTP/1.0\r\n", 16);
	t0 = wall_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 5000, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "not a PROXY protocol header");
	ck_assert_int_lt(wall_ms() - t0, 1000);
	close(fd[0]);
	close(fd[1]);

	pair(fd);
	send_all(fd[1], "PROXY TCP4 192.0.2.1 192.0.2.", 29);
	send_all(fd[1], "256 1 2\r\n", 9);
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 5000, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "bad v1 address");
	close(fd[0]);
	close(fd[1]);

	pair(fd);
	send_all(fd[1], "PROXY TCP4 1.2.3.4x", 19);
	t0 = wall_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 5000, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "bad v1 address");
	ck_assert_int_lt(wall_ms() - t0, 1000);
	close(fd[0]);
	close(fd[1]);

	pair(fd);
	send_all(fd[1], "PROXY UNKNOWN\r\n", 15);
	ck_assert_int_eq(proxy_read(fd[0], PROXY_V2, 5000, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "v1 header not allowed");
	close(fd[0]);
	close(fd[1]);

	/* A descriptor that is not open. */
	pair(fd);
	close(fd[0]);
	close(fd[1]);
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 1000, &h, &errstr), -1);
	ck_assert_str_eq(errstr, strerror(EBADF));
}
END_TEST

/*
 * Silence, or part of a header then silence, ends with the timeout, and
 * the wait for it costs next to no CPU.
 */
START_TEST(read_timeout)
{
	struct proxy_hdr	 h;
	const char		*errstr = NULL;
	long			 t0, c0, dt;
	int			 fd[2];

	pair(fd);
	t0 = wall_ms();
	c0 = cpu_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 200, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "timeout waiting for header");
	dt = wall_ms() - t0;
	ck_assert_int_ge(dt, 200);
	ck_assert_int_lt(dt, 1500);
	ck_assert_int_lt(cpu_ms() - c0, 50);
	close(fd[0]);
	close(fd[1]);

	pair(fd);
	send_all(fd[1], "PROXY TCP4 192.0.2.1 19", 23);
	t0 = wall_ms();
	c0 = cpu_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 200, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "timeout waiting for header");
	dt = wall_ms() - t0;
	ck_assert_int_ge(dt, 200);
	ck_assert_int_lt(dt, 1500);
	ck_assert_int_lt(cpu_ms() - c0, 50);
	close(fd[0]);
	close(fd[1]);

	pair(fd);
	send_all(fd[1], SIG "\x21\x11\x00\x0c", 16);
	c0 = cpu_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 200, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "timeout waiting for header");
	ck_assert_int_lt(cpu_ms() - c0, 50);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

/*
 * The timeout is for the whole header, however slowly it trickles in, and
 * a wait after the last byte ends with it too.
 */
START_TEST(read_deadline)
{
	struct proxy_hdr	 h;
	char			 line[PROXY_V1_MAXLEN];
	const char		*errstr = NULL;
	long			 t0, dt;
	pid_t			 pid;
	int			 fd[2];

	memset(line, 'x', sizeof(line));
	memcpy(line, "PROXY UNKNOWN ", 14);
	memcpy(line + sizeof(line) - 2, "\r\n", 2);

	/* The whole line would take more than 2 s. */
	pair(fd);
	pid = trickle(fd[1], line, sizeof(line), 1, 20);
	t0 = wall_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 300, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "timeout waiting for header");
	dt = wall_ms() - t0;
	ck_assert_int_ge(dt, 300);
	ck_assert_int_lt(dt, 1000);
	close(fd[0]);
	close(fd[1]);
	reap(pid);

	/* Bytes for some 350 ms, then nothing: 400 ms is all it gets. */
	pair(fd);
	pid = trickle(fd[1], line, 8, 1, 50);
	t0 = wall_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 400, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "timeout waiting for header");
	dt = wall_ms() - t0;
	ck_assert_int_ge(dt, 400);
	ck_assert_int_lt(dt, 600);
	close(fd[0]);
	close(fd[1]);
	reap(pid);
}
END_TEST

/* A signal in the middle of the wait is no reason to give up. */
START_TEST(read_eintr)
{
	struct sigaction	 sa;
	struct itimerval	 it;
	struct proxy_hdr	 h;
	const char		*line, *errstr = NULL;
	pid_t			 pid;
	int			 fd[2];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 20000;
	it.it_interval.tv_usec = 20000;
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);

	pair(fd);
	line = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n" PAYLOAD;
	pid = trickle(fd[1], line, strlen(line), 5, 30);
	close(fd[1]);
	ck_assert_msg(proxy_read(fd[0], BOTH, 5000, &h, &errstr) == 0,
	    "%s", errstr);
	memset(&it, 0, sizeof(it));
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	is_sin(&h.src, "192.0.2.1", 56324);
	expect_rest(fd[0], PAYLOAD, sizeof(PAYLOAD) - 1);
	close(fd[0]);
	reap(pid);
}
END_TEST

static Suite *
proxy_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("proxy");

	tc = tcase_create("v1");
	tcase_add_test(tc, v1_tcp4);
	tcase_add_test(tc, v1_tcp6);
	tcase_add_test(tc, v1_unknown);
	tcase_add_test(tc, v1_need_more);
	suite_add_tcase(s, tc);

	tc = tcase_create("v1 errors");
	tcase_add_test(tc, v1_length);
	tcase_add_test(tc, v1_line_end);
	tcase_add_test(tc, v1_ports);
	tcase_add_test(tc, v1_addresses);
	tcase_add_test(tc, v1_fields);
	tcase_add_test(tc, v1_early);
	suite_add_tcase(s, tc);

	tc = tcase_create("v2");
	tcase_add_test(tc, v2_inet);
	tcase_add_test(tc, v2_inet6);
	tcase_add_test(tc, v2_local);
	tcase_add_test(tc, v2_unspec);
	tcase_add_test(tc, v2_unix);
	tcase_add_test(tc, v2_tlv);
	tcase_add_test(tc, v2_need_more);
	suite_add_tcase(s, tc);

	tc = tcase_create("v2 errors");
	tcase_add_test(tc, v2_length);
	tcase_add_test(tc, v2_signature);
	tcase_add_test(tc, v2_version);
	tcase_add_test(tc, v2_command);
	tcase_add_test(tc, v2_family);
	suite_add_tcase(s, tc);

	tc = tcase_create("detection");
	tcase_add_test(tc, accept_mask);
	tcase_add_test(tc, not_proxy);
	tcase_add_test(tc, null_outputs);
	suite_add_tcase(s, tc);

	tc = tcase_create("read");
	tcase_add_test(tc, read_payload);
	tcase_add_test(tc, read_tcp);
	tcase_add_test(tc, read_nonblocking);
	tcase_add_test(tc, read_bytewise);
	tcase_add_test(tc, read_truncated);
	tcase_add_test(tc, read_bad);
	tcase_add_test(tc, read_timeout);
	tcase_add_test(tc, read_deadline);
	tcase_add_test(tc, read_eintr);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(proxy_suite)
