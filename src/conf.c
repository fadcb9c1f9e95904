/*
 * The configuration parser: forkd.conf(5) into struct conf.
 *
 * A small hand-written lexer and one keyword table rather than yacc: the
 * parser recovers at the next directive after any error, so that one run
 * reports every error, and the -o values of one-shot mode go through the
 * very same functions as the file.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "builtin.h"
#include "conf.h"

#ifndef PKGLIBDIR
#define PKGLIBDIR	"/usr/local/lib/forkd"
#endif

#define WORD_MAX	4096		/* bytes in one word */
#define FILE_MAX	(16 * 1024 * 1024)
#define INCLUDE_DEPTH	16
#define ERRORS_MAX	100
#define QUOTE_MAX	256		/* bytes of a word shown in a message */
#define NUMBER_MAX	1000000
#define CMDLINE		"command line"

enum token {
	T_NONE,
	T_EOF,
	T_EOD,			/* newline or ';' */
	T_WORD,
	T_LBRACE,
	T_RBRACE,
	T_COMMA,
	T_ERROR,		/* already reported */
};

/* Keyword flags: where a directive may appear, and how it is read. */
#define GLOBAL		0x01
#define SERVICE		0x02
#define ANY		(GLOBAL | SERVICE)
#define LIST		0x04	/* items may be separated by commas */
#define HANDLER		0x08	/* one of handler, exec, module */
#define BLOCK		0x10	/* service NAME { ... } */
#define NOOPT		0x20	/* cannot be given with -o */
#define MANY		INT_MAX


/*
 * A file, a string or one command line word being read.  Only an include
 * nests sources: up points to the including file.
 */
struct src {
	const char	*name;		/* in messages */
	const char	*file;		/* kept: an entry of conf->files */
	const char	*buf;
	size_t		 len;
	size_t		 off;
	int		 line;
	int		 tokline;	/* line of the last token */
	int		 noline;	/* messages "name: ..." (-o, -l) */
	int		 relative;	/* includes from name's folder */
	int		 isfile;
	dev_t		 dev;
	ino_t		 ino;
	int		 depth;
	struct src	*up;
};

struct parser {
	struct conf		*conf;
	struct conf_errors	*errs;
	struct src		*src;
	struct conf_service	*svc;		/* NULL at global scope */
	struct conf_settings	*cur;		/* svc->s, conf->defaults */
	int			 had_listen;	/* in svc, even a bad one */
	int			 had_handler;
	uint32_t		 gset;		/* global-only ones given */
	const char		*pf_file;	/* global proxy-from */
	int			 pf_line;
	enum token		 back;		/* pushed back or T_NONE */
	int			 skipping;	/* quiet lexical errors */
	char			 word[WORD_MAX + 1];
	char			**args;		/* NULL-terminated */
	size_t			 nargs;
	size_t			 argscap;
	size_t			 nerr;
	int			 stop;		/* too many errors, no memory */
	int			 nomem;
	char			 quote[4][QUOTE_MAX * 4 + 8];
	unsigned int		 nquote;
};

struct keyword {
	const char	*name;
	int		(*fn)(struct parser *, const struct keyword *);
	int		 flags;
	int		 min, max;	/* arguments */
};

/* Bits of parser.gset. */
#define G_MAX_CHILDREN		0x01
#define G_PIDFILE		0x02
#define G_SYSLOG		0x04
#define G_SHUTDOWN		0x08

static int	conf_acl(struct parser *, const struct keyword *);
static int	conf_backlog(struct parser *, const struct keyword *);
static int	conf_chroot(struct parser *, const struct keyword *);
static int	conf_env(struct parser *, const struct keyword *);
static int	conf_exec(struct parser *, const struct keyword *);
static int	conf_group(struct parser *, const struct keyword *);
static int	conf_handler(struct parser *, const struct keyword *);
static int	conf_idle_timeout(struct parser *, const struct keyword *);
static int	conf_include(struct parser *, const struct keyword *);
static int	conf_listen(struct parser *, const struct keyword *);
static int	conf_max_children(struct parser *, const struct keyword *);
static int	conf_max_per_source(struct parser *, const struct keyword *);
static int	conf_module(struct parser *, const struct keyword *);
static int	conf_passenv(struct parser *, const struct keyword *);
static int	conf_pidfile(struct parser *, const struct keyword *);
static int	conf_proxy_from(struct parser *, const struct keyword *);
static int	conf_proxy_protocol(struct parser *, const struct keyword *);
static int	conf_rate(struct parser *, const struct keyword *);
static int	conf_refuse_message(struct parser *, const struct keyword *);
static int	conf_reuseport(struct parser *, const struct keyword *);
static int	conf_rlimit(struct parser *, const struct keyword *);
static int	conf_service(struct parser *, const struct keyword *);
static int	conf_shutdown_timeout(struct parser *, const struct keyword *);
static int	conf_syslog_facility(struct parser *, const struct keyword *);
static int	conf_timeout(struct parser *, const struct keyword *);
static int	conf_user(struct parser *, const struct keyword *);

/*
 * Every directive, in alphabetical order.
 */
static const struct keyword keywords[] = {
	/* name			function, flags, min and max args */
	{ "allow",		conf_acl, ANY | LIST, 1, MANY },
	{ "backlog",		conf_backlog, ANY, 1, 1 },
	{ "chroot",		conf_chroot, ANY, 1, 1 },
	{ "deny",		conf_acl, ANY | LIST, 1, MANY },
	{ "env",		conf_env, ANY | LIST, 1, MANY },
	{ "exec",		conf_exec, SERVICE | HANDLER, 1, MANY },
	{ "group",		conf_group, ANY, 1, 1 },
	{ "handler",		conf_handler, SERVICE | HANDLER, 1, MANY },
	{ "idle-timeout",	conf_idle_timeout, ANY, 1, 1 },
	{ "include",		conf_include, GLOBAL | NOOPT, 1, 1 },
	{ "listen",		conf_listen, SERVICE | LIST, 1, MANY },
	{ "max-children",	conf_max_children, ANY, 1, 1 },
	{ "max-per-source",	conf_max_per_source, ANY, 1, 1 },
	{ "module",		conf_module, SERVICE | HANDLER, 1, MANY },
	{ "passenv",		conf_passenv, ANY | LIST, 1, MANY },
	{ "pidfile",		conf_pidfile, GLOBAL, 1, 1 },
	{ "proxy-from",		conf_proxy_from, ANY | LIST, 1, MANY },
	{ "proxy-protocol",	conf_proxy_protocol, ANY, 1, 1 },
	{ "rate",		conf_rate, ANY, 1, 3 },
	{ "refuse-message",	conf_refuse_message, ANY, 1, 1 },
	{ "reuseport",		conf_reuseport, ANY, 1, 1 },
	{ "rlimit",		conf_rlimit, ANY, 2, 2 },
	{ "service",		conf_service, GLOBAL | BLOCK, 1, 1 },
	{ "shutdown-timeout",	conf_shutdown_timeout, GLOBAL, 1, 1 },
	{ "syslog-facility",	conf_syslog_facility, GLOBAL, 1, 1 },
	{ "timeout",		conf_timeout, ANY, 1, 1 },
	{ "user",		conf_user, ANY, 1, 1 },
};

