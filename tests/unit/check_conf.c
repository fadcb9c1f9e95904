/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "conf.h"
#include "check_main.h"

#define NAME		"test.conf"
/* A minimal valid service around some directives. */
#define SVC(body)	"service s {\nlisten 127.0.0.1:7000\nhandler echo\n" \
			body "\n}\n"

static char		*joined(const struct conf_errors *);
static struct conf	*ok(const char *);
static char		*expand(const char *, const char *);
static void		 errors_are(const struct conf_errors *,
			    const char *, const char *const *);
static void		 bad(const char *, const char *const *);
static struct conf_service *first(struct conf *);
static void		 cidr_is(const struct cidr *, const char *,
			    unsigned int);
static struct conf	*cmdline(const char *, char **, char **);
static void		 cmdline_bad(const char *, char **, char **,
			    const char *const *);
static void		 other_ids(char *, size_t, uid_t *, char *, size_t,
			    gid_t *);
static void		 trust_dir(char *, char *, size_t);
static void		 trusted(const char *, const char *);
static void		 unprivileged(void);
static void		 privileged(void);
static uint32_t		 rnd(uint32_t *);
static void		 survives(const char *, size_t);
static Suite		*conf_suite(void);

/* Every message on its own line, for assertion messages. */
static char *
joined(const struct conf_errors *errs)
{
	static char	buf[8192];
	size_t		i;

	buf[0] = '\0';
	for (i = 0; i < errs->n; i++) {
		strlcat(buf, "\n\t", sizeof(buf));
		strlcat(buf, errs->msg[i], sizeof(buf));
	}
	return buf;
}

static struct conf *
ok(const char *text)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;

	conf = conf_parse_string(NAME, text, strlen(text), &errs);
	ck_assert_msg(conf != NULL && errs.n == 0, "refused:%s\n---\n%s",
	    joined(&errs), text);
	return conf;
}

/* The template with every "%F" replaced by path. */
static char *
expand(const char *tmpl, const char *path)
{
	char		*out, *o;
	const char	*t;

	out = o = malloc(strlen(tmpl) * (strlen(path) + 1) + 1);
	ck_assert_ptr_nonnull(out);
	for (t = tmpl; *t != '\0'; t++) {
		if (t[0] == '%' && t[1] == 'F') {
			o = stpcpy(o, path);
			t++;
		} else
			*o++ = *t;
	}
	*o = '\0';
	return out;
}

/*
 * Exactly these messages, in this order; each is "%F:" (the file name)
 * followed by the expected text.
 */
static void
errors_are(const struct conf_errors *errs, const char *file,
    const char *const *want)
{
	char	*w;
	size_t	 i, n;

	for (n = 0; want[n] != NULL; n++)
		;
	for (i = 0; i < n && i < errs->n; i++) {
		w = expand(want[i], file);
		ck_assert_msg(strcmp(errs->msg[i], w) == 0,
		    "message %zu is\n\t%s\nnot\n\t%s\nall:%s", i, errs->msg[i],
		    w, joined(errs));
		free(w);
	}
	ck_assert_msg(errs->n == n, "%zu messages, not %zu:%s", errs->n, n,
	    joined(errs));
}

static void
bad(const char *text, const char *const *want)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;

	conf = conf_parse_string(NAME, text, strlen(text), &errs);
	ck_assert_msg(conf == NULL, "accepted:\n%s", text);
	errors_are(&errs, NAME, want);
	conf_errors_free(&errs);
}

static struct conf_service *
first(struct conf *conf)
{
	ck_assert_ptr_nonnull(TAILQ_FIRST(&conf->services));
	return TAILQ_FIRST(&conf->services);
}

static void
cidr_is(const struct cidr *c, const char *addr, unsigned int prefix)
{
	struct cidr	want;

	memset(&want, 0, sizeof(want));
	want.family = strchr(addr, ':') != NULL ? AF_INET6 : AF_INET;
	ck_assert_int_eq(inet_pton(want.family, addr, want.addr), 1);
	ck_assert_int_eq(c->family, want.family);
	ck_assert_uint_eq(c->prefix, prefix);
	ck_assert(memcmp(c->addr, want.addr, sizeof(want.addr)) == 0);
}

static struct conf *
cmdline(const char *listen, char **words, char **opts)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;
	int			 argc = 0;
	size_t			 nopts = 0;

	while (words[argc] != NULL)
		argc++;
	while (opts != NULL && opts[nopts] != NULL)
		nopts++;
	conf = conf_cmdline(listen, argc, words, opts, nopts, &errs);
	ck_assert_msg(conf != NULL && errs.n == 0, "refused:%s",
	    joined(&errs));
	return conf;
}

static void
cmdline_bad(const char *listen, char **words, char **opts,
    const char *const *want)
{
	struct conf_errors	 errs = { NULL, 0 };
	int			 argc = 0;
	size_t			 nopts = 0;

	while (words[argc] != NULL)
		argc++;
	while (opts != NULL && opts[nopts] != NULL)
		nopts++;
	ck_assert_ptr_null(conf_cmdline(listen, argc, words, opts, nopts,
	    &errs));
	errors_are(&errs, "", want);
	conf_errors_free(&errs);
}

/*
 * A user and a group of this system other than root, with plain names:
 * the ids of a master that is not root.
 */
static void
other_ids(char *user, size_t ulen, uid_t *uid, char *group, size_t glen,
    gid_t *gid)
{
	struct passwd	*pw;
	struct group	*gr;
	const char	*plain = "abcdefghijklmnopqrstuvwxyz0123456789_-";

	setpwent();
	while ((pw = getpwent()) != NULL)
		if (pw->pw_uid != 0 && pw->pw_name[0] != '\0' &&
		    pw->pw_name[strspn(pw->pw_name, plain)] == '\0')
			break;
	ck_assert_msg(pw != NULL, "no user but root");
	strlcpy(user, pw->pw_name, ulen);
	*uid = pw->pw_uid;
	endpwent();
	setgrent();
	while ((gr = getgrent()) != NULL)
		if (gr->gr_gid != 0 && gr->gr_name[0] != '\0' &&
		    gr->gr_name[strspn(gr->gr_name, plain)] == '\0')
			break;
	ck_assert_msg(gr != NULL, "no group but root's");
	strlcpy(group, gr->gr_name, glen);
	*gid = gr->gr_gid;
	endgrent();
}

/* xorshift32: the same "random" buffers on every run. */
static uint32_t
rnd(uint32_t *state)
{
	uint32_t	x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

/*
 * Whatever the input: no crash (ASan and UBSan watch), a configuration or
 * errors but not both, and every error shaped "name:line: message".
 */
static void
survives(const char *buf, size_t len)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;
	size_t			 i;
	char			*end;

	conf = conf_parse_string("fuzz", buf, len, &errs);
	ck_assert((conf == NULL) == (errs.n > 0));
	ck_assert_uint_le(errs.n, 101);
	for (i = 0; i < errs.n; i++) {
		ck_assert_msg(strncmp(errs.msg[i], "fuzz:", 5) == 0 &&
		    strtol(errs.msg[i] + 5, &end, 10) > 0 &&
		    strncmp(end, ": ", 2) == 0, "%s", errs.msg[i]);
	}
	conf_free(conf);
	conf_errors_free(&errs);
}

/*
 * Lexical rules.
 */

START_TEST(test_separators_comments)
{
	struct conf		*conf;
	struct conf_service	*a, *b;

	conf = ok("# a comment\n"
	    "max-children 7 # after a directive\n"
	    "service a { listen 127.0.0.1:7001; handler echo } # closed\n"
	    "service b{listen 127.0.0.1:7002;handler discard;timeout 3}\n"
	    "\n\t  \n;;\n");
	ck_assert_uint_eq(conf->max_children, 7);
	ck_assert_uint_eq(conf->nservices, 2);
	a = first(conf);
	b = TAILQ_NEXT(a, entry);
	ck_assert_str_eq(a->name, "a");
	ck_assert_int_eq(a->line, 3);
	ck_assert_str_eq(b->name, "b");
	ck_assert_str_eq(b->argv[0], "discard");
	ck_assert_uint_eq(b->s.timeout, 3000);
	conf_free(conf);
}
END_TEST

START_TEST(test_crlf)
{
	struct conf	*conf;

	conf = ok("max-children 3\r\nservice a {\r\nlisten 127.0.0.1:1\r\n"
	    "handler echo\r\n}\r\n");
	ck_assert_uint_eq(conf->max_children, 3);
	ck_assert_str_eq(first(conf)->listen[0].text, "127.0.0.1:1");
	conf_free(conf);
}
END_TEST

START_TEST(test_escapes)
{
	struct conf	*conf;

	conf = ok(SVC("refuse-message "
	    "\"q\\\" b\\\\ n\\n r\\r t\\t # ; { } ,\""));
	ck_assert_str_eq(first(conf)->s.refuse_message,
	    "q\" b\\ n\n r\r t\t # ; { } ,");
	conf_free(conf);
}
END_TEST

START_TEST(test_concatenation)
{
	struct conf		*conf;
	struct conf_service	*cs;

	conf = ok(SVC("env A=\"x y\" \"B\"=z C=\"\""));
	cs = first(conf);
	ck_assert_uint_eq(cs->s.nenv, 3);
	ck_assert_str_eq(cs->s.env[0], "A=x y");
	ck_assert_str_eq(cs->s.env[1], "B=z");
	ck_assert_str_eq(cs->s.env[2], "C=");
	conf_free(conf);

	conf = ok("service s { listen 127.0.0.1:1\n"
	    "exec /bin/echo \"\" a\"b\"c }");
	cs = first(conf);
	ck_assert_int_eq(cs->argc, 3);
	ck_assert_str_eq(cs->argv[1], "");
	ck_assert_str_eq(cs->argv[2], "abc");
	ck_assert_ptr_null(cs->argv[3]);
	conf_free(conf);
}
END_TEST

