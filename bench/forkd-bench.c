/* SPDX-License-Identifier: ISC */
/*
 * forkd-bench: measure a TCP server on the loopback.  The load mode makes
 * n connections (or as many as a duration allows) with c of them in
 * flight, and reports connections per second, failures by kind and
 * latency percentiles; the hold mode opens k connections, waits for each
 * to be answered and keeps them open, optionally reading the memory of
 * the server and its children meanwhile, then checks that each is still
 * answered.  The load may be TLS (tls.c), with or without resumption,
 * and its payload a bulk of bytes.  This file holds the command line and
 * the reports.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>
/* Only strunvis() is used, the same in the OpenBSD and NetBSD flavours. */
#define LIBBSD_OPENBSD_VIS
#include <vis.h>

#include "bench.h"

#define DEF_CONCURRENCY	8
#define DEF_CONNECTIONS	10000
#define DEF_HOLD_S	5
#define DEF_SOURCES	16
#define DEF_TIMEOUT_MS	10000
#define FD_SPARE	16	/* stdio, epoll, signalfd, /proc reading */

struct opts {
	int		 family;
	unsigned int	 concurrency;
	uint64_t	 n;
	unsigned int	 seconds;
	char		*payload;
	size_t		 paylen;
	enum mode	 mode;
	uint64_t	 timeout_us;
	unsigned int	 nsrc;
	int		 sflag;
	int		 json;
	int		 reset;
	int		 tls;		/* -S */
	int		 resume;	/* -R */
	size_t		 bulk;		/* -b: bytes; 0: the payload */
	unsigned int	 hold;		/* connections to hold; 0: load */
	pid_t		 pid;
	const char	*host;
	const char	*port;
};

__attribute__((noreturn))
static void	usage(int);
static long long	number(const char *, char, long long, long long);
static size_t	size_arg(const char *, char);
static void	opts_parse(struct opts *, int, char *[]);
static void	opts_check(struct opts *, const char *, int, int, int);
static void	payload_bulk(struct opts *);
static void	client_init(struct client *, const struct opts *);
static void	nofile_raise(unsigned int, const char *);
static const char	*mode_name(enum mode);
static void	print_target(const struct client *, const struct opts *);
static uint64_t	failures(const struct tally *);
static void	print_failures(const struct tally *);
static void	json_failures(const char *, const struct tally *);
static void	json_string(const char *);
static void	report_extra(const struct client *, const struct opts *,
		    const struct load_result *);
static int	report_load(const struct client *, const struct opts *,
		    const struct load_result *);
static void	report_ramp(const struct client *, const struct opts *,
		    const struct hold_result *);
static void	report_check(const struct opts *,
		    const struct hold_result *);
static int	report_hold(const struct opts *, const struct hold_result *,
		    const struct pss *);
static int	run_load(struct client *, const struct opts *);
static int	run_hold(struct client *, const struct opts *);

static void
usage(int status)
{
	FILE	*f = status == 0 ? stdout : stderr;

	fprintf(f,
	    "usage: forkd-bench [-6jrRS] [-b bytes | -p payload] "
	    "[-c concurrency]\n"
	    "           [-m echo|eof|none] [-n connections | -t seconds] "
	    "[-s sources]\n"
	    "           [-T timeout_ms] host port\n"
	    "       forkd-bench -H connections [-6jr] [-c concurrency] "
	    "[-m echo|none] [-P pid]\n"
	    "           [-p payload] [-s sources] [-t seconds] "
	    "[-T timeout_ms] host port\n"
	    "\n"
	    "  -6          IPv6: connect from ::1 to host\n"
	    "  -b bytes    send bytes bytes (k, M, G: times 1024) of a\n"
	    "              pattern instead of the payload; report MB/s\n"
	    "  -c n        connections in flight (default %d)\n"
	    "  -H k        hold mode: open k connections, wait for their\n"
	    "              answers, keep them open for -t seconds (or\n"
	    "              until SIGUSR1), ask each of them once more\n"
	    "  -j          print one line of JSON instead of the summary\n"
	    "  -m mode     echo: read until the payload is back (default);\n"
	    "              eof: shut down the sending side, read until the\n"
	    "              server closes; none: read nothing\n"
	    "  -n n        connections to make (default %d)\n"
	    "  -P pid      with -H: the Pss of pid and of its children\n"
	    "  -p payload  what to send, vis(3) escapes decoded "
	    "(default ping\\n)\n"
	    "  -R          with -S: offer each slot's last session again\n"
	    "  -r          close with a RST: no TIME_WAIT on this side\n"
	    "  -S          TLS 1.3 (server name localhost, no certificate\n"
	    "              check): a handshake before the payload\n"
	    "  -s n        spread over 127.0.0.1 to 127.0.0.n (default %d)\n"
	    "  -T ms       give up on a connection that makes no progress\n"
	    "              for ms milliseconds (default %d)\n"
	    "  -t seconds  run for seconds instead of -n; with -H, how\n"
	    "              long to hold (default %d)\n"
	    "  -h          print this help\n",
	    DEF_CONCURRENCY, DEF_CONNECTIONS, DEF_SOURCES, DEF_TIMEOUT_MS,
	    DEF_HOLD_S);
	exit(status);
}