static const struct {
	const char	*name;
	int		 value;
} facilities[] = {
	{ "auth", LOG_AUTH }, { "authpriv", LOG_AUTHPRIV },
	{ "cron", LOG_CRON }, { "daemon", LOG_DAEMON }, { "ftp", LOG_FTP },
	{ "kern", LOG_KERN }, { "lpr", LOG_LPR }, { "mail", LOG_MAIL },
	{ "news", LOG_NEWS }, { "syslog", LOG_SYSLOG }, { "user", LOG_USER },
	{ "uucp", LOG_UUCP }, { "local0", LOG_LOCAL0 },
	{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
	{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
	{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
	{ "local7", LOG_LOCAL7 },
};

/* Units of durations (to ms) and sizes (to bytes); bare is the first. */
struct unit {
	const char		*suffix;
	unsigned long long	 mult;
};

static const struct unit durations[] = {
	{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60 * 1000 },
	{ "h", 3600 * 1000 }, { NULL, 0 },
};

static const struct unit sizes[] = {
	{ "", 1 }, { "k", 1ULL << 10 }, { "m", 1ULL << 20 },
	{ "g", 1ULL << 30 }, { NULL, 0 },
};

static const char *const rlimit_names[CONF_RLIMIT_MAX] = {
	[CONF_RLIMIT_CPU] = "cpu", [CONF_RLIMIT_AS] = "as",
	[CONF_RLIMIT_DATA] = "data", [CONF_RLIMIT_FSIZE] = "fsize",
	[CONF_RLIMIT_CORE] = "core", [CONF_RLIMIT_STACK] = "stack",
	[CONF_RLIMIT_NOFILE] = "nofile", [CONF_RLIMIT_NPROC] = "nproc",
};

/* forkd sets these for every connection (SPEC sections 3 and 4). */
static const char *const reserved_env[] = {
	"PROTO", "TCPLOCALIP", "TCPLOCALPORT", "TCPREMOTEIP",
	"TCPREMOTEPORT", "FORKD_SERVICE", "PROXYREMOTEIP", "PROXYREMOTEPORT",
};

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static void	conf_verr(struct parser *, const char *, int, const char *,
		    va_list) __attribute__((__format__(__printf__, 4, 0)));
static void	conf_errat(struct parser *, const char *, int, const char *,
		    ...) __attribute__((__format__(__printf__, 4, 5)));
static void	conf_err(struct parser *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
static int	conf_nomem(struct parser *);
static size_t	utf8_len(const unsigned char *);
static const char *q(struct parser *, const char *);
static int	lex_special(int);
static enum token lex_word(struct parser *);
static enum token lex(struct parser *);
static void	conf_skip(struct parser *);
static void	conf_recover(struct parser *, enum token);
static int	args_push(struct parser *, const char *);
static void	args_clear(struct parser *);
static char	*args_steal(struct parser *, size_t);
static int	conf_args(struct parser *, const struct keyword *);
static const struct keyword *keyword_find(const char *);
static void	conf_run(struct parser *, const struct keyword *);
static void	conf_directive(struct parser *);
static int	conf_block(struct parser *);
static int	conf_read(int, char **, size_t *);
static const char *conf_addfile(struct parser *, const char *);
static void	conf_file(struct parser *, const char *);
static int	conf_once(struct parser *, const struct keyword *, uint32_t *,
		    uint32_t);
static int	conf_number(struct parser *, const char *, long long,
		    long long, long long *);
static int	conf_scaled(struct parser *, const char *,
		    const struct unit *, const char *, unsigned long long,
		    unsigned long long *);
static int	conf_duration(struct parser *, const char *, unsigned int *);
static int	conf_abspath(struct parser *, const char *);
static int	conf_envname(struct parser *, const char *);
static int	conf_cidr(struct parser *, const char *, struct cidr *);
static int	conf_argv(struct parser *, enum conf_handler_kind);
static const struct conf_listen *listen_conflict(const struct conf_listen *,
		    size_t, const struct addr *);
static int	conf_listen_add(struct parser *, const struct addr *);
static void	*memdup(const void *, size_t, size_t);
static char	**strv_dup(char **, size_t);
static void	strv_free(char **, size_t);
static void	settings_init(struct conf_settings *);
static void	settings_free(struct conf_settings *);
static int	settings_merge(struct conf_settings *,
		    const struct conf_settings *);
static struct conf_service *service_new(struct parser *, const char *,
		    int);
static void	service_free(struct conf_service *);
static int	parser_init(struct parser *, struct conf_errors *);
static void	conf_finish(struct parser *);
static struct conf *parser_end(struct parser *);

/*
 * Errors.  After ERRORS_MAX of them the parse stops: a binary file would
 * otherwise bury the first, useful ones under thousands of others.
 */
static void
conf_verr(struct parser *p, const char *file, int line, const char *fmt,
    va_list ap)
{
	struct conf_errors	*e = p->errs;
	char			*msg, *s, **m;
	int			 r;

	if (p->stop)
		return;
	if (p->nerr == ERRORS_MAX) {
		p->stop = 1;
		msg = strdup("too many errors");
	} else if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	if (msg == NULL)
		goto nomem;
	if (line > 0)
		r = asprintf(&s, "%s:%d: %s", file, line, msg);
	else
		r = asprintf(&s, "%s: %s", file, msg);
	free(msg);
	if (r == -1)
		goto nomem;
	if ((m = reallocarray(e->msg, e->n + 1, sizeof(*m))) == NULL) {
		free(s);
		goto nomem;
	}
	e->msg = m;
	e->msg[e->n++] = s;
	p->nerr++;
	return;
nomem:
	p->nomem = p->stop = 1;
}

static void
conf_errat(struct parser *p, const char *file, int line, const char *fmt,
    ...)
{
	va_list	ap;

	va_start(ap, fmt);
	conf_verr(p, file, line, fmt, ap);
	va_end(ap);
}

/* An error at the current token. */
static void
conf_err(struct parser *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	conf_verr(p, p->src->name, p->src->noline ? 0 : p->src->tokline,
	    fmt, ap);
	va_end(ap);
}

/* Out of memory: say so if that still can be said, and stop. */
static int
conf_nomem(struct parser *p)
{
	if (p->src != NULL)
		conf_err(p, "out of memory");
	p->nomem = p->stop = 1;
	return -1;
}

/*
 * The length of the UTF-8 sequence at s, or 0 if it is not one, or if it
 * is a C1 control character (U+0080 to U+009F: U+009B is CSI, which a
 * terminal takes as ESC [).  The bounds of the second byte are those of
 * RFC 3629: no overlong form, no surrogate, nothing beyond U+10FFFF.
 */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		if (s[0] == 0xc2)
			lo = 0xa0;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * A word as a message shows it: quoted, with quotes, backslashes, control
 * characters and bytes that are not UTF-8 escaped, so that a file cannot
 * write escape sequences or garbage to a terminal or a log, and cut
 * short.  Four buffers turn, enough for any message.
 */
static const char *
q(struct parser *p, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			*buf, *o;
	size_t			 i, n;

	buf = o = p->quote[p->nquote++ % nitems(p->quote)];
	*o++ = '"';
	for (i = 0; u[i] != '\0'; i += n) {
		n = 1;
		if (i >= QUOTE_MAX) {
			memcpy(o, "...", 3);
			o += 3;
			break;
		}
		if (u[i] == '"' || u[i] == '\\') {
			*o++ = '\\';
			*o++ = (char)u[i];
		} else if (u[i] < 0x20 || u[i] == 0x7f ||
		    (u[i] >= 0x80 && (n = utf8_len(u + i)) == 0)) {
			o += snprintf(o, 5, "\\x%02x", u[i]);
			n = 1;
		} else {
			memcpy(o, u + i, n);
			o += n;
		}
	}
	*o++ = '"';
	*o = '\0';
	return buf;
}

/*
 * The lexer.  A word is a run of bare characters and double-quoted
 * strings with nothing between them, as in the shell: env A="x y" is one
 * word.  Bare words end at space, '#', ';', ',', '{', '}' and NUL.
 */
static int
lex_special(int c)
{
	switch (c) {
	case ' ': case '\t': case '\r': case '\f': case '\v': case '\n':
	case '#': case ';': case ',': case '{': case '}': case '\0':
		return 1;
	default:
		return 0;
	}
}

static enum token
lex_word(struct parser *p)
{
	struct src	*s = p->src;
	const char	*err = NULL;
	size_t		 n = 0;
	int		 c, quoted = 0, esc = 0;

	while (s->off < s->len) {
		c = (unsigned char)s->buf[s->off];
		if (!quoted) {
			if (lex_special(c))
				break;
			s->off++;
			if (c == '"') {
				quoted = 1;
				continue;
			}
		} else {
			/* A string ends on its line: use \n for a newline. */
			if (c == '\n')
				break;
			s->off++;
			if (c == '"') {
				quoted = 0;
				continue;
			}
			if (c == '\\') {
				if (s->off == s->len || s->buf[s->off] == '\n')
					break;
				c = (unsigned char)s->buf[s->off++];
				switch (c) {
				case '"': case '\\':
					break;
				case 'n':
					c = '\n';
					break;
				case 'r':
					c = '\r';
					break;
				case 't':
					c = '\t';
					break;
				default:
					if (err == NULL) {
						err = "bad escape";
						esc = c;
					}
				}
			} else if (c == '\0' && err == NULL)
				err = "NUL byte";
		}
		if (n < WORD_MAX)
			p->word[n++] = (char)c;
		else if (err == NULL)
			err = "word too long";
	}
	p->word[n] = '\0';
	if (quoted)
		err = "unterminated string";
	if (err == NULL)
		return T_WORD;
	if (p->skipping)
		return T_ERROR;
	if (!quoted && esc > 0x20 && esc < 0x7f)
		conf_err(p, "bad escape \"\\%c\"", esc);
	else
		conf_err(p, "%s", err);
	return T_ERROR;
}

static enum token
lex(struct parser *p)
{
	struct src	*s = p->src;
	const char	*nl;
	enum token	 t;

	if ((t = p->back) != T_NONE) {
		p->back = T_NONE;
		return t;
	}
	while (!p->stop && s->off < s->len) {
		s->tokline = s->line;
		switch (s->buf[s->off]) {
		case ' ': case '\t': case '\r': case '\f': case '\v':
			s->off++;
			break;
		case '#':
			nl = memchr(s->buf + s->off, '\n', s->len - s->off);
			s->off = nl != NULL ? (size_t)(nl - s->buf) : s->len;
			break;
		case '\n':
			s->off++;
			s->line++;
			return T_EOD;
		case ';':
			s->off++;
			return T_EOD;
		case '{':
			s->off++;
			return T_LBRACE;
		case '}':
			s->off++;
			return T_RBRACE;
		case ',':
			s->off++;
			return T_COMMA;
		case '\0':
			s->off++;
			if (!p->skipping)
				conf_err(p, "NUL byte");
			return T_ERROR;
		default:
			return lex_word(p);
		}
	}
	s->tokline = s->line;
	return T_EOF;
}

/*
 * Skip the rest of a bad directive, and the block it opens if it does:
 * without a counter of braces, the inside of a misspelt service would be
 * read as global directives.  A counter, not recursion, so that any depth
 * of braces is safe.
 */
static void
conf_skip(struct parser *p)
{
	enum token	t;
	size_t		depth = 0;

	p->skipping = 1;
	for (;;) {
		t = lex(p);
		if (t == T_EOF || (t == T_RBRACE && depth == 0)) {
			p->back = t;
			break;
		}
		if (t == T_EOD && depth == 0)
			break;
		if (t == T_LBRACE)
			depth++;
		else if (t == T_RBRACE && --depth == 0)
			break;
	}
	p->skipping = 0;
}

/* After an unexpected token t: skip what is left of the directive. */
static void
conf_recover(struct parser *p, enum token t)
{
	if (t == T_EOD || t == T_EOF || t == T_LBRACE || t == T_RBRACE)
		p->back = t;
	conf_skip(p);
}

/* The argument vector always has room for its terminating NULL. */
static int
args_push(struct parser *p, const char *w)
{
	char	**a;
	size_t	  cap;

	if (p->nargs + 2 > p->argscap) {
		cap = p->argscap == 0 ? 8 : p->argscap * 2;
		if ((a = reallocarray(p->args, cap, sizeof(*a))) == NULL)
			return conf_nomem(p);
		p->args = a;
		p->argscap = cap;
	}
	if ((p->args[p->nargs] = strdup(w)) == NULL)
		return conf_nomem(p);
	p->args[++p->nargs] = NULL;
	return 0;
}

static void
args_clear(struct parser *p)
{
	size_t	i;

	for (i = 0; i < p->nargs; i++)
		free(p->args[i]);
	p->nargs = 0;
	if (p->args != NULL)
		p->args[0] = NULL;
}

/* Take argument i over: the caller frees it. */
static char *
args_steal(struct parser *p, size_t i)
{
	char	*s = p->args[i];

	p->args[i] = NULL;
	return s;
}

/*
 * Collect the arguments of a directive up to its end, which is consumed
 * (a '}' or the end of the source is left for the caller).  On an error,
 * reported here, the rest of the directive is skipped and -1 returned.
 */
static int
conf_args(struct parser *p, const struct keyword *kw)
{
	enum token	t;
	int		comma = 0, c;

	args_clear(p);
	for (;;) {
		switch ((t = lex(p))) {
		case T_WORD:
			if (args_push(p, p->word) == -1)
				return -1;
			comma = 0;
			break;
		case T_COMMA:
			if (!(kw->flags & LIST) || p->nargs == 0 || comma) {
				conf_err(p, "unexpected \",\"");
				goto bad;
			}
			comma = 1;
			break;
		case T_LBRACE:
			conf_err(p, "unexpected \"{\"");
			goto bad;
		case T_ERROR:
			goto bad;
		default:
			if (comma) {
				conf_err(p, "unexpected \",\"");
				goto bad;
			}
			/* A -o value is one directive and nothing else. */
			if (p->src->noline && t != T_EOF) {
				c = p->src->buf[p->src->off - 1];
				conf_err(p, "unexpected %s", c == '\n' ?
				    "newline" : c == ';' ? "\";\"" : "\"}\"");
				goto bad;
			}
			if (t != T_EOD)
				p->back = t;
			return 0;
		}
	}
bad:
	conf_recover(p, t);
	return -1;
}

static const struct keyword *
keyword_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(keywords); i++)
		if (strcmp(keywords[i].name, name) == 0)
			return &keywords[i];
	return NULL;
}

/* Check the count of the arguments collected, and apply the directive. */
static void
conf_run(struct parser *p, const struct keyword *kw)
{
	if (kw->fn == conf_listen)
		p->had_listen = 1;
	if (kw->flags & HANDLER) {
		if (p->had_handler) {
			conf_err(p, "only one of handler, exec or module "
			    "per service");
			return;
		}
		p->had_handler = 1;
	}
	if (p->nargs < (size_t)kw->min)
		conf_err(p, "missing argument to %s", q(p, kw->name));
	else if (p->nargs > (size_t)kw->max)
		conf_err(p, "too many arguments to %s", q(p, kw->name));
	else
		kw->fn(p, kw);
}

/* A directive whose name is in p->word. */
static void
conf_directive(struct parser *p)
{
	const struct keyword	*kw;

	if ((kw = keyword_find(p->word)) == NULL)
		conf_err(p, "unknown directive %s", q(p, p->word));
	else if (p->svc == NULL && !(kw->flags & GLOBAL))
		conf_err(p, "%s is only allowed inside a service",
		    q(p, kw->name));
	else if (p->svc != NULL && !(kw->flags & SERVICE))
		conf_err(p, "%s is not allowed inside a service",
		    q(p, kw->name));
	else if (kw->flags & BLOCK) {
		kw->fn(p, kw);
		return;
	} else {
		if (conf_args(p, kw) == 0)
			conf_run(p, kw);
		return;
	}
	conf_skip(p);
}

/*
 * Directives up to the end of the source or, inside a service, up to its
 * closing brace.  Returns 1 when a closing brace ended it.
 */
static int
conf_block(struct parser *p)
{
	enum token	t;

	for (;;) {
		switch ((t = lex(p))) {
		case T_EOF:
			return 0;
		case T_EOD:
			break;
		case T_WORD:
			conf_directive(p);
			break;
		case T_RBRACE:
			if (p->svc != NULL)
				return 1;
			conf_err(p, "unexpected \"}\"");
			break;
		default:
			if (t == T_LBRACE || t == T_COMMA)
				conf_err(p, "unexpected \"%c\"",
				    t == T_LBRACE ? '{' : ',');
			conf_recover(p, t);
			break;
		}
	}
}

/*
 * Read a whole file, up to FILE_MAX bytes: a configuration is small, and
 * the cap keeps "include /dev/zero"-like mistakes from eating memory.
 */
static int
conf_read(int fd, char **bufp, size_t *lenp)
{
	char	*buf = NULL, *nbuf;
	size_t	 len = 0, cap = 0;
	ssize_t	 n;

	for (;;) {
		if (len == cap) {
			if (cap == FILE_MAX) {
				free(buf);
				errno = EFBIG;
				return -1;
			}
			cap = cap == 0 ? 8192 : cap * 2;
			if (cap > FILE_MAX)
				cap = FILE_MAX;
			if ((nbuf = realloc(buf, cap)) == NULL) {
				free(buf);
				return -1;
			}
			buf = nbuf;
		}
		n = read(fd, buf + len, cap - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			free(buf);
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	*bufp = buf;
	*lenp = len;
	return 0;
}

/* Keep a file name in conf->files, where messages and services point. */
static const char *
conf_addfile(struct parser *p, const char *name)
{
	struct conf	*conf = p->conf;
	char		**f, *s;

	if ((s = strdup(name)) == NULL)
		goto nomem;
	f = reallocarray(conf->files, conf->nfiles + 1, sizeof(*f));
	if (f == NULL) {
		free(s);
		goto nomem;
	}
	conf->files = f;
	conf->files[conf->nfiles++] = s;
	return s;
nomem:
	conf_nomem(p);
	return NULL;
}

/*
 * Read and parse a file: the main one (p->src NULL, errors without a
 * line) or an included one (errors at the include).  An included file
 * must be a regular file, opened without blocking, so that a glob that
 * matches a FIFO or a device cannot hang the parser.
 */
static void
conf_file(struct parser *p, const char *path)
{
	struct src	 s, *up;
	struct stat	 st;
	const char	*name;
	char		*buf = NULL;
	size_t		 len;
	int		 fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | (p->src ? O_NONBLOCK : 0));
	if (fd == -1) {
		if (p->src == NULL)
			conf_errat(p, path, 0, "%s", strerror(errno));
		else
			conf_err(p, "cannot open %s: %s", q(p, path),
			    strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1)
		goto bad;
	if (p->src != NULL) {
		if (!S_ISREG(st.st_mode)) {
			conf_err(p, "%s is not a regular file", q(p, path));
			goto close;
		}
		for (up = p->src; up != NULL; up = up->up)
			if (up->isfile && up->dev == st.st_dev &&
			    up->ino == st.st_ino) {
				conf_err(p, "include loop: %s", q(p, path));
				goto close;
			}
		if (p->src->depth >= INCLUDE_DEPTH) {
			conf_err(p, "includes nested too deeply");
			goto close;
		}
	}
	if (conf_read(fd, &buf, &len) == -1)
		goto bad;
	if ((name = conf_addfile(p, path)) == NULL)
		goto close;

	memset(&s, 0, sizeof(s));
	s.name = s.file = name;
	s.buf = buf;
	s.len = len;
	s.line = 1;
	s.relative = s.isfile = 1;
	s.dev = st.st_dev;
	s.ino = st.st_ino;
	s.depth = p->src != NULL ? p->src->depth + 1 : 0;
	s.up = p->src;
	p->src = &s;
	conf_block(p);
	p->src = s.up;
	p->back = T_NONE;
	goto close;
bad:
	if (p->src == NULL)
		conf_errat(p, path, 0, "%s", strerror(errno));
	else
		conf_err(p, "cannot read %s: %s", q(p, path), strerror(errno));
close:
	free(buf);
	close(fd);
}

/*
 * Value helpers.  Each reports its own error and returns -1.
 */

/*
 * A setting is given once per scope: a second one in the same scope is
 * more likely a mistake than a wish to override.
 */
static int
conf_once(struct parser *p, const struct keyword *kw, uint32_t *set,
    uint32_t bit)
{
	if (*set & bit) {
		conf_err(p, "%s given twice", q(p, kw->name));
		return -1;
	}
	*set |= bit;
	return 0;
}

/* Plain decimal: strtonum alone would take a sign and leading spaces. */
static int
conf_number(struct parser *p, const char *s, long long lo, long long hi,
    long long *v)
{
	const char	*errstr, *c;

	for (c = s; *c >= '0' && *c <= '9'; c++)
		;
	if (c == s || *c != '\0') {
		conf_err(p, "bad number %s", q(p, s));
		return -1;
	}
	*v = strtonum(s, lo, hi, &errstr);
	if (errstr != NULL) {
		conf_err(p, "%s is out of range %lld-%lld", q(p, s), lo, hi);
		return -1;
	}
	return 0;
}

/*
 * Digits and one of the units of the table (none, the first one), scaled
 * and at most max: a duration in milliseconds or a size in bytes.
 */
static int
conf_scaled(struct parser *p, const char *s, const struct unit *u,
    const char *what, unsigned long long max, unsigned long long *v)
{
	unsigned long long	 n = 0, d;
	const char		*c;

	for (c = s; *c >= '0' && *c <= '9'; c++) {
		/*
		 * Saturate at max + 1, before the product can wrap around
		 * (a size's max is LLONG_MAX), so that any number of digits
		 * is safe.
		 */
		d = (unsigned long long)(*c - '0');
		n = n > (max - d) / 10 ? max + 1 : n * 10 + d;
	}
	while (u->suffix != NULL && strcmp(c, u->suffix) != 0)
		u++;
	if (c == s || u->suffix == NULL) {
		conf_err(p, "bad %s %s", what, q(p, s));
		return -1;
	}
	if (n > max / u->mult) {
		conf_err(p, "%s %s is too large", what, q(p, s));
		return -1;
	}
	*v = n * u->mult;
	return 0;
}

static int
conf_duration(struct parser *p, const char *s, unsigned int *ms)
{
	unsigned long long	v;

	if (conf_scaled(p, s, durations, "duration", UINT_MAX, &v) == -1)
		return -1;
	*ms = (unsigned int)v;
	return 0;
}

static int
conf_abspath(struct parser *p, const char *s)
{
	if (s[0] != '/') {
		conf_err(p, "%s is not an absolute path", q(p, s));
		return -1;
	}
	return 0;
}

/* [A-Za-z_][A-Za-z0-9_]*, and none of the names forkd itself sets. */
static int
conf_envname(struct parser *p, const char *name)
{
	size_t	i;
	int	c;

	for (i = 0; (c = (unsigned char)name[i]) != '\0'; i++)
		if (!(c == '_' || (c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9')))
			break;
	if (i == 0 || name[i] != '\0') {
		conf_err(p, "bad variable name %s", q(p, name));
		return -1;
	}
	for (i = 0; i < nitems(reserved_env); i++)
		if (strcmp(name, reserved_env[i]) == 0) {
			conf_err(p, "%s is set by forkd", q(p, name));
			return -1;
		}
	return 0;
}

static int
conf_cidr(struct parser *p, const char *s, struct cidr *c)
{
	const char	*errstr;

	if (cidr_parse(s, c, &errstr) == -1) {
		conf_err(p, "bad address %s: %s", q(p, s), errstr);
		return -1;
	}
	return 0;
}

/* The arguments become the service's argv. */
static int
conf_argv(struct parser *p, enum conf_handler_kind kind)
{
	struct conf_service	*svc = p->svc;

	svc->kind = kind;
	svc->hfile = p->src->name;
	svc->hline = p->src->noline ? 0 : p->src->tokline;
	svc->argc = (int)p->nargs;
	svc->argv = p->args;
	p->args = NULL;
	p->nargs = p->argscap = 0;
	return 0;
}

/*
 * Two listen addresses conflict when they are equal, or when one is the
 * wildcard and both have the same port: binding the second would fail.
 */
static const struct conf_listen *
listen_conflict(const struct conf_listen *l, size_t n, const struct addr *a)
{
	const struct sockaddr	*sa = (const struct sockaddr *)&a->ss, *sb;
	size_t			 i;

	for (i = 0; i < n; i++) {
		sb = (const struct sockaddr *)&l[i].addr.ss;
		if (addr_equal(sa, sb) ||
		    ((a->wildcard || l[i].addr.wildcard) &&
		    addr_port(sa) == addr_port(sb)))
			return &l[i];
	}
	return NULL;
}

static int
conf_listen_add(struct parser *p, const struct addr *a)
{
	struct conf_service		*svc = p->svc, *o;
	const struct conf_listen	*c;
	struct conf_listen		*l;
	char				 text[ADDR_STRLEN];

	addr_str((const struct sockaddr *)&a->ss, a->wildcard, text);
	c = listen_conflict(svc->listen, svc->nlisten, a);
	TAILQ_FOREACH(o, &p->conf->services, entry)
		if (c == NULL)
			c = listen_conflict(o->listen, o->nlisten, a);
	if (c != NULL && c->line > 0) {
		conf_err(p, "listen %s conflicts with %s at %s:%d",
		    q(p, text), q(p, c->text), c->file, c->line);
		return -1;
	}
	if (c != NULL) {
		conf_err(p, "listen %s conflicts with %s on the %s",
		    q(p, text), q(p, c->text), c->file);
		return -1;
	}
	l = reallocarray(svc->listen, svc->nlisten + 1, sizeof(*l));
	if (l == NULL)
		return conf_nomem(p);
	svc->listen = l;
	l = &svc->listen[svc->nlisten++];
	memset(l, 0, sizeof(*l));
	l->addr = *a;
	strlcpy(l->text, text, sizeof(l->text));
	l->file = p->src->file;
	l->line = p->src->noline ? 0 : p->src->tokline;
	return 0;
}

/*
 * The directives, in the order of the table.  Each returns 0, or -1 with
 * its error reported.  p->cur is the settings of the service being read,
 * or the global defaults.
 */

/*
 * allow and deny share one list, in the order written.  The list counts
 * as given even when refused halfway, so that the merge leaves it alone.
 */
static int
conf_acl(struct parser *p, const struct keyword *kw)
{
	struct conf_settings	*s = p->cur;
	struct cidr_rule	*na;
	size_t			 i;

	s->set |= CONF_SET_ACL;
	for (i = 0; i < p->nargs; i++) {
		if ((na = reallocarray(s->acl, s->nacl + 1,
		    sizeof(*na))) == NULL)
			return conf_nomem(p);
		s->acl = na;
		if (conf_cidr(p, p->args[i], &na[s->nacl].net) == -1)
			return -1;
		na[s->nacl++].allow = strcmp(kw->name, "allow") == 0;
	}
	return 0;
}

static int
conf_backlog(struct parser *p, const struct keyword *kw)
{
	long long	v;

	if (conf_number(p, p->args[0], 1, 65535, &v) == -1 ||
	    conf_once(p, kw, &p->cur->set, CONF_SET_BACKLOG) == -1)
		return -1;
	p->cur->backlog = (int)v;
	return 0;
}

static int
conf_chroot(struct parser *p, const struct keyword *kw)
{
	if (conf_abspath(p, p->args[0]) == -1 ||
	    conf_once(p, kw, &p->cur->set, CONF_SET_CHROOT) == -1)
		return -1;
	p->cur->chroot = args_steal(p, 0);
	return 0;
}

static int
conf_env(struct parser *p, const struct keyword *kw)
{
	struct conf_settings	*s = p->cur;
	char			*eq, **na;
	size_t			 i;
	int			 r;

	for (i = 0; i < p->nargs; i++) {
		if ((eq = strchr(p->args[i], '=')) == NULL) {
			conf_err(p, "%s is not NAME=VALUE", q(p, p->args[i]));
			return -1;
		}
		*eq = '\0';
		r = conf_envname(p, p->args[i]);
		*eq = '=';
		if (r == -1)
			return -1;
	}
	if ((na = reallocarray(s->env, s->nenv + p->nargs,
	    sizeof(*na))) == NULL)
		return conf_nomem(p);
	s->env = na;
	for (i = 0; i < p->nargs; i++)
		s->env[s->nenv++] = args_steal(p, i);
	s->set |= CONF_SET_ENV;
	return 0;
}

static int
conf_exec(struct parser *p, const struct keyword *kw)
{
	if (conf_abspath(p, p->args[0]) == -1)
		return -1;
	return conf_argv(p, CONF_HANDLER_EXEC);
}

static int
conf_group(struct parser *p, const struct keyword *kw)
{
	struct group	*gr;

	if ((gr = getgrnam(p->args[0])) == NULL) {
		conf_err(p, "unknown group %s", q(p, p->args[0]));
		return -1;
	}
	if (conf_once(p, kw, &p->cur->set, CONF_SET_GROUP) == -1)
		return -1;
	p->cur->group_gid = gr->gr_gid;
	p->cur->group = args_steal(p, 0);
	return 0;
}

static int
conf_handler(struct parser *p, const struct keyword *kw)
{
	const char	*name = p->args[0];

	if (!builtin_known(name)) {
		conf_err(p, "unknown handler %s", q(p, name));
		return -1;
	}
	if (p->nargs > 1) {
		conf_err(p, "handler %s takes no arguments", q(p, name));
		return -1;
	}
	return conf_argv(p, CONF_HANDLER_BUILTIN);
}

static int
conf_idle_timeout(struct parser *p, const struct keyword *kw)
{
	unsigned int	ms;

	if (conf_duration(p, p->args[0], &ms) == -1 ||
	    conf_once(p, kw, &p->cur->set, CONF_SET_IDLE_TIMEOUT) == -1)
		return -1;
	p->cur->idle_timeout = ms;
	return 0;
}

/*
 * A pattern with wildcards may match nothing (an empty conf.d is
 * normal); a plain path names a file that must exist.  A relative
 * pattern is taken from the including file's folder.
 */
static int
conf_include(struct parser *p, const struct keyword *kw)
{
	const char	*base = p->src->name, *slash;
	char		*pattern;
	glob_t		 g;
	size_t		 i;
	int		 r;

	slash = strrchr(base, '/');
	if (p->args[0][0] != '/' && p->src->relative && slash != NULL)
		r = asprintf(&pattern, "%.*s%s", (int)(slash - base + 1),
		    base, p->args[0]);
	else
		r = (pattern = strdup(p->args[0])) == NULL ? -1 : 0;
	if (r == -1)
		return conf_nomem(p);
	if (strpbrk(pattern, "*?[") == NULL) {
		conf_file(p, pattern);
		free(pattern);
		return 0;
	}
	memset(&g, 0, sizeof(g));
	switch (glob(pattern, 0, NULL, &g)) {
	case 0:
		for (i = 0; i < g.gl_pathc; i++)
			conf_file(p, g.gl_pathv[i]);
		r = 0;
		break;
	case GLOB_NOMATCH:
		r = 0;
		break;
	case GLOB_NOSPACE:
		r = conf_nomem(p);
		break;
	default:
		conf_err(p, "cannot read %s", q(p, pattern));
		r = -1;
		break;
	}
	globfree(&g);
	free(pattern);
	return r;
}

static int
conf_listen(struct parser *p, const struct keyword *kw)
{
	struct addr	 a[2];
	const char	*errstr;
	size_t		 i;
	int		 j, n;

	for (i = 0; i < p->nargs; i++) {
		if ((n = addr_parse_listen(p->args[i], a, &errstr)) == -1) {
			conf_err(p, "bad listen address %s: %s",
			    q(p, p->args[i]), errstr);
			return -1;
		}
		for (j = 0; j < n; j++)
			if (conf_listen_add(p, &a[j]) == -1)
				return -1;
	}
	return 0;
}

/* At global scope, the limit of all services together, not a default. */
static int
conf_max_children(struct parser *p, const struct keyword *kw)
{
	long long	v;

	if (conf_number(p, p->args[0], 1, NUMBER_MAX, &v) == -1)
		return -1;
	if (p->svc == NULL) {
		if (conf_once(p, kw, &p->gset, G_MAX_CHILDREN) == -1)
			return -1;
		p->conf->max_children = (unsigned int)v;
	} else {
		if (conf_once(p, kw, &p->cur->set, CONF_SET_MAX_CHILDREN) == -1)
			return -1;
		p->cur->max_children = (unsigned int)v;
	}
	return 0;
}

static int
conf_max_per_source(struct parser *p, const struct keyword *kw)
{
	long long	v;

	if (conf_number(p, p->args[0], 1, NUMBER_MAX, &v) == -1 ||
	    conf_once(p, kw, &p->cur->set, CONF_SET_MAX_PER_SOURCE) == -1)
		return -1;
	p->cur->max_per_source = (unsigned int)v;
	return 0;
}

static int
conf_module(struct parser *p, const struct keyword *kw)
{
	char	*path;

	if (p->args[0][0] == '\0') {
		conf_err(p, "empty module path");
		return -1;
	}
	if (p->args[0][0] != '/') {
		if (asprintf(&path, "%s/%s", PKGLIBDIR, p->args[0]) == -1)
			return conf_nomem(p);
		free(p->args[0]);
		p->args[0] = path;
	}
	return conf_argv(p, CONF_HANDLER_MODULE);
}

static int
conf_passenv(struct parser *p, const struct keyword *kw)
{
	struct conf_settings	*s = p->cur;
	char			**na;
	size_t			 i;

	for (i = 0; i < p->nargs; i++)
		if (conf_envname(p, p->args[i]) == -1)
			return -1;
	if ((na = reallocarray(s->passenv, s->npassenv + p->nargs,
	    sizeof(*na))) == NULL)
		return conf_nomem(p);
	s->passenv = na;
	for (i = 0; i < p->nargs; i++)
		s->passenv[s->npassenv++] = args_steal(p, i);
	s->set |= CONF_SET_PASSENV;
	return 0;
}

/* Absolute: forkd changes to / when it detaches. */
static int
conf_pidfile(struct parser *p, const struct keyword *kw)
{
	if (conf_abspath(p, p->args[0]) == -1 ||
	    conf_once(p, kw, &p->gset, G_PIDFILE) == -1)
		return -1;
	p->conf->pidfile = args_steal(p, 0);
	return 0;
}

/* Its location at global scope is kept for a message of the merge. */
static int
conf_proxy_from(struct parser *p, const struct keyword *kw)
{
	struct conf_settings	*s = p->cur;
	struct cidr		*na;
	size_t			 i;

	if (p->svc == NULL && p->pf_file == NULL) {
		p->pf_file = p->src->file;
		p->pf_line = p->src->noline ? 0 : p->src->tokline;
	}
	s->set |= CONF_SET_PROXY_FROM;
	for (i = 0; i < p->nargs; i++) {
		if ((na = reallocarray(s->proxy_from, s->nproxy_from + 1,
		    sizeof(*na))) == NULL)
			return conf_nomem(p);
		s->proxy_from = na;
		if (conf_cidr(p, p->args[i], &na[s->nproxy_from]) == -1)
			return -1;
		s->nproxy_from++;
	}
	return 0;
}

static int
conf_proxy_protocol(struct parser *p, const struct keyword *kw)
{
	static const char *const names[] = {
		[CONF_PROXY_OFF] = "off", [CONF_PROXY_V1] = "v1",
		[CONF_PROXY_V2] = "v2", [CONF_PROXY_ANY] = "any",
	};
	size_t	i;

	for (i = 0; i < nitems(names); i++)
		if (strcmp(p->args[0], names[i]) == 0)
			break;
	if (i == nitems(names)) {
		conf_err(p, "%s is not off, v1, v2 or any", q(p, p->args[0]));
		return -1;
	}
	if (conf_once(p, kw, &p->cur->set, CONF_SET_PROXY) == -1)
		return -1;
	p->cur->proxy = (enum conf_proxy)i;
	return 0;
}

/* "N/s" or "N/m", then "burst M" optionally; the burst defaults to N. */
static int
conf_rate(struct parser *p, const struct keyword *kw)
{
	char		*slash, *rate = p->args[0];
	long long	 n, burst;
	unsigned int	 ms;

	if ((slash = strchr(rate, '/')) == NULL ||
	    (strcmp(slash, "/s") != 0 && strcmp(slash, "/m") != 0)) {
		conf_err(p, "bad rate %s", q(p, rate));
		return -1;
	}
	ms = slash[1] == 's' ? 1000 : 60 * 1000;
	*slash = '\0';
	if (conf_number(p, rate, 1, NUMBER_MAX, &n) == -1)
		return -1;
	burst = n;
	if (p->nargs > 1 && (p->nargs != 3 || strcmp(p->args[1], "burst"))) {
		*slash = '/';
		conf_err(p, "expected \"burst N\" after %s", q(p, rate));
		return -1;
	}
	if (p->nargs == 3 &&
	    conf_number(p, p->args[2], 1, NUMBER_MAX, &burst) == -1)
		return -1;
	if (conf_once(p, kw, &p->cur->set, CONF_SET_RATE) == -1)
		return -1;
	p->cur->rate = (unsigned int)n;
	p->cur->rate_ms = ms;
	p->cur->rate_burst = (unsigned int)burst;
	return 0;
}

static int
conf_refuse_message(struct parser *p, const struct keyword *kw)
{
	if (conf_once(p, kw, &p->cur->set, CONF_SET_REFUSE_MESSAGE) == -1)
		return -1;
	p->cur->refuse_message = args_steal(p, 0);
	return 0;
}

static int
conf_reuseport(struct parser *p, const struct keyword *kw)
{
	int	yes;

	if ((yes = strcmp(p->args[0], "yes") == 0) == 0 &&
	    strcmp(p->args[0], "no") != 0) {
		conf_err(p, "%s is not yes or no", q(p, p->args[0]));
		return -1;
	}
	if (conf_once(p, kw, &p->cur->set, CONF_SET_REUSEPORT) == -1)
		return -1;
	p->cur->reuseport = yes;
	return 0;
}

/*
 * cpu takes seconds, or a duration rounded up to whole seconds (a limit
 * of 0 would kill the child at once); nofile and nproc are counts; the
 * others are sizes.
 */
static int
conf_rlimit(struct parser *p, const struct keyword *kw)
{
	struct conf_rlim	*rl;
	const char		*v = p->args[1];
	unsigned long long	 value;
	unsigned int		 ms;
	long long		 n;
	size_t			 k;

	for (k = 0; k < CONF_RLIMIT_MAX; k++)
		if (strcmp(p->args[0], rlimit_names[k]) == 0)
			break;
	if (k == CONF_RLIMIT_MAX) {
		conf_err(p, "unknown rlimit %s", q(p, p->args[0]));
		return -1;
	}
	rl = &p->cur->rlimit[k];
	if (strcmp(v, "infinity") == 0)
		value = RLIM_INFINITY;
	else if (k == CONF_RLIMIT_CPU) {
		if (conf_duration(p, v, &ms) == -1)
			return -1;
		value = ms / 1000 + (ms % 1000 != 0);
	} else if (k == CONF_RLIMIT_NOFILE || k == CONF_RLIMIT_NPROC) {
		if (conf_number(p, v, 0, LLONG_MAX, &n) == -1)
			return -1;
		value = (unsigned long long)n;
	} else if (conf_scaled(p, v, sizes, "size", LLONG_MAX, &value) == -1)
		return -1;
	if (rl->set) {
		conf_err(p, "\"rlimit %s\" given twice", rlimit_names[k]);
		return -1;
	}
	rl->set = 1;
	rl->value = (rlim_t)value;
	p->cur->set |= CONF_SET_RLIMIT;
	return 0;
}

/*
 * service NAME { ... }.  A service with a bad or duplicate name is still
 * read, for the errors inside it, then dropped.
 */
static int
conf_service(struct parser *p, const struct keyword *kw)
{
	struct conf_service	*svc, *other;
	enum token		 t;
	const char		*c;
	int			 ok = 1, line = p->src->tokline, closed;

	if ((t = lex(p)) != T_WORD) {
		if (t != T_ERROR)
			conf_err(p, "missing service name");
		conf_recover(p, t);
		return -1;
	}
	c = p->word + strspn(p->word, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_.-");
	if (p->word[0] == '\0' || *c != '\0') {
		conf_err(p, "bad service name %s", q(p, p->word));
		ok = 0;
	} else if ((other = conf_service_find(p->conf, p->word)) != NULL) {
		conf_err(p, "duplicate service %s, first at %s:%d",
		    q(p, p->word), other->file, other->line);
		ok = 0;
	}
	if ((svc = service_new(p, p->word, line)) == NULL)
		return -1;
	if ((t = lex(p)) != T_LBRACE) {
		if (t != T_ERROR && ok)
			conf_err(p, "missing \"{\" after service %s",
			    q(p, svc->name));
		conf_recover(p, t);
		service_free(svc);
		return -1;
	}

	p->svc = svc;
	p->cur = &svc->s;
	p->had_listen = p->had_handler = 0;
	closed = conf_block(p);
	p->svc = NULL;
	p->cur = &p->conf->defaults;

	if (!closed) {
		conf_errat(p, p->src->name, line,
		    "service %s has no closing \"}\"", q(p, svc->name));
		ok = 0;
	} else if (ok) {
		if (!p->had_listen)
			conf_errat(p, p->src->name, line,
			    "service %s has no listen address",
			    q(p, svc->name));
		if (!p->had_handler)
			conf_errat(p, p->src->name, line,
			    "service %s has no handler, exec or module",
			    q(p, svc->name));
	}
	if (!ok) {
		service_free(svc);
		return -1;
	}
	TAILQ_INSERT_TAIL(&p->conf->services, svc, entry);
	p->conf->nservices++;
	return 0;
}

static int
conf_shutdown_timeout(struct parser *p, const struct keyword *kw)
{
	unsigned int	ms;

	if (conf_duration(p, p->args[0], &ms) == -1 ||
	    conf_once(p, kw, &p->gset, G_SHUTDOWN) == -1)
		return -1;
	p->conf->shutdown_timeout = ms;
	return 0;
}

static int
conf_syslog_facility(struct parser *p, const struct keyword *kw)
{
	size_t	i;

	for (i = 0; i < nitems(facilities); i++)
		if (strcmp(p->args[0], facilities[i].name) == 0)
			break;
	if (i == nitems(facilities)) {
		conf_err(p, "unknown syslog facility %s", q(p, p->args[0]));
		return -1;
	}
	if (conf_once(p, kw, &p->gset, G_SYSLOG) == -1)
		return -1;
	p->conf->syslog_facility = facilities[i].value;
	return 0;
}

static int
conf_timeout(struct parser *p, const struct keyword *kw)
{
	unsigned int	ms;

	if (conf_duration(p, p->args[0], &ms) == -1 ||
	    conf_once(p, kw, &p->cur->set, CONF_SET_TIMEOUT) == -1)
		return -1;
	p->cur->timeout = ms;
	return 0;
}

static int
conf_user(struct parser *p, const struct keyword *kw)
{
	struct passwd	*pw;

	if ((pw = getpwnam(p->args[0])) == NULL) {
		conf_err(p, "unknown user %s", q(p, p->args[0]));
		return -1;
	}
	if (conf_once(p, kw, &p->cur->set, CONF_SET_USER) == -1)
		return -1;
	p->cur->uid = pw->pw_uid;
	p->cur->gid = pw->pw_gid;
	p->cur->user = args_steal(p, 0);
	return 0;
}

/*
 * Structures.
 */

static void *
memdup(const void *src, size_t n, size_t size)
{
	void	*dst;

	if ((dst = reallocarray(NULL, n, size)) != NULL)
		memcpy(dst, src, n * size);
	return dst;
}

static char **
strv_dup(char **v, size_t n)
{
	char	**d;
	size_t	  i;

	if ((d = calloc(n, sizeof(*d))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((d[i] = strdup(v[i])) == NULL) {
			strv_free(d, i);
			return NULL;
		}
	return d;
}

static void
strv_free(char **v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void
settings_init(struct conf_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->backlog = CONF_BACKLOG;
	s->proxy = CONF_PROXY_OFF;
}

static void
settings_free(struct conf_settings *s)
{
	free(s->user);
	free(s->group);
	free(s->chroot);
	free(s->acl);
	strv_free(s->env, s->nenv);
	strv_free(s->passenv, s->npassenv);
	free(s->proxy_from);
	free(s->refuse_message);
}

/*
 * Copy into s every setting of d that s does not give itself, deeply, so
 * that each service owns all it points to.  An rlimit is merged per
 * resource; a list is replaced as a whole.
 */
static int
settings_merge(struct conf_settings *s, const struct conf_settings *d)
{
	uint32_t	want = d->set & ~s->set;
	int		k;

	for (k = 0; k < CONF_RLIMIT_MAX; k++)
		if (!s->rlimit[k].set)
			s->rlimit[k] = d->rlimit[k];
	s->set |= d->set & CONF_SET_RLIMIT;
	if (want & CONF_SET_USER) {
		if ((s->user = strdup(d->user)) == NULL)
			return -1;
		s->uid = d->uid;
		s->gid = d->gid;
	}
	if (want & CONF_SET_GROUP) {
		if ((s->group = strdup(d->group)) == NULL)
			return -1;
		s->group_gid = d->group_gid;
	}
	if ((want & CONF_SET_CHROOT) &&
	    (s->chroot = strdup(d->chroot)) == NULL)
		return -1;
	if (want & CONF_SET_MAX_CHILDREN)
		s->max_children = d->max_children;
	if (want & CONF_SET_MAX_PER_SOURCE)
		s->max_per_source = d->max_per_source;
	if (want & CONF_SET_RATE) {
		s->rate = d->rate;
		s->rate_ms = d->rate_ms;
		s->rate_burst = d->rate_burst;
	}
	if ((want & CONF_SET_ACL) && d->nacl > 0) {
		if ((s->acl = memdup(d->acl, d->nacl, sizeof(*d->acl))) == NULL)
			return -1;
		s->nacl = d->nacl;
	}
	if (want & CONF_SET_TIMEOUT)
		s->timeout = d->timeout;
	if (want & CONF_SET_IDLE_TIMEOUT)
		s->idle_timeout = d->idle_timeout;
	if ((want & CONF_SET_ENV) && d->nenv > 0) {
		if ((s->env = strv_dup(d->env, d->nenv)) == NULL)
			return -1;
		s->nenv = d->nenv;
	}
	if ((want & CONF_SET_PASSENV) && d->npassenv > 0) {
		if ((s->passenv = strv_dup(d->passenv, d->npassenv)) == NULL)
			return -1;
		s->npassenv = d->npassenv;
	}
	if (want & CONF_SET_BACKLOG)
		s->backlog = d->backlog;
	if (want & CONF_SET_REUSEPORT)
		s->reuseport = d->reuseport;
	if (want & CONF_SET_PROXY)
		s->proxy = d->proxy;
	if ((want & CONF_SET_PROXY_FROM) && d->nproxy_from > 0) {
		if ((s->proxy_from = memdup(d->proxy_from, d->nproxy_from,
		    sizeof(*d->proxy_from))) == NULL)
			return -1;
		s->nproxy_from = d->nproxy_from;
	}
	if ((want & CONF_SET_REFUSE_MESSAGE) &&
	    (s->refuse_message = strdup(d->refuse_message)) == NULL)
		return -1;
	s->set |= want;
	return 0;
}

static struct conf_service *
service_new(struct parser *p, const char *name, int line)
{
	struct conf_service	*svc;

	if ((svc = calloc(1, sizeof(*svc))) == NULL ||
	    (svc->name = strdup(name)) == NULL) {
		free(svc);
		conf_nomem(p);
		return NULL;
	}
	settings_init(&svc->s);
	svc->file = p->src->file;
	svc->line = line;
	return svc;
}

static void
service_free(struct conf_service *svc)
{
	free(svc->name);
	free(svc->listen);
	strv_free(svc->argv, (size_t)svc->argc);
	settings_free(&svc->s);
	free(svc);
}

static int
parser_init(struct parser *p, struct conf_errors *errs)
{
	struct conf	*conf;

	memset(p, 0, sizeof(*p));
	p->errs = errs;
	p->back = T_NONE;
	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		return -1;
	conf->max_children = CONF_MAX_CHILDREN;
	conf->syslog_facility = LOG_DAEMON;
	conf->shutdown_timeout = CONF_SHUTDOWN_TIMEOUT;
	settings_init(&conf->defaults);
	TAILQ_INIT(&conf->services);
	p->conf = conf;
	p->cur = &conf->defaults;
	return 0;
}

/*
 * Give every service the global defaults, then check what only the
 * merged service shows: proxy-from without proxy-protocol.
 */
static void
conf_finish(struct parser *p)
{
	struct conf_service	*svc;
	int			 own;

	TAILQ_FOREACH(svc, &p->conf->services, entry) {
		own = (svc->s.set & CONF_SET_PROXY_FROM) != 0;
		if (settings_merge(&svc->s, &p->conf->defaults) == -1) {
			conf_nomem(p);
			return;
		}
		if (svc->s.nproxy_from == 0 || svc->s.proxy != CONF_PROXY_OFF)
			continue;
		if (own)
			conf_errat(p, svc->file, svc->line, "service %s has "
			    "\"proxy-from\" but no \"proxy-protocol\"",
			    q(p, svc->name));
		else
			conf_errat(p, p->pf_file, p->pf_line, "\"proxy-from\" "
			    "without \"proxy-protocol\" in service %s",
			    q(p, svc->name));
	}
}

/* The configuration, or NULL when anything went wrong. */
static struct conf *
parser_end(struct parser *p)
{
	struct conf	*conf = p->conf;

	args_clear(p);
	free(p->args);
	if (p->nerr > 0 || p->nomem) {
		conf_free(conf);
		return NULL;
	}
	return conf;
}

struct conf *
conf_parse(const char *name, const char *text, size_t len,
    struct conf_errors *errs)
{
	struct parser	 p;
	struct src	 s;

	if (parser_init(&p, errs) == -1)
		return NULL;
	if ((p.conf->path = strdup(name)) == NULL) {
		conf_nomem(&p);
		return parser_end(&p);
	}
	memset(&s, 0, sizeof(s));
	if (text == NULL)
		conf_file(&p, name);
	else if ((s.name = s.file = conf_addfile(&p, name)) != NULL) {
		s.buf = text;
		s.len = len;
		s.line = 1;
		p.src = &s;
		conf_block(&p);
		p.src = NULL;
	}
	conf_finish(&p);
	return parser_end(&p);
}

struct conf *
conf_parse_file(const char *path, struct conf_errors *errs)
{
	return conf_parse(path, NULL, 0, errs);
}

struct conf *
conf_parse_string(const char *name, const char *text, size_t len,
    struct conf_errors *errs)
{
	return conf_parse(name, text, len, errs);
}

/*
 * One-shot mode.  The words of the command line go through the same
 * directive functions as a file's.  Messages name the option instead of
 * a file and line: "-l 127.0.0.1:0: bad listen address ...",
 * "-o max-per-source=abc: bad number "abc"", and "command line: ..." for
 * the handler words.  -o takes every service directive (listen adds an
 * address) and the global ones that make sense for one service
 * (shutdown-timeout, pidfile, syslog-facility), not include or a handler.
 */
struct conf *
conf_cmdline(const char *listen, int argc, char **argv, char **opts,
    size_t nopts, struct conf_errors *errs)
{
	struct parser		 p;
	struct src		 s;
	struct conf_service	*svc = NULL;
	const struct keyword	*kw;
	const char		*file, *eq;
	char			*name = NULL;
	size_t			 i;
	int			 first;

	if (parser_init(&p, errs) == -1)
		return NULL;
	memset(&s, 0, sizeof(s));
	s.noline = 1;
	p.src = &s;
	if ((file = conf_addfile(&p, CMDLINE)) == NULL)
		goto done;
	s.name = s.file = file;
	if ((svc = service_new(&p, "cmdline", 0)) == NULL)
		goto done;
	p.svc = svc;
	p.cur = &svc->s;

	/* First, so that the -l address is the service's first one. */
	if (asprintf(&name, "-l %s", listen) == -1) {
		conf_nomem(&p);
		goto done;
	}
	s.name = name;
	if (args_push(&p, listen) == 0)
		conf_run(&p, keyword_find("listen"));
	s.name = file;
	free(name);
	name = NULL;

	for (i = 0; i < nopts && !p.stop; i++) {
		if (asprintf(&name, "-o %s", opts[i]) == -1) {
			name = NULL;
			conf_nomem(&p);
			break;
		}
		s.name = name;
		s.buf = "";
		s.len = s.off = 0;
		p.back = T_NONE;
		if ((eq = strchr(opts[i], '=')) == NULL) {
			conf_err(&p, "expected name=value");
			goto next;
		}
		s.buf = eq + 1;
		s.len = strlen(s.buf);
		if (snprintf(p.word, sizeof(p.word), "%.*s",
		    (int)(eq - opts[i]), opts[i]) >= (int)sizeof(p.word) ||
		    (kw = keyword_find(p.word)) == NULL)
			conf_err(&p, "unknown directive %s", q(&p, p.word));
		else if (kw->flags & (NOOPT | BLOCK | HANDLER))
			conf_err(&p, "%s cannot be given with -o",
			    q(&p, kw->name));
		else if (conf_args(&p, kw) == 0)
			conf_run(&p, kw);
next:
		s.name = file;
		free(name);
		name = NULL;
	}

	args_clear(&p);
	first = 0;
	if (argc > 0 && (strcmp(argv[0], "exec") == 0 ||
	    strcmp(argv[0], "module") == 0))
		first = 1;
	kw = keyword_find(first ? argv[0] : "handler");
	for (i = (size_t)first; i < (size_t)argc; i++)
		if (args_push(&p, argv[i]) == -1)
			goto done;
	if (kw != NULL)
		conf_run(&p, kw);

	/* The global limit must not be lower than the only service's. */
	if (svc->s.max_children > p.conf->max_children)
		p.conf->max_children = svc->s.max_children;
	TAILQ_INSERT_TAIL(&p.conf->services, svc, entry);
	p.conf->nservices = 1;
	svc = NULL;
	conf_finish(&p);
done:
	if (svc != NULL)
		service_free(svc);
	p.svc = NULL;
	return parser_end(&p);
}

void
conf_free(struct conf *conf)
{
	struct conf_service	*svc;

	if (conf == NULL)
		return;
	while ((svc = TAILQ_FIRST(&conf->services)) != NULL) {
		TAILQ_REMOVE(&conf->services, svc, entry);
		service_free(svc);
	}
	settings_free(&conf->defaults);
	strv_free(conf->files, conf->nfiles);
	free(conf->path);
	free(conf->pidfile);
	free(conf);
}

void
conf_errors_free(struct conf_errors *errs)
{
	strv_free(errs->msg, errs->n);
	errs->msg = NULL;
	errs->n = 0;
}

struct conf_service *
conf_service_find(const struct conf *conf, const char *name)
{
	struct conf_service	*svc;

	TAILQ_FOREACH(svc, &conf->services, entry)
		if (strcmp(svc->name, name) == 0)
			return svc;
	return NULL;
}