START_TEST(test_lists)
{
	struct conf		*conf;
	struct conf_service	*cs;

	conf = ok("service s {\n"
	    "listen 127.0.0.1:1,127.0.0.2:1 127.0.0.3:1 , [::1]:1\n"
	    "handler echo\n"
	    "allow 10.0.0.0/8,::1\n"
	    "deny 0.0.0.0/0 , ::/0\n"
	    "passenv HOME,TZ LANG\n"
	    "}\n");
	cs = first(conf);
	ck_assert_uint_eq(cs->nlisten, 4);
	ck_assert_str_eq(cs->listen[1].text, "127.0.0.2:1");
	ck_assert_str_eq(cs->listen[3].text, "[::1]:1");
	ck_assert_int_eq(cs->listen[3].line, 2);
	ck_assert_uint_eq(cs->s.nacl, 4);
	ck_assert_int_eq(cs->s.acl[1].allow, 1);
	cidr_is(&cs->s.acl[1].net, "::1", 128);
	ck_assert_int_eq(cs->s.acl[2].allow, 0);
	cidr_is(&cs->s.acl[2].net, "0.0.0.0", 0);
	ck_assert_uint_eq(cs->s.npassenv, 3);
	ck_assert_str_eq(cs->s.passenv[2], "LANG");
	conf_free(conf);

	bad(SVC("passenv A,,B"), (const char *[]){
	    "%F:4: unexpected \",\"", NULL });
	bad(SVC("allow ,::1"), (const char *[]){
	    "%F:4: unexpected \",\"", NULL });
	bad(SVC("allow ::1,"), (const char *[]){
	    "%F:4: unexpected \",\"", NULL });
	bad(SVC("timeout 1s,"), (const char *[]){
	    "%F:4: unexpected \",\"", NULL });
}
END_TEST

START_TEST(test_lexical_errors)
{
	bad("user \"abc\n"
	    "user \"a\\xb\"\n"
	    "user \"abc\\\n"
	    "user a\"b\n"
	    "env \"A=\\\"\n"
	    "user \"abc", (const char *[]){
	    "%F:1: unterminated string",
	    "%F:2: bad escape \"\\x\"",
	    "%F:3: unterminated string",
	    "%F:4: unterminated string",
	    "%F:5: unterminated string",
	    "%F:6: unterminated string", NULL });
}
END_TEST

/*
 * A word in a message: UTF-8 as it is, anything a terminal could act on
 * or that is not UTF-8 (RFC 3629) escaped byte by byte.
 */
static const struct {
	const char	*word;
	const char	*shown;
} quoted[] = {
	{ "caf\xc3\xa9", "caf\xc3\xa9" },
	{ "\xc2\xa0", "\xc2\xa0" },			/* U+00A0 */
	{ "\xe2\x82\xac", "\xe2\x82\xac" },		/* U+20AC */
	{ "\xed\x9f\xbf", "\xed\x9f\xbf" },		/* U+D7FF */
	{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80" },	/* U+1F600 */
	{ "\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf" },	/* U+10FFFF */
	/* C1 controls: U+009B is CSI, ESC [ in one character. */
	{ "\xc2\x9b" "31m", "\\xc2\\x9b" "31m" },
	{ "\xc2\x80", "\\xc2\\x80" },
	{ "\xc2\x9f", "\\xc2\\x9f" },
	/* Overlong forms. */
	{ "\xc0\xaf", "\\xc0\\xaf" },
	{ "\xc1\x9b", "\\xc1\\x9b" },
	{ "\xe0\x80\x9b", "\\xe0\\x80\\x9b" },
	{ "\xe0\x9f\xbf", "\\xe0\\x9f\\xbf" },
	{ "\xf0\x8f\xbf\xbf", "\\xf0\\x8f\\xbf\\xbf" },
	/* Surrogates, beyond U+10FFFF, cut short, stray. */
	{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },
	{ "\xed\xbf\xbf", "\\xed\\xbf\\xbf" },
	{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },
	{ "\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80" },
	{ "\xe2\x82", "\\xe2\\x82" },
	{ "\x80" "a", "\\x80" "a" },
};

START_TEST(test_quoting)
{
	char	text[64], want[128];

	snprintf(text, sizeof(text), "%s\n", quoted[_i].word);
	snprintf(want, sizeof(want), "%%F:1: unknown directive \"%s\"",
	    quoted[_i].shown);
	bad(text, (const char *[]){ want, NULL });
}
END_TEST

/*
 * Values.
 */

static const struct {
	const char	*text;
	unsigned int	 ms;
} durations[] = {
	{ "0", 0 }, { "7", 7000 }, { "250ms", 250 }, { "5s", 5000 },
	{ "2m", 120000 }, { "1h", 3600000 }, { "4294967295ms", UINT_MAX },
	{ "4294967s", 4294967000U }, { "0000000000000000000001s", 1000 },
};

START_TEST(test_durations)
{
	struct conf	*conf;
	char		 text[256];

	snprintf(text, sizeof(text), SVC("timeout %s\nidle-timeout %s"),
	    durations[_i].text, durations[_i].text);
	conf = ok(text);
	ck_assert_uint_eq(first(conf)->s.timeout, durations[_i].ms);
	ck_assert_uint_eq(first(conf)->s.idle_timeout, durations[_i].ms);
	conf_free(conf);

	snprintf(text, sizeof(text), "shutdown-timeout %s\n",
	    durations[_i].text);
	conf = ok(text);
	ck_assert_uint_eq(conf->shutdown_timeout, durations[_i].ms);
	conf_free(conf);
}
END_TEST

START_TEST(test_bad_durations)
{
	bad("shutdown-timeout 4294968s\nshutdown-timeout 1d\n"
	    "shutdown-timeout s\nshutdown-timeout -1\nshutdown-timeout 1 s\n"
	    "shutdown-timeout 1S\nshutdown-timeout 99999999999999999999999h\n",
	    (const char *[]){
	    "%F:1: duration \"4294968s\" is too large",
	    "%F:2: bad duration \"1d\"",
	    "%F:3: bad duration \"s\"",
	    "%F:4: bad duration \"-1\"",
	    "%F:5: too many arguments to \"shutdown-timeout\"",
	    "%F:6: bad duration \"1S\"",
	    "%F:7: duration \"99999999999999999999999h\" is too large",
	    NULL });
}
END_TEST

START_TEST(test_rlimits)
{
	struct conf		*conf;
	struct conf_settings	*s;

	conf = ok(SVC("rlimit as 12\nrlimit data 3k\nrlimit fsize 2m\n"
	    "rlimit stack 1g\nrlimit core infinity\nrlimit cpu 1500ms\n"
	    "rlimit nofile 0\nrlimit nproc 9223372036854775807"));
	s = &first(conf)->s;
	ck_assert(s->set & CONF_SET_RLIMIT);
	ck_assert(s->rlimit[CONF_RLIMIT_AS].set);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_AS].value, 12);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_DATA].value, 3 * 1024);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_FSIZE].value, 2 << 20);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_STACK].value, 1 << 30);
	ck_assert(s->rlimit[CONF_RLIMIT_CORE].value == RLIM_INFINITY);
	/* Rounded up: a limit of 1s would cut the 1.5s asked for. */
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_CPU].value, 2);
	ck_assert(s->rlimit[CONF_RLIMIT_NOFILE].set);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_NOFILE].value, 0);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_NPROC].value, LLONG_MAX);
	conf_free(conf);

	conf = ok(SVC("rlimit cpu 90\nrlimit as 8589934591g"));
	s = &first(conf)->s;
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_CPU].value, 90);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_AS].value,
	    (1ULL << 63) - (1ULL << 30));
	conf_free(conf);
	bad(SVC("rlimit as 8589934592g"), (const char *[]){
	    "%F:4: size \"8589934592g\" is too large", NULL });

	/* Sizes beyond 64 bits are too large, not wrapped around. */
	conf = ok(SVC("rlimit as 9223372036854775807"));
	ck_assert_uint_eq(first(conf)->s.rlimit[CONF_RLIMIT_AS].value,
	    LLONG_MAX);
	conf_free(conf);
	bad(SVC("rlimit as 9223372036854775808\n"
	    "rlimit data 18446744073709551620\n"
	    "rlimit stack 92233720368547758080k"), (const char *[]){
	    "%F:4: size \"9223372036854775808\" is too large",
	    "%F:5: size \"18446744073709551620\" is too large",
	    "%F:6: size \"92233720368547758080k\" is too large", NULL });
}
END_TEST

START_TEST(test_rates)
{
	struct conf		*conf;
	struct conf_settings	*s;

	conf = ok(SVC("rate 10/s"));
	s = &first(conf)->s;
	ck_assert(s->set & CONF_SET_RATE);
	ck_assert_uint_eq(s->rate, 10);
	ck_assert_uint_eq(s->rate_ms, 1000);
	ck_assert_uint_eq(s->rate_burst, 10);
	conf_free(conf);

	conf = ok(SVC("rate 5/m burst 20"));
	s = &first(conf)->s;
	ck_assert_uint_eq(s->rate, 5);
	ck_assert_uint_eq(s->rate_ms, 60000);
	ck_assert_uint_eq(s->rate_burst, 20);
	conf_free(conf);

	bad("rate 10\nrate /s\nrate 10/s burst 5 6\nrate 10/s bust 5\n"
	    "rate 1000001/s\nrate 1/s burst 1000001\nrate 10/s/s\n",
	    (const char *[]){
	    "%F:1: bad rate \"10\"",
	    "%F:2: bad number \"\"",
	    "%F:3: too many arguments to \"rate\"",
	    "%F:4: expected \"burst N\" after \"10/s\"",
	    "%F:5: \"1000001\" is out of range 1-1000000",
	    "%F:6: \"1000001\" is out of range 1-1000000",
	    "%F:7: bad rate \"10/s/s\"", NULL });
}
END_TEST

START_TEST(test_numbers)
{
	struct conf		*conf;
	struct conf_service	*cs;

	conf = ok("max-children 1000000\n"
	    SVC("max-children 1\nmax-per-source 1000000\nbacklog 65535"));
	cs = first(conf);
	ck_assert_uint_eq(conf->max_children, 1000000);
	ck_assert_uint_eq(cs->s.max_children, 1);
	ck_assert_uint_eq(cs->s.max_per_source, 1000000);
	ck_assert_int_eq(cs->s.backlog, 65535);
	conf_free(conf);

	bad("max-children 1000001\nmax-children 0x10\nmax-children \" 5\"\n"
	    "backlog 0\nmax-per-source 99999999999999999999999\n"
	    "max-children\n", (const char *[]){
	    "%F:1: \"1000001\" is out of range 1-1000000",
	    "%F:2: bad number \"0x10\"",
	    "%F:3: bad number \" 5\"",
	    "%F:4: \"0\" is out of range 1-65535",
	    "%F:5: \"99999999999999999999999\" is out of range 1-1000000",
	    "%F:6: missing argument to \"max-children\"", NULL });
}
END_TEST

/*
 * Every directive with its stored value.
 */