static long long
number(const char *s, char opt, long long min, long long max)
{
	const char	*errstr;
	long long	 v;

	v = strtonum(s, min, max, &errstr);
	if (errstr != NULL)
		errx(EX_USAGE, "-%c %s: %s (%lld to %lld)", opt, s, errstr,
		    min, max);
	return v;
}

static void
opts_parse(struct opts *o, int argc, char *argv[])
{
	const char	*payload = "ping\\n";
	int		 ch, nflag = 0, pflag = 0, tflag = 0;

	memset(o, 0, sizeof(*o));
	o->family = AF_INET;
	o->concurrency = DEF_CONCURRENCY;
	o->n = DEF_CONNECTIONS;
	o->mode = MODE_ECHO;
	o->timeout_us = (uint64_t)DEF_TIMEOUT_MS * 1000;
	o->nsrc = DEF_SOURCES;
	while ((ch = getopt(argc, argv, "6b:c:H:hjm:n:P:p:RrSs:T:t:")) != -1) {
		switch (ch) {
		case '6':
			o->family = AF_INET6;
			break;
		case 'b':
			o->bulk = size_arg(optarg, ch);
			break;
		case 'c':
			o->concurrency = (unsigned int)number(optarg, ch, 1,
			    1000000);
			break;
		case 'H':
			o->hold = (unsigned int)number(optarg, ch, 1, 1000000);
			break;
		case 'h':
			usage(0);
		case 'j':
			o->json = 1;
			break;
		case 'm':
			if (strcmp(optarg, "echo") == 0)
				o->mode = MODE_ECHO;
			else if (strcmp(optarg, "eof") == 0)
				o->mode = MODE_EOF;
			else if (strcmp(optarg, "none") == 0)
				o->mode = MODE_NONE;
			else
				errx(EX_USAGE, "-m %s: echo, eof or none",
				    optarg);
			break;
		case 'n':
			o->n = (uint64_t)number(optarg, ch, 1, 100000000);
			nflag = 1;
			break;
		case 'P':
			o->pid = (pid_t)number(optarg, ch, 1, INT_MAX);
			break;
		case 'p':
			payload = optarg;
			pflag = 1;
			break;
		case 'R':
			o->resume = 1;
			break;
		case 'r':
			o->reset = 1;
			break;
		case 'S':
			o->tls = 1;
			break;
		case 's':
			o->nsrc = (unsigned int)number(optarg, ch, 1,
			    BENCH_MAX_SRC);
			o->sflag = 1;
			break;
		case 'T':
			o->timeout_us = (uint64_t)number(optarg, ch, 1,
			    BENCH_CAP_S * 1000) * 1000;
			break;
		case 't':
			o->seconds = (unsigned int)number(optarg, ch, 1,
			    BENCH_CAP_S);
			tflag = 1;
			break;
		default:
			usage(EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage(EX_USAGE);
	o->host = argv[0];
	o->port = argv[1];
	opts_check(o, payload, nflag, pflag, tflag);
}

/* A number of bytes, with a k, M or G (times 1024) after it, or none. */
static size_t
size_arg(const char *s, char opt)
{
	char		*end;
	unsigned long long v;
	unsigned int	 shift = 0;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (end != s && *end != '\0' && end[1] == '\0') {
		switch (*end++) {
		case 'k': case 'K':
			shift = 10;
			break;
		case 'm': case 'M':
			shift = 20;
			break;
		case 'g': case 'G':
			shift = 30;
			break;
		default:
			end--;
			break;
		}
	}
	if (end == s || *end != '\0' || *s == '-' || errno != 0 || v == 0 ||
	    v > (BENCH_MAX_BULK >> shift))
		errx(EX_USAGE, "-%c %s: bytes from 1 to %u, with k, M or G "
		    "after them or none", opt, s, BENCH_MAX_BULK);
	return (size_t)(v << shift);
}

/* Options that exclude or imply others, and the payload decoded. */
static void
opts_check(struct opts *o, const char *payload, int nflag, int pflag,
    int tflag)
{
	int	len;

	if (o->hold == 0 && nflag && tflag)
		errx(EX_USAGE, "-n and -t exclude each other");
	if (o->hold == 0 && tflag)
		o->n = 0;
	if (o->hold > 0 && nflag)
		errx(EX_USAGE, "-n makes no sense with -H");
	if (o->hold > 0 && !tflag)
		o->seconds = DEF_HOLD_S;
	if (o->hold > 0 && o->mode == MODE_EOF)
		errx(EX_USAGE, "-m eof makes no sense with -H: the connections"
		    " are held open");
	if (o->hold == 0 && o->pid != 0)
		errx(EX_USAGE, "-P needs -H");
	if (o->hold > 0 && (o->tls || o->bulk > 0))
		errx(EX_USAGE, "-S and -b are for the load mode, not -H");
	if (o->resume && !o->tls)
		errx(EX_USAGE, "-R needs -S");
	if (o->bulk > 0 && pflag)
		errx(EX_USAGE, "-b and -p exclude each other");
	if (o->family == AF_INET6 && o->sflag && o->nsrc > 1)
		errx(EX_USAGE, "-s: IPv6 has one loopback address, ::1");
	if (o->family == AF_INET6)
		o->nsrc = 1;

	if (o->bulk > 0) {
		payload_bulk(o);
		return;
	}
	/* Decoding never makes a string longer; \000 may be part of it. */
	if ((o->payload = malloc(strlen(payload) + 1)) == NULL)
		err(1, NULL);
	if ((len = strunvis(o->payload, payload)) == -1)
		errx(EX_USAGE, "-p %s: bad escape sequence", payload);
	o->paylen = (size_t)len;
}

/*
 * The bulk payload: bytes counting modulo 251, a prime, so that an echo
 * that loses, repeats or reorders a block of any power-of-two size comes
 * back different.
 */
static void
payload_bulk(struct opts *o)
{
	size_t	i;

	if ((o->payload = malloc(o->bulk)) == NULL)
		err(1, "-b %zu", o->bulk);
	for (i = 0; i < o->bulk; i++)
		o->payload[i] = (char)(i % 251);
	o->paylen = o->bulk;
}

/*
 * The server's address, which must be a loopback one: the sources are
 * 127.0.0.x or ::1, which reach nothing else.
 */
static void
client_init(struct client *cl, const struct opts *o)
{
	struct addrinfo		 hints, *res;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	size_t			 i;
	int			 error, loop;

	memset(cl, 0, sizeof(*cl));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->family;
	hints.ai_socktype = SOCK_STREAM;
	if ((error = getaddrinfo(o->host, o->port, &hints, &res)) != 0)
		errx(EX_NOHOST, "%s port %s: %s", o->host, o->port,
		    gai_strerror(error));
	memcpy(&cl->dst, res->ai_addr, res->ai_addrlen);
	cl->dstlen = res->ai_addrlen;
	freeaddrinfo(res);
	if (o->family == AF_INET) {
		sin = (struct sockaddr_in *)&cl->dst;
		loop = ntohl(sin->sin_addr.s_addr) >> 24 == IN_LOOPBACKNET;
	} else {
		sin6 = (struct sockaddr_in6 *)&cl->dst;
		loop = IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr);
	}
	if (!loop)
		errx(EX_USAGE, "%s: not a loopback address; forkd-bench "
		    "measures servers on this host only", o->host);

	cl->nsrc = o->nsrc;
	for (i = 0; i < cl->nsrc; i++) {
		if (o->family == AF_INET) {
			sin = (struct sockaddr_in *)&cl->src[i];
			sin->sin_family = AF_INET;
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK + i);
			cl->srclen = sizeof(*sin);
		} else {
			sin6 = (struct sockaddr_in6 *)&cl->src[i];
			sin6->sin6_family = AF_INET6;
			sin6->sin6_addr = in6addr_loopback;
			cl->srclen = sizeof(*sin6);
		}
	}
	cl->payload = o->payload;
	cl->paylen = o->paylen;
	cl->mode = o->mode;
	cl->reset = o->reset;
	if (o->tls)
		cl->tls = tls_new(o->resume);
	/*
	 * In echo mode an exchange is complete when the payload is back; a
	 * held connection with nothing to send waits for the server to
	 * speak first, one byte of it.
	 */
	cl->want = o->paylen;
	if (o->hold > 0 && o->paylen == 0)
		cl->want = 1;
}

/*
 * Raise the soft limit on descriptors to the hard one, and check that
 * the connections fit below it.
 */
static void
nofile_raise(unsigned int conns, const char *what)
{
	struct rlimit	rl;
	rlim_t		need = (rlim_t)conns + FD_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		err(1, "getrlimit");
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
		errx(EX_USAGE, "%u %s need %llu descriptors, the hard limit "
		    "is %llu: raise it (ulimit -Hn, prlimit --nofile)",
		    conns, what, (unsigned long long)need,
		    (unsigned long long)rl.rlim_max);
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			err(1, "setrlimit");
	}
}