START_TEST(test_full)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;
	struct conf_service	*cs;
	struct conf_settings	*s;

	conf = conf_parse_file(TESTDATA "/good/full.conf", &errs);
	ck_assert_msg(conf != NULL, "refused:%s", joined(&errs));
	ck_assert_str_eq(conf->path, TESTDATA "/good/full.conf");
	ck_assert_uint_eq(conf->nfiles, 1);
	ck_assert_str_eq(conf->files[0], TESTDATA "/good/full.conf");
	ck_assert_uint_eq(conf->max_children, 500);
	ck_assert_str_eq(conf->pidfile, "/run/forkd-test.pid");
	ck_assert_int_eq(conf->syslog_facility, LOG_LOCAL3);
	ck_assert_uint_eq(conf->shutdown_timeout, 1500);
	ck_assert_uint_eq(conf->nservices, 4);

	cs = conf_service_find(conf, "everything");
	ck_assert_ptr_eq(cs, first(conf));
	s = &cs->s;
	ck_assert_str_eq(cs->file, TESTDATA "/good/full.conf");
	ck_assert_ptr_eq(cs->file, conf->files[0]);
	ck_assert_int_eq(cs->line, 9);
	ck_assert_uint_eq(cs->nlisten, 4);
	ck_assert_str_eq(cs->listen[0].text, "127.0.0.1:7001");
	ck_assert_str_eq(cs->listen[1].text, "[::1]:7001");
	ck_assert_str_eq(cs->listen[2].text, "127.0.0.1:7002");
	ck_assert_str_eq(cs->listen[3].text, "[::1]:7002");
	ck_assert_int_eq(cs->listen[2].line, 10);
	ck_assert_ptr_eq(cs->listen[2].file, conf->files[0]);
	ck_assert_int_eq(cs->kind, CONF_HANDLER_EXEC);
	ck_assert_int_eq(cs->argc, 3);
	ck_assert_str_eq(cs->argv[0], "/bin/echo");
	ck_assert_str_eq(cs->argv[1], "a b");
	ck_assert_str_eq(cs->argv[2], "c,d");
	ck_assert_ptr_null(cs->argv[3]);
	ck_assert_str_eq(s->user, "root");
	ck_assert_int_eq(s->uid, 0);
	ck_assert_int_eq(s->gid, 0);
	ck_assert_str_eq(s->group, "root");
	ck_assert_int_eq(s->group_gid, 0);
	ck_assert_str_eq(s->chroot, "/var/empty");
	ck_assert_uint_eq(s->max_children, 8);
	ck_assert_uint_eq(s->max_per_source, 2);
	ck_assert_uint_eq(s->rate, 10);
	ck_assert_uint_eq(s->rate_ms, 1000);
	ck_assert_uint_eq(s->rate_burst, 20);
	ck_assert_uint_eq(s->nacl, 4);
	ck_assert_int_eq(s->acl[0].allow, 1);
	cidr_is(&s->acl[0].net, "127.0.0.0", 8);
	cidr_is(&s->acl[1].net, "::1", 128);
	ck_assert_int_eq(s->acl[2].allow, 0);
	cidr_is(&s->acl[2].net, "10.0.0.0", 8);
	ck_assert_int_eq(s->acl[3].allow, 1);
	cidr_is(&s->acl[3].net, "192.0.2.1", 32);
	ck_assert_uint_eq(s->timeout, 120000);
	ck_assert_uint_eq(s->idle_timeout, 30000);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_CPU].value, 2);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_AS].value, 64 << 20);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_DATA].value, 1 << 30);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_FSIZE].value, 100 << 10);
	ck_assert(s->rlimit[CONF_RLIMIT_CORE].set);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_CORE].value, 0);
	ck_assert(s->rlimit[CONF_RLIMIT_STACK].value == RLIM_INFINITY);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_NOFILE].value, 256);
	ck_assert_uint_eq(s->rlimit[CONF_RLIMIT_NPROC].value, 10);
	ck_assert_uint_eq(s->nenv, 3);
	ck_assert_str_eq(s->env[0], "LANG=C");
	ck_assert_str_eq(s->env[1], "GREETING=hello, world");
	ck_assert_str_eq(s->env[2], "X=");
	ck_assert_uint_eq(s->npassenv, 2);
	ck_assert_str_eq(s->passenv[0], "HOME");
	ck_assert_str_eq(s->passenv[1], "TZ");
	ck_assert_int_eq(s->backlog, 16);
	ck_assert_int_eq(s->reuseport, 1);
	ck_assert_int_eq(s->proxy, CONF_PROXY_V2);
	ck_assert_uint_eq(s->nproxy_from, 1);
	cidr_is(&s->proxy_from[0], "10.1.0.0", 16);
	ck_assert_str_eq(s->refuse_message, "go away\r\n");
	ck_assert_uint_eq(s->set, 0x1ffff);

	cs = conf_service_find(conf, "mod");
	ck_assert_int_eq(cs->kind, CONF_HANDLER_MODULE);
	ck_assert_int_eq(cs->argc, 2);
	ck_assert_str_eq(cs->argv[0], PKGLIBDIR "/hello.so");
	ck_assert_str_eq(cs->argv[1], "greeting=hi");
	ck_assert_int_eq(cs->listen[0].addr.wildcard, 1);
	ck_assert_str_eq(cs->listen[0].text, "*:7003");
	ck_assert_str_eq(conf_service_find(conf, "abs")->argv[0], "/opt/x.so");

	cs = conf_service_find(conf, "builtin");
	ck_assert_int_eq(cs->kind, CONF_HANDLER_BUILTIN);
	ck_assert_int_eq(cs->argc, 1);
	ck_assert_str_eq(cs->argv[0], "daytime");
	ck_assert(cs->s.set & CONF_SET_REUSEPORT);
	ck_assert_int_eq(cs->s.reuseport, 0);
	ck_assert_int_eq(cs->s.proxy, CONF_PROXY_ANY);
	ck_assert_int_eq(cs->s.backlog, CONF_BACKLOG);
	ck_assert_uint_eq(cs->s.max_children, 0);
	ck_assert_ptr_null(cs->s.chroot);
	ck_assert_ptr_null(conf_service_find(conf, "nosuch"));
	conf_free(conf);
}
END_TEST

START_TEST(test_builtin_defaults)
{
	struct conf		*conf;
	struct conf_service	*cs;

	conf = ok(SVC(""));
	ck_assert_ptr_null(conf->pidfile);
	ck_assert_uint_eq(conf->max_children, CONF_MAX_CHILDREN);
	ck_assert_int_eq(conf->syslog_facility, LOG_DAEMON);
	ck_assert_uint_eq(conf->shutdown_timeout, CONF_SHUTDOWN_TIMEOUT);
	cs = first(conf);
	ck_assert_uint_eq(cs->s.set, 0);
	ck_assert_ptr_null(cs->s.user);
	ck_assert_int_eq(cs->s.backlog, CONF_BACKLOG);
	ck_assert_int_eq(cs->s.proxy, CONF_PROXY_OFF);
	ck_assert_uint_eq(cs->s.timeout, 0);
	ck_assert(!cs->s.rlimit[CONF_RLIMIT_CPU].set);
	conf_free(conf);
}
END_TEST

/*
 * Global defaults.
 */

START_TEST(test_defaults_merged)
{
	struct conf		*conf;
	struct conf_service	*a, *b;

	conf = ok("user root\ntimeout 5s\nenv A=1 B=2\nrlimit nofile 100\n"
	    "rlimit cpu 10\nallow 10.0.0.0/8\nmax-children 7\n"
	    "service a { listen 127.0.0.1:1; handler echo }\n"
	    "service b { listen 127.0.0.1:2; handler echo; timeout 1s\n"
	    "env C=3; rlimit cpu 20; deny ::1; max-children 3 }\n"
	    "backlog 10 # after the services, still their default\n");
	a = conf_service_find(conf, "a");
	b = conf_service_find(conf, "b");
	ck_assert_uint_eq(conf->max_children, 7);
	/* The global max-children is the total, not a default. */
	ck_assert_uint_eq(a->s.max_children, 0);
	ck_assert_uint_eq(b->s.max_children, 3);

	ck_assert_str_eq(a->s.user, "root");
	ck_assert_ptr_ne(a->s.user, conf->defaults.user);
	ck_assert_uint_eq(a->s.timeout, 5000);
	ck_assert_uint_eq(a->s.nenv, 2);
	ck_assert_ptr_ne(a->s.env, conf->defaults.env);
	ck_assert_ptr_ne(a->s.env[1], conf->defaults.env[1]);
	ck_assert_str_eq(a->s.env[1], "B=2");
	ck_assert_uint_eq(a->s.rlimit[CONF_RLIMIT_NOFILE].value, 100);
	ck_assert_uint_eq(a->s.rlimit[CONF_RLIMIT_CPU].value, 10);
	ck_assert_uint_eq(a->s.nacl, 1);
	ck_assert_ptr_ne(a->s.acl, conf->defaults.acl);
	ck_assert_int_eq(a->s.backlog, 10);

	ck_assert_str_eq(b->s.user, "root");
	ck_assert_uint_eq(b->s.timeout, 1000);
	ck_assert_uint_eq(b->s.nenv, 1);
	ck_assert_str_eq(b->s.env[0], "C=3");
	/* rlimits merge per resource, lists are replaced whole. */
	ck_assert_uint_eq(b->s.rlimit[CONF_RLIMIT_NOFILE].value, 100);
	ck_assert_uint_eq(b->s.rlimit[CONF_RLIMIT_CPU].value, 20);
	ck_assert_uint_eq(b->s.nacl, 1);
	ck_assert_int_eq(b->s.acl[0].allow, 0);
	ck_assert_int_eq(b->s.backlog, 10);
	conf_free(conf);
}
END_TEST

START_TEST(test_defaults_scope)
{
	bad("listen 127.0.0.1:1\nhandler echo\nexec /bin/cat\nmodule x.so\n"
	    "user root\nuser root\n"
	    "service s { listen 127.0.0.1:2; handler echo; pidfile /p\n"
	    "shutdown-timeout 1s; syslog-facility daemon\n"
	    "include \"x\"; user root; user root }\n",
	    (const char *[]){
	    "%F:1: \"listen\" is only allowed inside a service",
	    "%F:2: \"handler\" is only allowed inside a service",
	    "%F:3: \"exec\" is only allowed inside a service",
	    "%F:4: \"module\" is only allowed inside a service",
	    "%F:6: \"user\" given twice",
	    "%F:7: \"pidfile\" is not allowed inside a service",
	    "%F:8: \"shutdown-timeout\" is not allowed inside a service",
	    "%F:8: \"syslog-facility\" is not allowed inside a service",
	    "%F:9: \"include\" is not allowed inside a service",
	    "%F:9: \"user\" given twice", NULL });
}
END_TEST

/*
 * Warnings: a list given in a service replaces the global one whole.
 */

START_TEST(test_list_replaced)
{
	struct conf		*conf;
	struct conf_service	*cs;

	conf = ok("deny 10.0.0.0/8\nenv A=1\npassenv HOME\nallow ::1\n"
	    "proxy-from 192.0.2.1\nproxy-protocol v1\n"
	    "service s { listen 127.0.0.1:1; handler echo\n"
	    "allow 127.0.0.1\nenv B=2; passenv TZ\n"
	    "deny ::/0; proxy-from 192.0.2.2 }\n");
	errors_are(&conf->warnings, NAME, (const char *[]){
	    "%F:8: service s: allow/deny replaces the global list (%F:1); "
	    "repeat the global rules in the service to keep them",
	    "%F:9: service s: env replaces the global list (%F:2); "
	    "repeat the global variables in the service to keep them",
	    "%F:9: service s: passenv replaces the global list (%F:3); "
	    "repeat the global names in the service to keep them",
	    "%F:10: service s: proxy-from replaces the global list (%F:5); "
	    "repeat the global addresses in the service to keep them",
	    NULL });
	/* A warning, not a change: the service's lists alone. */
	cs = first(conf);
	ck_assert_uint_eq(cs->s.nacl, 2);
	ck_assert_int_eq(cs->s.acl[0].allow, 1);
	ck_assert_uint_eq(cs->s.nenv, 1);
	ck_assert_uint_eq(cs->s.nproxy_from, 1);
	conf_free(conf);

	/* Each service that replaces a list, and only those. */
	conf = ok("deny 10.0.0.0/8\n"
	    "service a { listen 127.0.0.1:1; handler echo }\n"
	    "service b { listen 127.0.0.1:2; handler echo; allow ::1 }\n"
	    "service c { listen 127.0.0.1:3; handler echo; env A=1 }\n"
	    "service d { listen 127.0.0.1:4; handler echo; deny ::1 }\n");
	errors_are(&conf->warnings, NAME, (const char *[]){
	    "%F:3: service b: allow/deny replaces the global list (%F:1); "
	    "repeat the global rules in the service to keep them",
	    "%F:5: service d: allow/deny replaces the global list (%F:1); "
	    "repeat the global rules in the service to keep them", NULL });
	conf_free(conf);
}
END_TEST

START_TEST(test_list_replaced_include)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;

	conf = conf_parse_file(TESTDATA "/warn/main.conf", &errs);
	ck_assert_msg(conf != NULL && errs.n == 0, "refused:%s",
	    joined(&errs));
	errors_are(&conf->warnings, TESTDATA "/warn", (const char *[]){
	    "%F/services.conf:8: service replaces: allow/deny replaces the "
	    "global list (%F/main.conf:2); repeat the global rules in the "
	    "service to keep them",
	    "%F/services.conf:9: service replaces: env replaces the global "
	    "list (%F/main.conf:4); repeat the global variables in the "
	    "service to keep them", NULL });
	ck_assert_uint_eq(conf_service_find(conf, "keeps")->s.nacl, 3);
	conf_free(conf);
}
END_TEST

START_TEST(test_list_not_replaced)
{
	struct conf	*conf;

	/*
	 * Global lists inherited, a service's own list with none global,
	 * and settings that are not lists in both scopes.
	 */
	conf = ok("deny 10.0.0.0/8\nenv A=1\ntimeout 5s\nrlimit nofile 10\n"
	    "user root\n"
	    "service a { listen 127.0.0.1:1; handler echo; timeout 1s\n"
	    "rlimit nofile 20; rlimit cpu 1; user root }\n"
	    "service b { listen 127.0.0.1:2; handler echo\n"
	    "passenv TZ; proxy-protocol v1; proxy-from ::1 }\n");
	ck_assert_uint_eq(conf->warnings.n, 0);
	ck_assert_uint_eq(conf_service_find(conf, "a")->s.nacl, 1);
	conf_free(conf);

	/* One-shot mode has no global scope to replace. */
	conf = cmdline("127.0.0.1:7", (char *[]){ "echo", NULL },
	    (char *[]){ "allow=::1", "env=A=1", NULL });
	ck_assert_uint_eq(conf->warnings.n, 0);
	conf_free(conf);

	/* A configuration refused has errors, and no warning among them. */
	bad("deny 10.0.0.0/8\n" SVC("allow ::1\ntimeout x"), (const char *[]){
	    "%F:6: bad duration \"x\"", NULL });
}
END_TEST

/*
 * Users and groups the master can give its children.
 */

START_TEST(test_credentials_root)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;

	conf = ok("user root\ngroup root\n" SVC("user root"));
	ck_assert_int_eq(conf_check_credentials(conf, 0, 0, &errs), 0);
	ck_assert_int_eq(conf_check_credentials(conf, 0, 1000, &errs), 0);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_str_eq(first(conf)->s.user, "root");
	ck_assert_str_eq(first(conf)->s.group, "root");
	ck_assert_str_eq(conf->defaults.user, "root");
	conf_free(conf);
}
END_TEST

START_TEST(test_credentials_refused)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;

	/* A global user is reported once, where it is, not per service. */
	conf = ok("user root\n"
	    "service a { listen 127.0.0.1:1; handler echo }\n"
	    "service b { listen 127.0.0.1:2; handler echo }\n"
	    "service c { listen 127.0.0.1:3; handler echo\n"
	    "user root; group root }\n");
	ck_assert_int_eq(conf_check_credentials(conf, 1000, 1001, &errs), -1);
	errors_are(&errs, NAME, (const char *[]){
	    "%F:1: user root: forkd runs as uid 1000 and cannot change to "
	    "another user; run it as root or remove the directive",
	    "%F:5: user root: forkd runs as uid 1000 and cannot change to "
	    "another user; run it as root or remove the directive",
	    "%F:5: group root: forkd runs as gid 1001 and cannot change to "
	    "another group; run it as root or remove the directive", NULL });
	/* A configuration refused is left as it was. */
	ck_assert_str_eq(first(conf)->s.user, "root");
	ck_assert_str_eq(conf->defaults.user, "root");
	conf_free(conf);
	conf_errors_free(&errs);

	/* A group alone, and the errors come after those already there. */
	ck_assert_ptr_null(conf_parse_string("x", "x", 1, &errs));
	conf = ok(SVC("group root"));
	ck_assert_int_eq(conf_check_credentials(conf, 1000, 1000, &errs), -1);
	errors_are(&errs, NAME, (const char *[]){
	    "x:1: unknown directive \"x\"",
	    "%F:4: group root: forkd runs as gid 1000 and cannot change to "
	    "another group; run it as root or remove the directive", NULL });
	conf_free(conf);
	conf_errors_free(&errs);

	/* One-shot mode: -o user. */
	conf = cmdline("127.0.0.1:7", (char *[]){ "echo", NULL },
	    (char *[]){ "user=root", NULL });
	ck_assert_int_eq(conf_check_credentials(conf, 1000, 1000, &errs), -1);
	errors_are(&errs, "", (const char *[]){
	    "command line: user root: forkd runs as uid 1000 and cannot "
	    "change to another user; run it as root or remove the directive",
	    NULL });
	conf_free(conf);
	conf_errors_free(&errs);
}
END_TEST

/* The master's own user and group are no change, and are taken out. */
START_TEST(test_credentials_own)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;
	struct conf_service	*cs;
	char			 user[64], group[64], text[512], want[512];
	uid_t			 uid;
	gid_t			 gid;

	other_ids(user, sizeof(user), &uid, group, sizeof(group), &gid);
	snprintf(text, sizeof(text), "user %s\n" SVC("group %s"), user,
	    group);
	conf = ok(text);
	ck_assert_int_eq(conf_check_credentials(conf, uid, gid, &errs), 0);
	ck_assert_uint_eq(errs.n, 0);
	cs = first(conf);
	ck_assert_ptr_null(cs->s.user);
	ck_assert_ptr_null(cs->s.group);
	ck_assert_uint_eq(cs->s.set & (CONF_SET_USER | CONF_SET_GROUP), 0);
	ck_assert_ptr_null(conf->defaults.user);
	ck_assert_uint_eq(conf->defaults.set, 0);
	conf_free(conf);

	/* The master's user, but another group: the group is refused. */
	snprintf(text, sizeof(text), "user %s\n" SVC("group root"), user);
	conf = ok(text);
	ck_assert_int_eq(conf_check_credentials(conf, uid, gid, &errs), -1);
	snprintf(want, sizeof(want), "%%F:5: group root: forkd runs as gid "
	    "%lu and cannot change to another group; run it as root or "
	    "remove the directive", (unsigned long)gid);
	errors_are(&errs, NAME, (const char *[]){ want, NULL });
	ck_assert_str_eq(first(conf)->s.user, user);
	conf_free(conf);
	conf_errors_free(&errs);
}
END_TEST

/* As root: a chroot or a group without a user, at their lines. */
START_TEST(test_credentials_no_user)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;

	conf = ok(SVC("chroot /var/empty") "service t {\n"
	    "listen 127.0.0.1:7001; handler echo; group root }\n");
	ck_assert_int_eq(conf_check_credentials(conf, 0, 0, &errs), -1);
	errors_are(&errs, NAME, (const char *[]){
	    "%F:4: service s: chroot without user: its children would run "
	    "as root, with every capability, and root can leave a chroot; "
	    "add \"user\"",
	    "%F:7: service t: group without user: its children would run "
	    "as root, with every capability, whatever their group; add "
	    "\"user\"", NULL });
	conf_free(conf);
	conf_errors_free(&errs);

	/* A global one, for each service that has no user. */
	conf = ok("chroot /var/empty\n" SVC("") "service t {\n"
	    "listen 127.0.0.1:7001; handler echo; user root }\n");
	ck_assert_int_eq(conf_check_credentials(conf, 0, 0, &errs), -1);
	errors_are(&errs, NAME, (const char *[]){
	    "%F:1: service s: chroot without user: its children would run "
	    "as root, with every capability, and root can leave a chroot; "
	    "add \"user\"", NULL });
	conf_free(conf);
	conf_errors_free(&errs);

	/* With a user, here or global, both are fine. */
	conf = ok("user root\n" SVC("chroot /var/empty\ngroup root"));
	ck_assert_int_eq(conf_check_credentials(conf, 0, 0, &errs), 0);
	ck_assert_uint_eq(errs.n, 0);
	conf_free(conf);

	/* Not root: forkd cannot change to another group anyway. */
	conf = ok(SVC("chroot /var/empty"));
	ck_assert_int_eq(conf_check_credentials(conf, 1000, 1000, &errs), 0);
	ck_assert_uint_eq(errs.n, 0);
	conf_free(conf);
}
END_TEST