static const char *
mode_name(enum mode m)
{
	switch (m) {
	case MODE_ECHO:
		return "echo";
	case MODE_EOF:
		return "eof";
	case MODE_NONE:
		break;
	}
	return "none";
}

static void
print_target(const struct client *cl, const struct opts *o)
{
	char	host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getnameinfo((const struct sockaddr *)&cl->dst, cl->dstlen,
	    host, sizeof(host), serv, sizeof(serv),
	    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
		strlcpy(host, o->host, sizeof(host));
		strlcpy(serv, o->port, sizeof(serv));
	}
	printf("%s port %s%s, %s, %zu bytes of %s, concurrency %u, "
	    "%u source address%s%s\n", host, serv,
	    !o->tls ? "" : o->resume ? ", TLS with resumption" : ", TLS",
	    mode_name(o->mode), o->paylen, o->bulk > 0 ? "bulk" : "payload",
	    o->concurrency, o->nsrc, o->nsrc == 1 ? "" : "es",
	    o->reset ? ", reset on close" : "");
}

static uint64_t
failures(const struct tally *t)
{
	uint64_t	sum = 0;
	int		i;

	for (i = 0; i < FAIL_NKINDS; i++)
		sum += t->fail[i];
	return sum;
}

static void
print_failures(const struct tally *t)
{
	int	i;

	printf("failures: %ju", (uintmax_t)failures(t));
	for (i = 0; i < FAIL_NKINDS; i++)
		printf("%s%s %ju", i == 0 ? " (" : ", ", fail_name(i),
		    (uintmax_t)t->fail[i]);
	printf(")\n");
	if (t->other_seen)
		printf("first other failure: %s\n", t->other_err == 0 ?
		    "the reply is not the payload" : strerror(t->other_err));
	if (t->aborted > 0)
		printf("interrupted: %ju connections in flight not counted\n",
		    (uintmax_t)t->aborted);
}