/*
 * Service names: at most CONF_NAME_MAX bytes, the room an exec child's
 * environment has for one.
 */
START_TEST(test_service_name_length)
{
	struct conf	*conf;
	char		 name[CONF_NAME_MAX + 2], text[1024];

	memset(name, 'n', CONF_NAME_MAX);
	name[CONF_NAME_MAX] = '\0';
	snprintf(text, sizeof(text), "service %s { listen 127.0.0.1:1; "
	    "handler echo }\n", name);
	conf = ok(text);
	ck_assert_str_eq(first(conf)->name, name);
	conf_free(conf);

	strlcat(name, "n", sizeof(name));
	snprintf(text, sizeof(text), "\nservice %s { listen 127.0.0.1:1; "
	    "handler echo }\n", name);
	bad(text, (const char *[]){
	    "%F:2: service name too long (256 bytes, at most 255)", NULL });
}
END_TEST

/*
 * Trust: the files forkd reads as root.  Played here as the user that
 * runs the tests, whoever it is: conf_trusted takes the owner to trust.
 */

/* A folder for these tests, and a file of mode 644 in it. */
static void
trust_dir(char *dir, char *file, size_t len)
{
	FILE	*f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(chmod(dir, 0755), 0);
	snprintf(file, len, "%s/forkd.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(file, "w"));
	fprintf(f, "service s { listen 127.0.0.1:1; handler echo }\n");
	fclose(f);
	ck_assert_int_eq(chmod(file, 0644), 0);
}

/* conf_trusted of path: 0, or -1 saying want. */
static void
trusted(const char *path, const char *want)
{
	struct stat	st;
	char		err[1024];
	int		r;

	ck_assert_int_eq(stat(path, &st), 0);
	err[0] = '\0';
	r = conf_trusted(path, &st, geteuid(), err, sizeof(err));
	if (want == NULL)
		ck_assert_msg(r == 0, "%s refused: %s", path, err);
	else {
		ck_assert_msg(r == -1, "%s trusted", path);
		ck_assert_str_eq(err, want);
	}
}

START_TEST(test_trust_modes)
{
	char	dir[] = "/tmp/check_conf.XXXXXX", file[128], want[256];
	char	sub[64], link[128];

	trust_dir(dir, file, sizeof(file));
	trusted(file, NULL);
	chmod(file, 0664);
	trusted(file, "writable by its group (mode 0664)");
	chmod(file, 0602);
	trusted(file, "writable by others (mode 0602)");
	chmod(file, 0666);
	trusted(file, "writable by its group and others (mode 0666)");
	chmod(file, 0644);

	chmod(dir, 0775);
	snprintf(want, sizeof(want), "folder %s is writable by its group "
	    "(mode 0775)", dir);
	trusted(file, want);
	/* A sticky folder, as /tmp: no one can replace root's entries. */
	chmod(dir, 01777);
	trusted(file, NULL);
	chmod(dir, 0755);

	/* A link counts with its folder, and the folder of its target. */
	snprintf(sub, sizeof(sub), "%s/open", dir);
	ck_assert_int_eq(mkdir(sub, 0755), 0);
	ck_assert_int_eq(chmod(sub, 0777), 0);
	snprintf(link, sizeof(link), "%s/link.conf", sub);
	ck_assert_int_eq(symlink("../forkd.conf", link), 0);
	snprintf(want, sizeof(want), "folder %s is writable by its group "
	    "and others (mode 0777)", sub);
	trusted(link, want);
	chmod(sub, 0755);
	trusted(link, NULL);

	unlink(link);
	rmdir(sub);
	unlink(file);
	rmdir(dir);
}
END_TEST

/* Only root can give a file away: another owner's file, as root. */
START_TEST(test_trust_owner)
{
	struct conf_errors	 errs = { NULL, 0 };
	char			 dir[] = "/tmp/check_conf.XXXXXX", file[128];
	char			 want[256], inc[160];
	FILE			*f;

	if (geteuid() != 0)
		return;
	trust_dir(dir, file, sizeof(file));
	ck_assert_int_eq(chown(file, 65534, (gid_t)-1), 0);
	trusted(file, "owned by uid 65534, not root");

	/* The parser, as root, refuses it, and an include of it. */
	ck_assert_ptr_null(conf_parse_file(file, &errs));
	errors_are(&errs, file, (const char *[]){
	    "%F: owned by uid 65534, not root", NULL });
	conf_errors_free(&errs);

	snprintf(inc, sizeof(inc), "%s/main.conf", dir);
	ck_assert_ptr_nonnull(f = fopen(inc, "w"));
	fprintf(f, "# the service is in there\ninclude \"forkd.conf\"\n");
	fclose(f);
	chmod(inc, 0644);
	ck_assert_ptr_null(conf_parse_file(inc, &errs));
	snprintf(want, sizeof(want), "%%F:2: \"%s\": owned by uid 65534, "
	    "not root", file);
	errors_are(&errs, inc, (const char *[]){ want, NULL });
	conf_errors_free(&errs);

	chmod(dir, 0777);
	ck_assert_int_eq(chown(file, 0, (gid_t)-1), 0);
	ck_assert_ptr_null(conf_parse_file(inc, &errs));
	snprintf(want, sizeof(want), "%%F: folder %s is writable by its "
	    "group and others (mode 0777)", dir);
	errors_are(&errs, inc, (const char *[]){ want, NULL });
	conf_errors_free(&errs);

	unlink(inc);
	unlink(file);
	rmdir(dir);
}
END_TEST

/* A FIFO or a device is refused at once, and never waited on. */
START_TEST(test_not_regular)
{
	struct conf_errors	 errs = { NULL, 0 };
	char			 dir[] = "/tmp/check_conf.XXXXXX", fifo[128];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(fifo, sizeof(fifo), "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	ck_assert_ptr_null(conf_parse_file(fifo, &errs));
	errors_are(&errs, fifo, (const char *[]){
	    "%F: not a regular file", NULL });
	conf_errors_free(&errs);
	unlink(fifo);
	rmdir(dir);

	ck_assert_ptr_null(conf_parse_file("/dev/zero", &errs));
	errors_are(&errs, "/dev/zero", (const char *[]){
	    "%F: not a regular file", NULL });
	conf_errors_free(&errs);
}
END_TEST

/*
 * Includes.
 */

START_TEST(test_include)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;
	struct conf_service	*cs;
	const char		*order[] = { "zulu", "extra", "alpha", "main" };
	size_t			 i = 0;

	conf = conf_parse_file(TESTDATA "/good/main.conf", &errs);
	ck_assert_msg(conf != NULL, "refused:%s", joined(&errs));
	TAILQ_FOREACH(cs, &conf->services, entry) {
		ck_assert_uint_lt(i, 4);
		ck_assert_str_eq(cs->name, order[i++]);
	}
	ck_assert_uint_eq(i, 4);
	ck_assert_uint_eq(conf->nfiles, 4);
	ck_assert_str_eq(conf->files[0], TESTDATA "/good/main.conf");
	ck_assert_str_eq(conf->files[1], TESTDATA "/good/conf.d/10-zulu.conf");
	ck_assert_str_eq(conf->files[2],
	    TESTDATA "/good/conf.d/../extra/extra.conf");
	ck_assert_str_eq(conf->files[3], TESTDATA "/good/conf.d/20-alpha.conf");
	cs = conf_service_find(conf, "alpha");
	ck_assert_ptr_eq(cs->file, conf->files[3]);
	ck_assert_int_eq(cs->line, 1);
	ck_assert_ptr_eq(cs->listen[0].file, conf->files[3]);
	conf_free(conf);
}
END_TEST

START_TEST(test_include_errors)
{
	struct conf_errors	 errs = { NULL, 0 };

	ck_assert_ptr_null(conf_parse_file(TESTDATA "/include/missing.conf",
	    &errs));
	errors_are(&errs, TESTDATA "/include/missing.conf", (const char *[]){
	    "%F:1: cannot open \"" TESTDATA "/include/does-not-exist.conf\": "
	    "No such file or directory",
	    "%F:3: \"" TESTDATA "/include/loop\" is not a regular file",
	    NULL });
	conf_errors_free(&errs);

	ck_assert_ptr_null(conf_parse_file(TESTDATA "/nosuch.conf", &errs));
	errors_are(&errs, TESTDATA "/nosuch.conf", (const char *[]){
	    "%F: No such file or directory", NULL });
	conf_errors_free(&errs);
}
END_TEST

START_TEST(test_include_loop)
{
	struct conf_errors	 errs = { NULL, 0 };

	ck_assert_ptr_null(conf_parse_file(TESTDATA "/include/loop/a.conf",
	    &errs));
	errors_are(&errs, TESTDATA "/include/loop/b.conf", (const char *[]){
	    "%F:2: include loop: \"" TESTDATA "/include/loop/a.conf\"",
	    NULL });
	conf_errors_free(&errs);

	ck_assert_ptr_null(conf_parse_file(TESTDATA "/include/self/self.conf",
	    &errs));
	errors_are(&errs, TESTDATA "/include/self/self.conf", (const char *[]){
	    "%F:2: include loop: \"%F\"", NULL });
	conf_errors_free(&errs);
}
END_TEST

/* A chain of files, each including the next: 16 levels, not more. */
START_TEST(test_include_depth)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;
	char			 dir[] = "/tmp/check_conf.XXXXXX", path[64];
	char			 want[128];
	FILE			*f;
	int			 i, n = 20;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/d%d.conf", dir, i);
		ck_assert_ptr_nonnull(f = fopen(path, "w"));
		if (i < n - 1)
			fprintf(f, "include \"d%d.conf\"\n", i + 1);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/d%d.conf", dir, 3);
	conf = conf_parse_file(path, &errs);	/* 16 levels below */
	snprintf(path, sizeof(path), "%s/d0.conf", dir);
	ck_assert_ptr_null(conf_parse_file(path, &errs));
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/d%d.conf", dir, i);
		unlink(path);
	}
	rmdir(dir);

	ck_assert_msg(conf != NULL, "refused:%s", joined(&errs));
	ck_assert_uint_eq(conf->nfiles, 17);
	conf_free(conf);
	snprintf(path, sizeof(path), "%s/d16.conf", dir);
	snprintf(want, sizeof(want), "%%F:1: includes nested too deeply");
	errors_are(&errs, path, (const char *[]){ want, NULL });
	conf_errors_free(&errs);
}
END_TEST

/*
 * Each bad file and exactly its messages, in the order of the file.
 */

static const struct {
	const char	*file;
	const char	*want[40];
} bad_files[] = {
	{ "syntax.conf", {
	    "%F:2: unterminated string",
	    "%F:3: bad escape \"\\q\"",
	    "%F:4: unexpected \",\"",
	    "%F:5: unexpected \",\"",
	    "%F:6: unexpected \",\"",
	    "%F:7: unexpected \"{\"",
	    "%F:10: unexpected \"}\"",
	    "%F:11: unexpected \"}\"",
	    "%F:15: unexpected \"{\"",
	    "%F:16: unexpected \",\"", NULL } },
	{ "values.conf", {
	    "%F:1: \"0\" is out of range 1-1000000",
	    "%F:2: bad number \"abc\"",
	    "%F:3: bad duration \"10x\"",
	    "%F:4: duration \"99999999h\" is too large",
	    "%F:5: unknown syslog facility \"local9\"",
	    "%F:6: \"forkd.pid\" is not an absolute path",
	    "%F:10: \"65536\" is out of range 1-65535",
	    "%F:11: bad number \"-1\"",
	    "%F:12: bad duration \"1.5s\"",
	    "%F:13: missing argument to \"idle-timeout\"",
	    "%F:14: bad duration \"5q\"",
	    "%F:15: bad size \"5t\"",
	    "%F:16: size \"99999999999g\" is too large",
	    "%F:17: bad number \"+5\"",
	    "%F:18: unknown rlimit \"bogus\"",
	    "%F:19: bad rate \"10/h\"",
	    "%F:20: \"0\" is out of range 1-1000000",
	    "%F:21: expected \"burst N\" after \"10/s\"",
	    "%F:22: \"0\" is out of range 1-1000000",
	    "%F:23: \"maybe\" is not yes or no",
	    "%F:24: \"v3\" is not off, v1, v2 or any",
	    "%F:25: bad variable name \"1A\"",
	    "%F:26: \"NOEQUALS\" is not NAME=VALUE",
	    "%F:27: \"TCPREMOTEIP\" is set by forkd",
	    "%F:28: unknown user \"no-such-user-forkd\"",
	    "%F:29: unknown group \"no-such-group-forkd\"",
	    "%F:30: \"relative/dir\" is not an absolute path",
	    "%F:31: bad address \"10.0.0.0/33\": bad prefix length",
	    "%F:32: bad address \"bogus\": bad address",
	    "%F:33: bad address \"1.2.3.4/8x\": bad prefix length",
	    "%F:35: \"timeout\" given twice",
	    "%F:37: \"rlimit cpu\" given twice",
	    "%F:38: too many arguments to \"refuse-message\"", NULL } },
	{ "services.conf", {
	    "%F:1: missing service name",
	    "%F:4: bad service name \"bad/name\"",
	    "%F:9: duplicate service \"dup\", first at %F:8",
	    "%F:10: missing \"{\" after service \"nobrace\"",
	    "%F:11: service \"empty\" has no listen address",
	    "%F:11: service \"empty\" has no handler, exec or module",
	    "%F:16: only one of handler, exec or module per service",
	    "%F:17: only one of handler, exec or module per service",
	    "%F:20: listen \"*:7303\" conflicts with \"127.0.0.1:7303\" "
	    "at %F:8",
	    "%F:21: listen \"127.0.0.1:7305\" conflicts with "
	    "\"127.0.0.1:7305\" at %F:14",
	    "%F:22: unknown handler \"nosuch\"",
	    "%F:23: \"include\" is not allowed inside a service",
	    "%F:24: \"pidfile\" is not allowed inside a service",
	    "%F:25: \"service\" is not allowed inside a service",
	    "%F:27: \"listen\" is only allowed inside a service",
	    "%F:28: \"handler\" is only allowed inside a service",
	    "%F:31: \"cat\" is not an absolute path",
	    "%F:33: missing argument to \"exec\"", NULL } },
	{ "unterminated.conf", {
	    "%F:2: service \"open\" has no closing \"}\"", NULL } },
	{ "proxy.conf", {
	    "%F:1: \"proxy-from\" without \"proxy-protocol\" in service \"p2\"",
	    "%F:4: service \"p3\" has \"proxy-from\" but no "
	    "\"proxy-protocol\"",
	    "%F:5: service \"p4\" has \"proxy-from\" but no "
	    "\"proxy-protocol\"", NULL } },
	{ "binary.conf", {
	    "%F:1: NUL byte",
	    "%F:2: bad number \"\\x01\"",
	    "%F:3: bad service name \"\\x1b[31m\"",
	    "%F:5: unknown directive \"unknown\\xff\\xfe\"", NULL } },
};

START_TEST(test_bad_file)
{
	struct conf_errors	 errs = { NULL, 0 };
	char			*path;

	ck_assert_int_ne(asprintf(&path, "%s/bad/%s", TESTDATA,
	    bad_files[_i].file), -1);
	ck_assert_ptr_null(conf_parse_file(path, &errs));
	errors_are(&errs, path, bad_files[_i].want);
	conf_errors_free(&errs);
	free(path);
}
END_TEST

/*
 * Inputs with which fuzz/conf found a bug, kept in tests/data/fuzz/conf,
 * and what the parser says of them now.
 */
static const struct {
	const char		*file;
	const char *const	 want[4];
} fuzz_files[] = {
	/* An overlong UTF-8 form went into the message as it was. */
	{ "overlong-utf8", {
	    "%F:1: unknown directive \"\\xe0\\x97\\x9e\"", NULL } },
};

START_TEST(test_fuzz_file)
{
	struct conf_errors	 errs = { NULL, 0 };
	char			*path;

	ck_assert_int_ne(asprintf(&path, "%s/fuzz/conf/%s", TESTDATA,
	    fuzz_files[_i].file), -1);
	ck_assert_ptr_null(conf_parse_file(path, &errs));
	errors_are(&errs, path, fuzz_files[_i].want);
	conf_errors_free(&errs);
	free(path);
}
END_TEST

/*
 * Every directive together, and the module directive's bookkeeping.
 */

START_TEST(test_every_directive)
{
	struct conf	*conf;

	conf = ok("max-children 5\nshutdown-timeout 1s\nuser root\n"
	    "include \"/nonexistent-forkd/*.conf\"\n"
	    "service s { listen 127.0.0.1:1; exec /bin/cat }\n");
	conf_free(conf);
	conf = ok(SVC("group root; chroot /; max-children 2; backlog 5\n"
	    "reuseport yes; timeout 1s; idle-timeout 1s; rlimit cpu 1\n"
	    "env A=1; passenv B\n"
	    "allow ::1; deny 10.0.0.0/8; max-per-source 2; rate 5/s burst 9\n"
	    "refuse-message busy\n"
	    "proxy-protocol any; proxy-from 127.0.0.1"));
	conf_free(conf);
	conf = ok("service s { listen 127.0.0.1:1; handler status }\n"
	    "service m { listen 127.0.0.1:2; handler metrics }\n");
	conf_free(conf);
	bad(SVC("proxy-protocol v3"), (const char *[]){
	    "%F:4: \"v3\" is not off, v1, v2 or any", NULL });

	/* proxy-timeout: 5 s unless given, globally or per service. */
	conf = ok(SVC("proxy-protocol v1"));
	ck_assert_uint_eq(first(conf)->s.proxy_timeout, 5000);
	conf_free(conf);
	conf = ok("proxy-timeout 2s\n" SVC("proxy-protocol v1"));
	ck_assert_uint_eq(first(conf)->s.proxy_timeout, 2000);
	conf_free(conf);
	conf = ok("proxy-timeout 2s\n" SVC("proxy-timeout 250ms"));
	ck_assert_uint_eq(first(conf)->s.proxy_timeout, 250);
	conf_free(conf);
	bad(SVC("proxy-timeout 0"), (const char *[]){
	    "%F:4: proxy-timeout must be longer than 0", NULL });

	conf = ok("service s {\n listen 127.0.0.1:1\n module /m.so a b\n}");
	ck_assert_str_eq(first(conf)->argv[0], "/m.so");
	ck_assert_int_eq(first(conf)->argc, 3);
	ck_assert_int_eq(first(conf)->hline, 3);
	ck_assert_str_eq(first(conf)->hfile, NAME);
	conf_free(conf);
}
END_TEST

/*
 * TLS: globals are defaults for the services with a certificate, and
 * what can be told without reading the files is told at its line.
 */