/* "failures":{...},"aborted":n, each name after prefix. */
static void
json_failures(const char *prefix, const struct tally *t)
{
	int	i;

	printf("\"%sfailures\":{", prefix);
	for (i = 0; i < FAIL_NKINDS; i++)
		printf("%s\"%s\":%ju", i == 0 ? "" : ",", fail_name(i),
		    (uintmax_t)t->fail[i]);
	printf("},\"%saborted\":%ju", prefix, (uintmax_t)t->aborted);
}

/* A JSON string of a message: a quote or a backslash becomes a '. */
static void
json_string(const char *s)
{
	putchar('"');
	for (; *s != '\0'; s++)
		putchar(*s == '"' || *s == '\\' || (unsigned char)*s < ' ' ?
		    '\'' : *s);
	putchar('"');
}

/*
 * The bytes echoed (all connections, the failed ones included: a bulk
 * run cut by the cap still moved them), in MB of 10^6 bytes a second,
 * with -b; the handshakes with -S.
 */
static void
report_extra(const struct client *cl, const struct opts *o,
    const struct load_result *r)
{
	double		s = r->elapsed_us / 1e6;
	double		mbs = s > 0 ? cl->received / s / 1e6 : 0;
	const char	*e = tls_first_error(cl->tls);

	if (o->json) {
		if (o->bulk > 0)
			printf(",\"received_bytes\":%ju,\"mb_per_s\":%.1f",
			    (uintmax_t)cl->received, mbs);
		if (o->tls)
			printf(",\"handshakes\":%ju,\"offered\":%ju,"
			    "\"resumed\":%ju", (uintmax_t)cl->handshakes,
			    (uintmax_t)cl->offered, (uintmax_t)cl->resumed);
		if (e != NULL) {
			printf(",\"tls_error\":");
			json_string(e);
		}
		return;
	}
	if (o->bulk > 0)
		printf("%ju bytes echoed: %.1f MB/s\n",
		    (uintmax_t)cl->received, mbs);
	if (o->tls)
		printf("TLS 1.3: %ju handshakes, %ju offered a session, "
		    "%ju resumed\n", (uintmax_t)cl->handshakes,
		    (uintmax_t)cl->offered, (uintmax_t)cl->resumed);
	if (e != NULL)
		printf("first tls failure: %s\n", e);
}