START_TEST(test_tls)
{
	struct conf		*conf;
	struct conf_service	*cs;

	conf = ok("tls-protocols 1.3\ntls-handshake-timeout 2s\n"
	    SVC("tls-certificate /etc/passwd /etc/group\n"
	    "tls-certificate /etc/group /etc/passwd\n"
	    "tls-alpn h2, http/1.1"));
	cs = first(conf);
	ck_assert_uint_eq(cs->s.ntls_certs, 2);
	ck_assert_str_eq(cs->s.tls_certs[1].chain, "/etc/group");
	ck_assert_int_eq(cs->s.tls_certs[1].where.line, 7);
	ck_assert_uint_eq(cs->s.tls_protocols, CONF_TLS_1_3);
	ck_assert_uint_eq(cs->s.tls_handshake_timeout, 2000);
	ck_assert_uint_eq(cs->s.tls_alpn_len, 12);
	ck_assert_mem_eq(cs->s.tls_alpn, "\002h2\010http/1.1", 12);
	conf_free(conf);

	/* Defaults: both versions, 10 s; a service without TLS is left so. */
	conf = ok("tls-ciphersuites TLS_AES_128_GCM_SHA256\n"
	    SVC("tls-certificate /etc/passwd /etc/passwd"));
	cs = first(conf);
	ck_assert_uint_eq(cs->s.tls_protocols, CONF_TLS_1_2 | CONF_TLS_1_3);
	ck_assert_uint_eq(cs->s.tls_handshake_timeout, 10000);
	ck_assert_str_eq(cs->s.tls_ciphersuites, "TLS_AES_128_GCM_SHA256");
	conf_free(conf);
	conf = ok("tls-client-verify optional\n" SVC(""));
	ck_assert_uint_eq(first(conf)->s.ntls_certs, 0);
	conf_free(conf);

	/* A global certificate for every service; a service's replaces it. */
	conf = ok("tls-certificate /etc/passwd /etc/passwd\n"
	    SVC("tls-certificate /etc/group /etc/group"));
	errors_are(&conf->warnings, NAME, (const char *[]){
	    "%F:5: service s: tls-certificate replaces the global list "
	    "(%F:1); repeat the global certificates in the service to keep "
	    "them", NULL });
	ck_assert_uint_eq(first(conf)->s.ntls_certs, 1);
	ck_assert_str_eq(first(conf)->s.tls_certs[0].chain, "/etc/group");
	conf_free(conf);

	bad(SVC("tls-certificate /etc/passwd /nonexistent-forkd.key"),
	    (const char *[]){ "%F:4: \"/nonexistent-forkd.key\": No such "
	    "file or directory", NULL });
	bad(SVC("tls-certificate etc/passwd /etc/passwd"), (const char *[]){
	    "%F:4: \"etc/passwd\" is not an absolute path", NULL });
	bad(SVC("tls-certificate /etc /etc/passwd"), (const char *[]){
	    "%F:4: \"/etc\" is not a file", NULL });
	bad(SVC("tls-certificate /etc/passwd /etc/passwd\n"
	    "tls-protocols 1.2, 1.1"), (const char *[]){
	    "%F:5: TLS 1.1 is not offered: only 1.2 and 1.3 are", NULL });
	bad(SVC("tls-certificate /etc/passwd /etc/passwd\n"
	    "tls-protocols 2"), (const char *[]){
	    "%F:5: unknown TLS version \"2\": 1.2 or 1.3", NULL });
	bad(SVC("tls-certificate /etc/passwd /etc/passwd\n"
	    "tls-ciphers NOPE"), (const char *[]){
	    "%F:5: \"NOPE\" selects no cipher OpenSSL knows", NULL });
	bad(SVC("tls-certificate /etc/passwd /etc/passwd\n"
	    "tls-alpn h2, \"\""), (const char *[]){
	    "%F:5: bad ALPN protocol name \"\": 1 to 255 bytes", NULL });
	bad(SVC("tls-certificate /etc/passwd /etc/passwd\n"
	    "tls-client-verify require"), (const char *[]){
	    "%F:5: service \"s\": tls-client-verify require needs "
	    "\"tls-client-ca\"", NULL });
	bad(SVC("tls-certificate /etc/passwd /etc/passwd\n"
	    "tls-client-verify maybe"), (const char *[]){
	    "%F:5: tls-client-verify: none, optional or require, not "
	    "\"maybe\"", NULL });
	bad(SVC("tls-certificate /etc/passwd /etc/passwd\n"
	    "tls-handshake-timeout 1s; tls-handshake-timeout 2s"),
	    (const char *[]){
	    "%F:5: \"tls-handshake-timeout\" given twice", NULL });
	bad(SVC("tls-alpn h2"), (const char *[]){
	    "%F:4: service \"s\" has TLS settings but no "
	    "\"tls-certificate\"", NULL });
}
END_TEST

/*
 * One-shot mode.
 */

START_TEST(test_cmdline)
{
	struct conf		*conf;
	struct conf_service	*cs;

	conf = cmdline("127.0.0.1:7007", (char *[]){ "echo", NULL }, NULL);
	ck_assert_uint_eq(conf->nservices, 1);
	ck_assert_ptr_null(conf->path);
	cs = first(conf);
	ck_assert_str_eq(cs->name, "cmdline");
	ck_assert_str_eq(cs->file, "command line");
	ck_assert_int_eq(cs->kind, CONF_HANDLER_BUILTIN);
	ck_assert_int_eq(cs->argc, 1);
	ck_assert_str_eq(cs->argv[0], "echo");
	ck_assert_ptr_null(cs->argv[1]);
	ck_assert_uint_eq(cs->nlisten, 1);
	ck_assert_str_eq(cs->listen[0].text, "127.0.0.1:7007");
	ck_assert_uint_eq(conf->max_children, CONF_MAX_CHILDREN);
	conf_free(conf);

	conf = cmdline("localhost:7", (char *[]){ "exec", "/bin/sh", "-c",
	    "echo \"$@\"", "sh", NULL }, (char *[]){ "max-children=3",
	    "timeout=5s", "env=A=1 \"B=x y\"", "shutdown-timeout=2s", NULL });
	cs = first(conf);
	ck_assert_uint_eq(cs->nlisten, 2);
	ck_assert_str_eq(cs->listen[1].text, "[::1]:7");
	ck_assert_int_eq(cs->kind, CONF_HANDLER_EXEC);
	ck_assert_int_eq(cs->argc, 4);
	ck_assert_str_eq(cs->argv[0], "/bin/sh");
	ck_assert_str_eq(cs->argv[2], "echo \"$@\"");
	ck_assert_ptr_null(cs->argv[4]);
	ck_assert_uint_eq(cs->s.max_children, 3);
	ck_assert_uint_eq(cs->s.timeout, 5000);
	ck_assert_uint_eq(cs->s.nenv, 2);
	ck_assert_str_eq(cs->s.env[1], "B=x y");
	ck_assert_uint_eq(conf->shutdown_timeout, 2000);
	ck_assert_uint_eq(conf->max_children, CONF_MAX_CHILDREN);
	conf_free(conf);

	/* The only service may have more children than the default total. */
	conf = cmdline("*:7", (char *[]){ "time", NULL },
	    (char *[]){ "max-children=3000", NULL });
	ck_assert_uint_eq(conf->max_children, 3000);
	conf_free(conf);

	/* -o listen adds addresses after the -l one. */
	conf = cmdline("127.0.0.1:7", (char *[]){ "echo", NULL },
	    (char *[]){ "listen=[::1]:7, 127.0.0.2:7", NULL });
	cs = first(conf);
	ck_assert_uint_eq(cs->nlisten, 3);
	ck_assert_str_eq(cs->listen[0].text, "127.0.0.1:7");
	ck_assert_str_eq(cs->listen[2].text, "127.0.0.2:7");
	conf_free(conf);
	cmdline_bad("*:7", (char *[]){ "echo", NULL },
	    (char *[]){ "listen=127.0.0.1:7", NULL }, (const char *[]){
	    "-o listen=127.0.0.1:7: listen \"127.0.0.1:7\" conflicts with "
	    "\"*:7\" on the command line", NULL });
}
END_TEST

START_TEST(test_cmdline_errors)
{
	cmdline_bad("127.0.0.1:0", (char *[]){ "nosuch", NULL }, (char *[]){
	    "max-per-source=abc", "timeout", "bogus=1", "listen=x",
	    "include=x", "service=x", "exec=/bin/cat",
	    "timeout=1s; x", "timeout=1s}", "proxy-protocol=v9",
	    "=", "timeout=", "timeout=1s", "timeout=2s", NULL },
	    (const char *[]){
	    "-l 127.0.0.1:0: bad listen address \"127.0.0.1:0\": "
	    "port out of range",
	    "-o max-per-source=abc: bad number \"abc\"",
	    "-o timeout: expected name=value",
	    "-o bogus=1: unknown directive \"bogus\"",
	    "-o listen=x: bad listen address \"x\": missing port",
	    "-o include=x: \"include\" cannot be given with -o",
	    "-o service=x: \"service\" cannot be given with -o",
	    "-o exec=/bin/cat: \"exec\" cannot be given with -o",
	    "-o timeout=1s; x: unexpected \";\"",
	    "-o timeout=1s}: unexpected \"}\"",
	    "-o proxy-protocol=v9: \"v9\" is not off, v1, v2 or any",
	    "-o =: unknown directive \"\"",
	    "-o timeout=: missing argument to \"timeout\"",
	    "-o timeout=2s: \"timeout\" given twice",
	    "command line: unknown handler \"nosuch\"", NULL });
	cmdline_bad("127.0.0.1:1", (char *[]){ "exec", "cat", NULL }, NULL,
	    (const char *[]){
	    "command line: \"cat\" is not an absolute path", NULL });
	cmdline_bad("127.0.0.1:1", (char *[]){ "exec", NULL }, NULL,
	    (const char *[]){
	    "command line: missing argument to \"exec\"", NULL });
	cmdline_bad("127.0.0.1:1", (char *[]){ "echo", "x", NULL }, NULL,
	    (const char *[]){
	    "command line: handler \"echo\" takes no arguments", NULL });
	cmdline_bad("127.0.0.1:1", (char *[]){ "module", "", NULL }, NULL,
	    (const char *[]){
	    "command line: empty module path", NULL });
	cmdline_bad("127.0.0.1:1", (char *[]){ NULL }, NULL, (const char *[]){
	    "command line: missing argument to \"handler\"", NULL });
}
END_TEST

/*
 * The API around the parser.
 */

START_TEST(test_api)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;

	/* Errors are appended to those already there. */
	ck_assert_ptr_null(conf_parse_string("a", "x", 1, &errs));
	ck_assert_ptr_null(conf_parse_string("b", "y\nz", 3, &errs));
	errors_are(&errs, "", (const char *[]){
	    "a:1: unknown directive \"x\"",
	    "b:1: unknown directive \"y\"",
	    "b:2: unknown directive \"z\"", NULL });
	conf_errors_free(&errs);
	ck_assert_ptr_null(errs.msg);
	ck_assert_uint_eq(errs.n, 0);

	/* The length counts, not a NUL. */
	conf = conf_parse_string("c", "max-children 12", 14, &errs);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(conf->max_children, 1);
	ck_assert_uint_eq(conf->nservices, 0);
	ck_assert_str_eq(conf->path, "c");
	ck_assert_str_eq(conf->files[0], "c");
	conf_free(conf);
	conf_free(NULL);

	conf = conf_parse_string("d", "", 0, &errs);
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(errs.n, 0);
	conf_free(conf);
}
END_TEST

/*
 * Robustness: any input, no crash, no hang, no leak.
 */

START_TEST(test_random_bytes)
{
	char		buf[4096];
	uint32_t	state = 0x9e3779b9U * (uint32_t)(_i + 1);
	size_t		i;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(rnd(&state) & 0xff);
	survives(buf, sizeof(buf));
}
END_TEST