/* Returns the exit status: 1 if any connection failed or was cut. */
static int
report_load(const struct client *cl, const struct opts *o,
    const struct load_result *r)
{
	double		s = r->elapsed_us / 1e6;
	double		rate = s > 0 ? r->tally.ok / s : 0;
	uint64_t	nfail = failures(&r->tally);

	if (o->json) {
		printf("{\"mode\":\"%s\",\"concurrency\":%u,"
		    "\"connections\":%ju,\"ok\":%ju,\"seconds\":%.3f,"
		    "\"conn_per_s\":%.1f,", mode_name(o->mode),
		    o->concurrency, (uintmax_t)(r->tally.ok + nfail),
		    (uintmax_t)r->tally.ok, s, rate);
		json_failures("", &r->tally);
		report_extra(cl, o, r);
		printf(",\"latency_us\":{\"p50\":%u,\"p90\":%u,\"p99\":%u,"
		    "\"max\":%u}}\n", load_percentile(r, 50),
		    load_percentile(r, 90), load_percentile(r, 99),
		    load_percentile(r, 100));
	} else {
		print_target(cl, o);
		printf("%ju connections in %.3f s, %ju good: %.1f conn/s\n",
		    (uintmax_t)(r->tally.ok + nfail), s,
		    (uintmax_t)r->tally.ok, rate);
		print_failures(&r->tally);
		report_extra(cl, o, r);
		printf("latency (us, connect to close): p50 %u, p90 %u, "
		    "p99 %u, max %u\n", load_percentile(r, 50),
		    load_percentile(r, 90), load_percentile(r, 99),
		    load_percentile(r, 100));
	}
	return nfail > 0 || r->tally.aborted > 0 || r->interrupted;
}

static void
report_ramp(const struct client *cl, const struct opts *o,
    const struct hold_result *hr)
{
	if (o->json)
		return;
	printf("hold: ");
	print_target(cl, o);
	printf("%u connections: %ju established, %ju answered in %.3f s\n",
	    o->hold, (uintmax_t)hr->established, (uintmax_t)hr->tally.ok,
	    hr->ramp_us / 1e6);
	print_failures(&hr->tally);
	if (!hr->interrupted)
		printf("holding %ju connections for %u s\n",
		    (uintmax_t)hr->tally.ok, o->seconds);
	fflush(stdout);
}

/* The check at the end of a hold, if there was one. */
static void
report_check(const struct opts *o, const struct hold_result *hr)
{
	if (hr->asked == 0 && failures(&hr->check) == 0)
		return;
	if (o->json) {
		printf(",\"checked\":%ju,\"check_answered\":%ju,"
		    "\"check_seconds\":%.3f,", (uintmax_t)hr->asked,
		    (uintmax_t)hr->check.ok, hr->check_us / 1e6);
		json_failures("check_", &hr->check);
		return;
	}
	printf("check: %ju held connections asked again, %ju answered in "
	    "%.3f s\n", (uintmax_t)hr->asked, (uintmax_t)hr->check.ok,
	    hr->check_us / 1e6);
	print_failures(&hr->check);
}