/* Random sequences of the grammar's own tokens reach deeper. */
START_TEST(test_random_tokens)
{
	static const char *const vocab[] = {
		"service", "s", "t", "{", "}", ";", "\n", ",", " ", "\"", "\\",
		"#", "listen", "127.0.0.1:1", "*:1", "localhost:2", "handler",
		"echo", "exec", "/bin/cat", "module", "m.so", "rate", "10/s",
		"burst", "5", "env", "A=1", "allow", "deny", "::1", "rlimit",
		"cpu", "as", "infinity", "timeout", "5s", "max-children",
		"user", "root", "proxy-protocol", "v1", "proxy-from", "1.2.3.4",
		"passenv", "PROTO", "\\n", "\"x\"", "", "}}", "{{",
	};
	char		 buf[8192];
	const char	*w;
	uint32_t	 state = 0x85ebca6bU * (uint32_t)(_i + 1);
	size_t		 len = 0, n;

	while (len < sizeof(buf) - 32) {
		w = vocab[rnd(&state) % (sizeof(vocab) / sizeof(vocab[0]))];
		if (*w == '\0')
			buf[len++] = '\0';
		else {
			n = strlen(w);
			memcpy(buf + len, w, n);
			len += n;
		}
		if (rnd(&state) % 3 == 0)
			buf[len++] = ' ';
	}
	survives(buf, len);
}
END_TEST

START_TEST(test_all_bytes)
{
	char	buf[512];
	int	i;

	for (i = 0; i < 256; i++)
		buf[i] = buf[511 - i] = (char)i;
	survives(buf, 256);
	survives(buf, sizeof(buf));
	survives(buf + 256, 256);
}
END_TEST

START_TEST(test_huge_line)
{
	struct conf	*conf;
	size_t		 n = 1 << 20, i;
	int		 words;
	char		*buf;

	ck_assert_ptr_nonnull(buf = malloc(n + 64));

	/* One huge word: refused, and the next line is read again. */
	memcpy(buf, "user ", 5);
	memset(buf + 5, 'a', n);
	strcpy(buf + 5 + n, "\nbogus\n");
	bad(buf, (const char *[]){ "%F:1: word too long",
	    "%F:2: unknown directive \"bogus\"", NULL });

	/* A huge comment is nothing. */
	buf[0] = '#';
	strcpy(buf + 5 + n, "\nmax-children 5\n");
	conf = ok(buf);
	ck_assert_uint_eq(conf->max_children, 5);
	conf_free(conf);

	/* A huge line of short words. */
	strcpy(buf, "service s { listen 127.0.0.1:1; exec /bin/echo");
	for (i = strlen(buf), words = 1; i < n; i += 2, words++)
		memcpy(buf + i, " x", 2);
	strcpy(buf + i, " }");
	conf = ok(buf);
	ck_assert_int_eq(first(conf)->argc, words);
	conf_free(conf);

	/* A huge quoted word. */
	memset(buf, 'b', n);
	memcpy(buf, "user \"", 6);
	strcpy(buf + n, "\" \"unterminated");
	bad(buf, (const char *[]){ "%F:1: word too long", NULL });
	free(buf);
}
END_TEST

START_TEST(test_deep_nesting)
{
	size_t	 n = 100000;
	char	*buf;

	ck_assert_ptr_nonnull(buf = malloc(n + 32));
	memset(buf, '{', n);
	buf[n] = '\0';
	bad(buf, (const char *[]){ "%F:1: unexpected \"{\"", NULL });

	strcpy(buf, "service s {");
	bad(buf, (const char *[]){
	    "%F:1: service \"s\" has no closing \"}\"", NULL });
	memset(buf + 11, '{', n - 11);
	bad(buf, (const char *[]){ "%F:1: unexpected \"{\"",
	    "%F:1: service \"s\" has no closing \"}\"", NULL });

	/* Balanced braces are skipped as one block. */
	memset(buf, '{', n / 2);
	memset(buf + n / 2, '}', n / 2);
	strcpy(buf + n, "\nbogus");
	bad(buf, (const char *[]){ "%F:1: unexpected \"{\"",
	    "%F:2: unknown directive \"bogus\"", NULL });
	free(buf);
}
END_TEST

START_TEST(test_error_limit)
{
	struct conf_errors	 errs = { NULL, 0 };
	size_t			 n = 100000;
	char			*buf;

	ck_assert_ptr_nonnull(buf = malloc(n));
	memset(buf, '}', n);
	ck_assert_ptr_null(conf_parse_string(NAME, buf, n, &errs));
	ck_assert_uint_eq(errs.n, 101);
	ck_assert_str_eq(errs.msg[99], NAME ":1: unexpected \"}\"");
	ck_assert_str_eq(errs.msg[100], NAME ":1: too many errors");
	conf_errors_free(&errs);

	memset(buf, 0, n);
	ck_assert_ptr_null(conf_parse_string(NAME, buf, n, &errs));
	errors_are(&errs, NAME, (const char *[]){ "%F:1: NUL byte", NULL });
	conf_errors_free(&errs);
	free(buf);
}
END_TEST

/*
 * A list refused halfway keeps what came before the bad item; the merge
 * must not replace it with the default's (found by fuzzing: a leak).
 */
START_TEST(test_partial_lists)
{
	bad("allow 10.0.0.0/8\nproxy-from ::1\nproxy-protocol v1\n"
	    "env A=1\n"
	    SVC("allow ::1, bogus\nproxy-from 10.0.0.1 /8\nenv B=1 C"),
	    (const char *[]){
	    "%F:8: bad address \"bogus\": bad address",
	    "%F:9: bad address \"/8\": missing address",
	    "%F:10: \"C\" is not NAME=VALUE", NULL });
	bad("allow bogus\nproxy-from bogus\n" SVC(""), (const char *[]){
	    "%F:1: bad address \"bogus\": bad address",
	    "%F:2: bad address \"bogus\": bad address", NULL });
}
END_TEST

/*
 * As root the parser refuses files that others than root may write, and
 * a source tree unpacked as root may well be writable by its group: the
 * tests that read tests/data would all fail.  Every test but those of
 * trust runs as nobody, which the parser trusts to read anything; with
 * CK_FORK=no, root comes back after each.
 */
static void
unprivileged(void)
{
	if (geteuid() == 0)
		ck_assert_int_eq(seteuid(65534), 0);
}

static void
privileged(void)
{
	if (getuid() == 0)
		ck_assert_int_eq(seteuid(0), 0);
}

static Suite *
conf_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("conf");

	tc = tcase_create("lexical");
	tcase_add_checked_fixture(tc, unprivileged, privileged);
	tcase_add_test(tc, test_separators_comments);
	tcase_add_test(tc, test_crlf);
	tcase_add_test(tc, test_escapes);
	tcase_add_test(tc, test_concatenation);
	tcase_add_test(tc, test_lists);
	tcase_add_test(tc, test_lexical_errors);
	tcase_add_loop_test(tc, test_quoting, 0,
	    sizeof(quoted) / sizeof(quoted[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_checked_fixture(tc, unprivileged, privileged);
	tcase_add_loop_test(tc, test_durations, 0,
	    sizeof(durations) / sizeof(durations[0]));
	tcase_add_test(tc, test_bad_durations);
	tcase_add_test(tc, test_rlimits);
	tcase_add_test(tc, test_rates);
	tcase_add_test(tc, test_numbers);
	suite_add_tcase(s, tc);

	tc = tcase_create("directives");
	tcase_add_checked_fixture(tc, unprivileged, privileged);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_builtin_defaults);
	tcase_add_test(tc, test_every_directive);
	tcase_add_test(tc, test_tls);
	suite_add_tcase(s, tc);

	tc = tcase_create("defaults");
	tcase_add_checked_fixture(tc, unprivileged, privileged);
	tcase_add_test(tc, test_defaults_merged);
	tcase_add_test(tc, test_defaults_scope);
	suite_add_tcase(s, tc);

	tc = tcase_create("warnings");
	tcase_add_checked_fixture(tc, unprivileged, privileged);
	tcase_add_test(tc, test_list_replaced);
	tcase_add_test(tc, test_list_replaced_include);
	tcase_add_test(tc, test_list_not_replaced);
	suite_add_tcase(s, tc);

	tc = tcase_create("credentials");
	tcase_add_checked_fixture(tc, unprivileged, privileged);
	tcase_add_test(tc, test_credentials_root);
	tcase_add_test(tc, test_credentials_refused);
	tcase_add_test(tc, test_credentials_own);
	tcase_add_test(tc, test_credentials_no_user);
	suite_add_tcase(s, tc);

	tc = tcase_create("trust");
	tcase_add_test(tc, test_trust_modes);
	tcase_add_test(tc, test_trust_owner);
	tcase_add_test(tc, test_not_regular);
	tcase_add_test(tc, test_service_name_length);
	suite_add_tcase(s, tc);

	tc = tcase_create("include");
	tcase_add_checked_fixture(tc, unprivileged, privileged);
	tcase_add_test(tc, test_include);
	tcase_add_test(tc, test_include_errors);
	tcase_add_test(tc, test_include_loop);
	tcase_add_test(tc, test_include_depth);
	suite_add_tcase(s, tc);

	tc = tcase_create("bad files");
	tcase_add_checked_fixture(tc, unprivileged, privileged);
	tcase_add_loop_test(tc, test_bad_file, 0,
	    sizeof(bad_files) / sizeof(bad_files[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("cmdline");
	tcase_add_checked_fixture(tc, unprivileged, privileged);
	tcase_add_test(tc, test_cmdline);
	tcase_add_test(tc, test_cmdline_errors);
	suite_add_tcase(s, tc);

	tc = tcase_create("api");
	tcase_add_checked_fixture(tc, unprivileged, privileged);
	tcase_add_test(tc, test_api);
	suite_add_tcase(s, tc);

	tc = tcase_create("robustness");
	tcase_add_checked_fixture(tc, unprivileged, privileged);
	tcase_add_loop_test(tc, test_random_bytes, 0, 16);
	tcase_add_loop_test(tc, test_random_tokens, 0, 64);
	tcase_add_test(tc, test_all_bytes);
	tcase_add_test(tc, test_huge_line);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_error_limit);
	tcase_add_test(tc, test_partial_lists);
	tcase_add_loop_test(tc, test_fuzz_file, 0,
	    sizeof(fuzz_files) / sizeof(fuzz_files[0]));
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(conf_suite)