/* pss is NULL without -P, or when it could not be read. */
static int
report_hold(const struct opts *o, const struct hold_result *hr,
    const struct pss *pss)
{
	double	avg = 0;

	if (pss != NULL && pss->nchildren > 0)
		avg = (double)pss->children_kb / pss->nchildren;
	if (o->json) {
		printf("{\"hold\":%u,\"established\":%ju,\"answered\":%ju,"
		    "\"seconds\":%.3f,", o->hold, (uintmax_t)hr->established,
		    (uintmax_t)hr->tally.ok, hr->ramp_us / 1e6);
		json_failures("", &hr->tally);
		printf(",\"held_seconds\":%.3f,\"dropped\":%ju",
		    hr->held_us / 1e6, (uintmax_t)hr->dropped);
		report_check(o, hr);
		if (pss != NULL)
			printf(",\"pss_kb\":{\"pid\":%ld,\"master\":%ld,"
			    "\"children\":%u,\"children_total\":%lu,"
			    "\"child_avg\":%.1f}", (long)o->pid,
			    pss->master_kb, pss->nchildren,
			    pss->children_kb, avg);
		printf("}\n");
	} else {
		if (hr->held_us > 0)
			printf("held for %.3f s%s; %ju closed by the server "
			    "meanwhile\n", hr->held_us / 1e6,
			    hr->released ? " (until SIGUSR1)" : "",
			    (uintmax_t)hr->dropped);
		report_check(o, hr);
		if (pss != NULL)
			printf("pid %ld: Pss %ld kB; %u children, Pss %lu kB "
			    "in all, %.1f kB each\n", (long)o->pid,
			    pss->master_kb, pss->nchildren,
			    pss->children_kb, avg);
	}
	return failures(&hr->tally) > 0 || hr->tally.aborted > 0 ||
	    hr->dropped > 0 || failures(&hr->check) > 0 ||
	    hr->check.aborted > 0 || hr->interrupted;
}

static int
run_load(struct client *cl, const struct opts *o)
{
	struct load		l;
	struct load_result	r;
	int			status;

	nofile_raise(o->concurrency, "connections in flight");
	memset(&l, 0, sizeof(l));
	l.n = o->n;
	l.seconds = o->seconds;
	l.concurrency = o->concurrency;
	l.timeout_us = o->timeout_us;
	memset(&r, 0, sizeof(r));
	load_run(cl, &l, &r);
	status = report_load(cl, o, &r);
	free(r.lat);
	return status;
}

/*
 * The Pss is read once all the connections are answered: by then every
 * child has been forked and waits for its client.  The check at the end
 * needs an echo to compare: not with -m none, nor with -p ''.
 */
static int
run_hold(struct client *cl, const struct opts *o)
{
	struct hold		h;
	struct hold_result	hr;
	struct pss		pss, *pp = NULL;
	int			status;

	nofile_raise(o->hold, "connections to hold");
	memset(&h, 0, sizeof(h));
	h.k = o->hold;
	h.concurrency = o->concurrency;
	h.timeout_us = o->timeout_us;
	h.seconds = o->seconds;
	memset(&hr, 0, sizeof(hr));
	hold_open(cl, &h, &hr);
	report_ramp(cl, o, &hr);
	if (o->pid != 0 && !hr.interrupted) {
		if (pss_read(o->pid, &pss) == 0)
			pp = &pss;
		else
			warn("pid %ld: Pss", (long)o->pid);
	}
	if (!hr.interrupted)
		hold_keep(cl, &h, &hr);
	if (!hr.interrupted && o->mode == MODE_ECHO && o->paylen > 0)
		hold_check(cl, &h, &hr);
	status = report_hold(o, &hr, pp);
	hold_close(cl, &h);
	return status;
}

int
main(int argc, char *argv[])
{
	struct opts	o;
	struct client	cl;
	int		status;

	opts_parse(&o, argc, argv);
	client_init(&cl, &o);
	if (o.hold > 0)
		status = run_hold(&cl, &o);
	else
		status = run_load(&cl, &o);
	tls_free(cl.tls);
	free(o.payload);
	return status;
}
