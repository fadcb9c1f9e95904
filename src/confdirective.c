/* SPDX-License-Identifier: ISC */
/*
 * The directives of forkd.conf(5): one keyword table, a function per
 * directive and the value parsers they share.  The -o values of one-shot
 * mode go through the very same functions as the file.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>

#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "builtin.h"
#include "confparse.h"
#include "pages.h"
#include "sandbox.h"

#ifndef PKGLIBDIR
#define PKGLIBDIR	"/usr/local/lib/forkd"
#endif

#define NUMBER_MAX	1000000

/* Keyword flags: where a directive may appear, and how it is read. */
#define GLOBAL		0x01
#define SERVICE		0x02
#define ANY		(GLOBAL | SERVICE)
#define LIST		0x04	/* items may be separated by commas */
#define HANDLER		0x08	/* one of handler, exec, module */
#define BLOCK		0x10	/* service NAME { ... } */
#define NOOPT		0x20	/* cannot be given with -o */
#define MANY		INT_MAX

/* Bits of parser.gset. */
#define G_MAX_CHILDREN		0x01
#define G_PIDFILE		0x02
#define G_SYSLOG		0x04
#define G_SHUTDOWN		0x08

static int	conf_acl(struct parser *, const struct keyword *);
static int	conf_backlog(struct parser *, const struct keyword *);
static int	conf_banner(struct parser *, const struct keyword *);
static int	conf_chroot(struct parser *, const struct keyword *);
static int	conf_env(struct parser *, const struct keyword *);
static int	conf_exec(struct parser *, const struct keyword *);
static int	conf_group(struct parser *, const struct keyword *);
static int	conf_handler(struct parser *, const struct keyword *);
static int	conf_idle_timeout(struct parser *, const struct keyword *);
static int	conf_listen(struct parser *, const struct keyword *);
static int	conf_max_children(struct parser *, const struct keyword *);
static int	conf_max_per_source(struct parser *, const struct keyword *);
static int	conf_module(struct parser *, const struct keyword *);
static int	conf_passenv(struct parser *, const struct keyword *);
static int	conf_pidfile(struct parser *, const struct keyword *);
static int	conf_proxy_from(struct parser *, const struct keyword *);
static int	conf_proxy_protocol(struct parser *, const struct keyword *);
static int	conf_proxy_timeout(struct parser *, const struct keyword *);
static int	conf_rate(struct parser *, const struct keyword *);
static int	conf_refuse_message(struct parser *, const struct keyword *);
static int	conf_resolve_names(struct parser *, const struct keyword *);
static int	conf_resolve_timeout(struct parser *, const struct keyword *);
static int	conf_reuseport(struct parser *, const struct keyword *);
static int	conf_rlimit(struct parser *, const struct keyword *);
static int	conf_service(struct parser *, const struct keyword *);
static int	conf_shutdown_timeout(struct parser *, const struct keyword *);
static int	conf_sockopt(struct parser *, const struct keyword *);
static int	conf_nice(struct parser *, const struct keyword *);
static int	conf_umask(struct parser *, const struct keyword *);
static int	conf_groups(struct parser *, const struct keyword *);
static int	conf_socket_owner(struct parser *, const struct keyword *);
static int	conf_nnp(struct parser *, const struct keyword *);
static int	conf_syscall_filter(struct parser *, const struct keyword *);
static int	conf_syscall_action(struct parser *, const struct keyword *);
static int	conf_paths(struct parser *, const struct keyword *);
static int	conf_capabilities(struct parser *, const struct keyword *);
static int	conf_source_prefix(struct parser *, const struct keyword *);
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
	{ "banner",		conf_banner, ANY, 1, 1 },
	{ "capabilities",	conf_capabilities, ANY | LIST, 1, MANY },
	{ "chroot",		conf_chroot, ANY, 1, 1 },
	{ "client",		conf_client, SERVICE | BLOCK | NOOPT, 1, MANY },
	{ "defer-accept",	conf_sockopt, ANY, 1, 1 },
	{ "deny",		conf_acl, ANY | LIST, 1, MANY },
	{ "env",		conf_env, ANY | LIST, 1, MANY },
	{ "exec",		conf_exec, SERVICE | HANDLER, 1, MANY },
	{ "freebind",		conf_sockopt, ANY, 1, 1 },
	{ "group",		conf_group, ANY, 1, 1 },
	{ "groups",		conf_groups, ANY | LIST, 1, MANY },
	{ "handler",		conf_handler, SERVICE | HANDLER, 1, MANY },
	{ "idle-timeout",	conf_idle_timeout, ANY, 1, 1 },
	{ "inaccessible-paths",	conf_paths, ANY | LIST, 1, MANY },
	{ "include",		conf_include, GLOBAL | NOOPT, 1, 1 },
	{ "interface",		conf_sockopt, ANY, 1, 1 },
	{ "ip-tos",		conf_sockopt, ANY, 1, 1 },
	{ "ipv6-only",		conf_sockopt, ANY, 1, 1 },
	{ "keepalive",		conf_sockopt, ANY, 1, 1 },
	{ "keepalive-count",	conf_sockopt, ANY, 1, 1 },
	{ "keepalive-idle",	conf_sockopt, ANY, 1, 1 },
	{ "keepalive-interval",	conf_sockopt, ANY, 1, 1 },
	{ "listen",		conf_listen, SERVICE | LIST, 1, MANY },
	{ "mark",		conf_sockopt, ANY, 1, 1 },
	{ "max-children",	conf_max_children, ANY, 1, 1 },
	{ "max-per-source",	conf_max_per_source, ANY, 1, 1 },
	{ "module",		conf_module, SERVICE | HANDLER, 1, MANY },
	{ "nice",		conf_nice, ANY, 1, 1 },
	{ "no-new-privileges",	conf_nnp, ANY, 1, 1 },
	{ "passenv",		conf_passenv, ANY | LIST, 1, MANY },
	{ "pidfile",		conf_pidfile, GLOBAL, 1, 1 },
	{ "private-network",	conf_nnp, ANY, 1, 1 },
	{ "private-tmp",	conf_nnp, ANY, 1, 1 },
	{ "proxy-from",		conf_proxy_from, ANY | LIST, 1, MANY },
	{ "proxy-protocol",	conf_proxy_protocol, ANY, 1, 1 },
	{ "proxy-timeout",	conf_proxy_timeout, ANY, 1, 1 },
	{ "rate",		conf_rate, ANY, 1, 3 },
	{ "read-only-paths",	conf_paths, ANY | LIST, 1, MANY },
	{ "receive-buffer",	conf_sockopt, ANY, 1, 1 },
	{ "refuse-message",	conf_refuse_message, ANY, 1, 1 },
	{ "resolve-names",	conf_resolve_names, ANY, 1, 1 },
	{ "resolve-timeout",	conf_resolve_timeout, ANY, 1, 1 },
	{ "reuseport",		conf_reuseport, ANY, 1, 1 },
	{ "rlimit",		conf_rlimit, ANY, 2, 2 },
	{ "rules",		conf_rules, SERVICE, 1, 1 },
	{ "send-buffer",	conf_sockopt, ANY, 1, 1 },
	{ "service",		conf_service, GLOBAL | BLOCK, 1, 1 },
	{ "shutdown-timeout",	conf_shutdown_timeout, GLOBAL, 1, 1 },
	{ "socket-group",	conf_socket_owner, ANY, 1, 1 },
	{ "socket-mode",	conf_umask, ANY, 1, 1 },
	{ "socket-user",	conf_socket_owner, ANY, 1, 1 },
	{ "source-prefix",	conf_source_prefix, ANY, 2, 2 },
	{ "syscall-filter",	conf_syscall_filter, ANY | LIST, 1, MANY },
	{ "syscall-filter-action", conf_syscall_action, ANY, 1, 1 },
	{ "syslog-facility",	conf_syslog_facility, GLOBAL, 1, 1 },
	{ "tcp-nodelay",	conf_sockopt, ANY, 1, 1 },
	{ "timeout",		conf_timeout, ANY, 1, 1 },
	{ "tls-alpn",		conf_tls, ANY | LIST, 1, MANY },
	{ "tls-certificate",	conf_tls, ANY, 2, 2 },
	{ "tls-ciphers",	conf_tls, ANY, 1, 1 },
	{ "tls-ciphersuites",	conf_tls, ANY, 1, 1 },
	{ "tls-client-ca",	conf_tls, ANY, 1, 1 },
	{ "tls-client-verify",	conf_tls, ANY, 1, 1 },
	{ "tls-handshake-timeout", conf_tls, ANY, 1, 1 },
	{ "tls-protocols",	conf_tls, ANY | LIST, 1, MANY },
	{ "transparent",	conf_sockopt, ANY, 1, 1 },
	{ "umask",		conf_umask, ANY, 1, 1 },
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
	"TCPCONNNUM", "TCPREMOTEHOST", "TCPLOCALHOST", "SSL_PROTOCOL",
	"SSL_CIPHER", "SSL_TLS_SNI", "SSL_ALPN", "SSL_CLIENT_VERIFY",
	"SSL_CLIENT_S_DN", "SSL_CLIENT_I_DN", "SSL_CLIENT_M_SERIAL",
	"SSL_CLIENT_CERT_SHA256",
};

/*
 * The lists a service replaces whole when it gives its own, and what
 * their items are called in the warning.
 */
static const struct {
	uint64_t	 bit;
	const char	*name;
	const char	*items;
} lists[] = {
	{ CONF_SET_ACL,		"allow/deny",	"rules" },
	{ CONF_SET_ENV,		"env",		"variables" },
	{ CONF_SET_PASSENV,	"passenv",	"names" },
	{ CONF_SET_PROXY_FROM,	"proxy-from",	"addresses" },
	{ CONF_SET_SYSFILTER,	"syscall-filter", "names" },
	{ CONF_SET_ROPATHS,	"read-only-paths", "paths" },
	{ CONF_SET_INPATHS,	"inaccessible-paths", "paths" },
	{ CONF_SET_CAPS,	"capabilities",	"capabilities" },
	{ CONF_SET_TLS_CERT,	"tls-certificate", "certificates" },
};

static const struct keyword *keyword_find(const char *);
static void	conf_given(struct parser *, uint64_t);
static void	conf_run(struct parser *, const struct keyword *);
static void	conf_directive(struct parser *);
static int	conf_once(struct parser *, const struct keyword *, uint64_t *,
		    uint64_t);
static int	conf_scaled(struct parser *, const char *,
		    const struct unit *, const char *, unsigned long long,
		    unsigned long long *);
static int	conf_cidr(struct parser *, const char *, struct cidr *);
static int	conf_credid(struct parser *, const char *, struct cidr_rule *);
static int	conf_argv(struct parser *, enum conf_handler_kind);
static const struct conf_listen *listen_conflict(const struct conf_listen *,
		    size_t, const struct addr *);
static int	conf_listen_add(struct parser *, const struct addr *);
static void	conf_option(struct parser *, const char *);

static const struct keyword *
keyword_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nitems(keywords); i++)
		if (strcmp(keywords[i].name, name) == 0)
			return &keywords[i];
	return NULL;
}

/*
 * Where the settings of bits were given: at the current directive.  A
 * message of the merge or of a later check points there.
 */
static void
conf_given(struct parser *p, uint64_t bits)
{
	int	i;

	for (i = 0; i < CONF_SET_COUNT; i++)
		if (bits & (UINT64_C(1) << i)) {
			p->cur->where[i].file = p->src->file;
			p->cur->where[i].line = p->src->noline ? 0 :
			    p->src->tokline;
		}
}

/*
 * Check the count of the arguments collected, and apply the directive;
 * the settings it gives for the first time in its scope are given here.
 */
static void
conf_run(struct parser *p, const struct keyword *kw)
{
	uint64_t	before = p->cur->set;

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
	else {
		kw->fn(p, kw);
		conf_given(p, p->cur->set & ~before);
	}
}

/* A directive whose name is in p->word. */
static void
conf_directive(struct parser *p)
{
	const struct keyword	*kw;

	if ((kw = keyword_find(p->word)) == NULL)
		conf_err(p, "unknown directive %s", q(p, p->word));
	else if (p->cs == NULL && !(kw->flags & GLOBAL))
		conf_err(p, "%s is only allowed inside a service",
		    q(p, kw->name));
	else if (p->cs != NULL && !(kw->flags & SERVICE))
		conf_err(p, "%s is not allowed inside a service",
		    q(p, kw->name));
	else if (kw->flags & BLOCK) {
		kw->fn(p, kw);
		return;
	} else {
		if (conf_args_read(p, kw->flags & LIST) == 0)
			conf_run(p, kw);
		return;
	}
	conf_skip(p);
}

/*
 * Directives up to the end of the source or, inside a service, up to its
 * closing brace.  Returns 1 when a closing brace ended it.
 */
int
conf_block(struct parser *p)
{
	enum token	t;

	for (;;) {
		switch ((t = conf_lex(p))) {
		case T_EOF:
			return 0;
		case T_EOD:
			break;
		case T_WORD:
			conf_directive(p);
			break;
		case T_RBRACE:
			if (p->cs != NULL)
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
 * Value helpers.  Each reports its own error and returns -1.
 */

/*
 * A setting is given once per scope: a second one in the same scope is
 * more likely a mistake than a wish to override.
 */
static int
conf_once(struct parser *p, const struct keyword *kw, uint64_t *set,
    uint64_t bit)
{
	if (*set & bit) {
		conf_err(p, "%s given twice", q(p, kw->name));
		return -1;
	}
	*set |= bit;
	return 0;
}

/* Plain decimal: strtonum alone would take a sign and leading spaces. */
int
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

int
conf_duration(struct parser *p, const char *s, unsigned int *ms)
{
	unsigned long long	v;

	if (conf_scaled(p, s, durations, "duration", UINT_MAX, &v) == -1)
		return -1;
	*ms = (unsigned int)v;
	return 0;
}

int
conf_abspath(struct parser *p, const char *s)
{
	if (s[0] != '/') {
		conf_err(p, "%s is not an absolute path", q(p, s));
		return -1;
	}
	return 0;
}

/* [A-Za-z_][A-Za-z0-9_]*, and none of the names forkd itself sets. */
int
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
	struct conf_service	*cs = p->cs;

	cs->kind = kind;
	cs->hfile = p->src->name;
	cs->hline = p->src->noline ? 0 : p->src->tokline;
	cs->argc = (int)p->nargs;
	cs->argv = p->args;
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
	struct conf_service		*cs = p->cs, *o;
	const struct conf_listen	*c;
	struct conf_listen		*l;
	char				 text[ADDR_STRLEN];

	addr_str((const struct sockaddr *)&a->ss, a->wildcard, text);
	c = listen_conflict(cs->listen, cs->nlisten, a);
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
	l = pages_resize(cs->listen, cs->nlisten, cs->nlisten + 1, sizeof(*l));
	if (l == NULL)
		return conf_nomem(p);
	cs->listen = l;
	l = &cs->listen[cs->nlisten++];
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
/* uid:NAME, uid:N, gid:NAME or gid:N, for unix-domain clients. */
static int
conf_credid(struct parser *p, const char *s, struct cidr_rule *r)
{
	const char	*v = s + 4, *errstr;
	struct passwd	*pw;
	struct group	*gr;
	long long	 n;

	r->kind = s[0] == 'u' ? CIDR_UID : CIDR_GID;
	if (*v >= '0' && *v <= '9') {
		n = strtonum(v, 0, UINT32_MAX - 1, &errstr);
		if (errstr != NULL) {
			conf_err(p, "bad id %s: %s", q(p, s), errstr);
			return -1;
		}
		r->id = (unsigned int)n;
	} else if (r->kind == CIDR_UID && (pw = getpwnam(v)) != NULL)
		r->id = pw->pw_uid;
	else if (r->kind == CIDR_GID && (gr = getgrnam(v)) != NULL)
		r->id = gr->gr_gid;
	else {
		conf_err(p, "unknown %s %s", r->kind == CIDR_UID ? "user" :
		    "group", q(p, v));
		return -1;
	}
	return 0;
}

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
		memset(&na[s->nacl], 0, sizeof(na[s->nacl]));
		if (strncmp(p->args[i], "uid:", 4) == 0 ||
		    strncmp(p->args[i], "gid:", 4) == 0) {
			if (conf_credid(p, p->args[i], &na[s->nacl]) == -1)
				return -1;
		} else if (conf_cidr(p, p->args[i], &na[s->nacl].net) == -1)
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
	p->cur->chroot = conf_args_steal(p, 0);
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
		s->env[s->nenv++] = conf_args_steal(p, i);
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
	p->cur->group = conf_args_steal(p, 0);
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
 * A listen address with names: a port from the services database
 * (*:smtp), a host name resolved now, once, into every address it has.
 * Returns 0, or -1 with the error told; 1 when s has no name to look up.
 */
static int
conf_listen_names(struct parser *p, const char *s)
{
	struct addrinfo	 hints, *res, *ai;
	struct servent	*se;
	struct addr	 a[2];
	const char	*colon, *errstr;
	char		 host[256], num[256 + 24], ip[INET6_ADDRSTRLEN];
	char		 port[16];
	int		 n, j, r, found = 0;

	if ((colon = strrchr(s, ':')) == NULL || colon[1] == '\0')
		return 1;
	if ((size_t)(colon - s) >= sizeof(host))
		return 1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	/* A bad number is the plain parser's to tell. */
	if (strspn(colon + 1, "0123456789") == strlen(colon + 1)) {
		(void)strtonum(colon + 1, 1, 65535, &errstr);
		if (errstr != NULL || colon[1] == '0')
			return 1;
		strlcpy(port, colon + 1, sizeof(port));
	} else if ((se = getservbyname(colon + 1, "tcp")) != NULL)
		snprintf(port, sizeof(port), "%u", ntohs((in_port_t)se->s_port));
	else {
		conf_err(p, "bad listen address %s: unknown service %s",
		    q(p, s), q(p, colon + 1));
		return -1;
	}
	/* A numeric address, *, localhost or [IPv6]: the port was the name. */
	snprintf(num, sizeof(num), "%s:%s", host, port);
	if ((n = addr_parse_listen(num, a, &errstr)) != -1) {
		for (j = 0; j < n; j++)
			if (conf_listen_add(p, &a[j]) == -1)
				return -1;
		return 0;
	}
	if (host[0] == '[' || strchr(host, ':') != NULL)
		return 1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((r = getaddrinfo(host, NULL, &hints, &res)) != 0) {
		conf_err(p, "bad listen address %s: %s", q(p, s),
		    gai_strerror(r));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, ip, sizeof(ip),
		    NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		snprintf(num, sizeof(num), ai->ai_family == AF_INET6 ?
		    "[%s]:%s" : "%s:%s", ip, port);
		if (addr_parse_listen(num, a, &errstr) != 1)
			continue;
		/* The same address twice (one per socket type): once. */
		for (j = 0; j < (int)p->cs->nlisten; j++)
			if (addr_equal((struct sockaddr *)&p->cs->listen[j].
			    addr.ss, (struct sockaddr *)&a[0].ss))
				break;
		if (j < (int)p->cs->nlisten)
			continue;
		if (conf_listen_add(p, &a[0]) == -1) {
			freeaddrinfo(res);
			return -1;
		}
		found = 1;
	}
	freeaddrinfo(res);
	if (!found) {
		conf_err(p, "bad listen address %s: no address", q(p, s));
		return -1;
	}
	return 0;
}

static int
conf_listen(struct parser *p, const struct keyword *kw)
{
	struct addr	 a[2];
	const char	*errstr;
	size_t		 i;
	int		 j, n, r;

	for (i = 0; i < p->nargs; i++) {
		if ((n = addr_parse_listen(p->args[i], a, &errstr)) == -1) {
			if ((r = conf_listen_names(p, p->args[i])) == -1)
				return -1;
			if (r == 0)
				continue;
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
	if (p->cs == NULL) {
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
		s->passenv[s->npassenv++] = conf_args_steal(p, i);
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
	p->conf->pidfile = conf_args_steal(p, 0);
	return 0;
}

static int
conf_proxy_from(struct parser *p, const struct keyword *kw)
{
	struct conf_settings	*s = p->cur;
	struct cidr		*na;
	size_t			 i;

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

/*
 * How long a child waits for its client's PROXY protocol header: the
 * time a client that says nothing holds a child.
 */
static int
conf_proxy_timeout(struct parser *p, const struct keyword *kw)
{
	unsigned int	ms;

	if (conf_duration(p, p->args[0], &ms) == -1)
		return -1;
	if (ms == 0) {
		conf_err(p, "proxy-timeout must be longer than 0");
		return -1;
	}
	if (conf_once(p, kw, &p->cur->set, CONF_SET_PROXY_TIMEOUT) == -1)
		return -1;
	p->cur->proxy_timeout = ms;
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
	p->cur->refuse_message = conf_args_steal(p, 0);
	return 0;
}

static int
conf_banner(struct parser *p, const struct keyword *kw)
{
	if (conf_once(p, kw, &p->cur->set, CONF_SET_BANNER) == -1)
		return -1;
	p->cur->banner = conf_args_steal(p, 0);
	return 0;
}

static int
conf_resolve_names(struct parser *p, const struct keyword *kw)
{
	enum conf_resolve	r;

	if (strcmp(p->args[0], "no") == 0)
		r = CONF_RESOLVE_NO;
	else if (strcmp(p->args[0], "yes") == 0)
		r = CONF_RESOLVE_YES;
	else if (strcmp(p->args[0], "paranoid") == 0)
		r = CONF_RESOLVE_PARANOID;
	else {
		conf_err(p, "%s is not yes, no or paranoid", q(p, p->args[0]));
		return -1;
	}
	if (conf_once(p, kw, &p->cur->set, CONF_SET_RESOLVE) == -1)
		return -1;
	p->cur->resolve = r;
	return 0;
}

static int
conf_resolve_timeout(struct parser *p, const struct keyword *kw)
{
	unsigned int	ms;

	if (conf_duration(p, p->args[0], &ms) == -1)
		return -1;
	if (ms == 0) {
		conf_err(p, "resolve-timeout must be longer than 0");
		return -1;
	}
	if (conf_once(p, kw, &p->cur->set, CONF_SET_RESOLVE_TIMEOUT) == -1)
		return -1;
	p->cur->resolve_timeout = ms;
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
 * read, for the errors inside it, then dropped.  A name is at most
 * CONF_NAME_MAX bytes: an exec child finds it in its environment, which
 * has a fixed room for it.
 */
static int
conf_service(struct parser *p, const struct keyword *kw)
{
	struct conf_service	*cs, *other;
	enum token		 t;
	const char		*c;
	int			 ok = 1, line = p->src->tokline, closed;

	if ((t = conf_lex(p)) != T_WORD) {
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
	} else if (strlen(p->word) > CONF_NAME_MAX) {
		conf_err(p, "service name too long (%zu bytes, at most %d)",
		    strlen(p->word), CONF_NAME_MAX);
		ok = 0;
	} else if ((other = conf_service_find(p->conf, p->word)) != NULL) {
		conf_err(p, "duplicate service %s, first at %s:%d",
		    q(p, p->word), other->file, other->line);
		ok = 0;
	}
	if ((cs = conf_service_new(p->word, p->src->file, line)) == NULL)
		return conf_nomem(p);
	if ((t = conf_lex(p)) != T_LBRACE) {
		if (t != T_ERROR && ok)
			conf_err(p, "missing \"{\" after service %s",
			    q(p, cs->name));
		conf_recover(p, t);
		conf_service_free(cs);
		return -1;
	}

	p->cs = cs;
	p->cur = &cs->s;
	p->had_listen = p->had_handler = 0;
	closed = conf_block(p);
	p->cs = NULL;
	p->cur = &p->conf->defaults;

	if (!closed) {
		conf_errat(p, p->src->name, line,
		    "service %s has no closing \"}\"", q(p, cs->name));
		ok = 0;
	} else if (ok) {
		if (!p->had_listen)
			conf_errat(p, p->src->name, line,
			    "service %s has no listen address",
			    q(p, cs->name));
		if (!p->had_handler)
			conf_errat(p, p->src->name, line,
			    "service %s has no handler, exec or module",
			    q(p, cs->name));
	}
	if (ok && conf_rules_finish(p, cs) == -1)
		ok = 0;
	if (!ok) {
		conf_service_free(cs);
		return -1;
	}
	TAILQ_INSERT_TAIL(&p->conf->services, cs, entry);
	p->conf->nservices++;
	return 0;
}

static int
conf_source_prefix(struct parser *p, const struct keyword *kw)
{
	long long	v4, v6;

	if (conf_number(p, p->args[0], 0, 32, &v4) == -1 ||
	    conf_number(p, p->args[1], 0, 128, &v6) == -1 ||
	    conf_once(p, kw, &p->cur->set, CONF_SET_SOURCE_PREFIX) == -1)
		return -1;
	p->cur->source_v4 = (unsigned int)v4;
	p->cur->source_v6 = (unsigned int)v6;
	return 0;
}

/* The socket options, by name: what each takes. */
static const struct {
	const char		*name;
	enum conf_sockopt	 opt;
	enum { SO_BOOL, SO_DURATION, SO_COUNT, SO_SIZE, SO_NAME } kind;
	long long		 max;
} sockopts[] = {
	{ "tcp-nodelay", CONF_SO_NODELAY, SO_BOOL, 1 },
	{ "keepalive", CONF_SO_KEEPALIVE, SO_BOOL, 1 },
	/* The kernel takes whole seconds, up to 32767 (MAX_TCP_KEEPIDLE). */
	{ "keepalive-idle", CONF_SO_KEEPIDLE, SO_DURATION, 32767000 },
	{ "keepalive-interval", CONF_SO_KEEPINTVL, SO_DURATION, 32767000 },
	{ "keepalive-count", CONF_SO_KEEPCNT, SO_COUNT, 127 },
	{ "send-buffer", CONF_SO_SNDBUF, SO_SIZE, INT_MAX / 2 },
	{ "receive-buffer", CONF_SO_RCVBUF, SO_SIZE, INT_MAX / 2 },
	{ "defer-accept", CONF_SO_DEFER, SO_DURATION, INT_MAX },
	{ "freebind", CONF_SO_FREEBIND, SO_BOOL, 1 },
	{ "transparent", CONF_SO_TRANSPARENT, SO_BOOL, 1 },
	{ "ipv6-only", CONF_SO_V6ONLY, SO_BOOL, 1 },
	{ "ip-tos", CONF_SO_TOS, SO_COUNT, 255 },
	{ "mark", CONF_SO_MARK, SO_COUNT, UINT32_MAX },
	{ "interface", CONF_SO_INTERFACE, SO_NAME, 0 },
};

static int
conf_sockopt(struct parser *p, const struct keyword *kw)
{
	struct conf_sockopts	*so = &p->cur->sock;
	const char		*v = p->args[0];
	unsigned long long	 bytes;
	unsigned int		 ms;
	long long		 n = 0;
	size_t			 i;

	for (i = 0; strcmp(sockopts[i].name, kw->name) != 0; i++)
		;
	if (so->set & (1U << sockopts[i].opt)) {
		conf_err(p, "%s given twice", q(p, kw->name));
		return -1;
	}
	switch (sockopts[i].kind) {
	case SO_BOOL:
		if ((n = strcmp(v, "yes") == 0) == 0 && strcmp(v, "no") != 0) {
			conf_err(p, "%s is not yes or no", q(p, v));
			return -1;
		}
		break;
	case SO_DURATION:
		if (conf_duration(p, v, &ms) == -1)
			return -1;
		if (ms < 1000 || ms > sockopts[i].max) {
			conf_err(p, "%s %s out of range (1s to %llds)",
			    kw->name, q(p, v), sockopts[i].max / 1000);
			return -1;
		}
		n = ms;
		break;
	case SO_COUNT:
		if (conf_number(p, v, sockopts[i].opt == CONF_SO_KEEPCNT ?
		    1 : 0, sockopts[i].max, &n) == -1)
			return -1;
		break;
	case SO_SIZE:
		if (conf_scaled(p, v, sizes, "size", (unsigned long long)
		    sockopts[i].max, &bytes) == -1)
			return -1;
		n = (long long)bytes;
		break;
	case SO_NAME:
		if (*v == '\0' || strlen(v) >= sizeof(so->interface) ||
		    strchr(v, '/') != NULL) {
			conf_err(p, "bad interface name %s", q(p, v));
			return -1;
		}
		strlcpy(so->interface, v, sizeof(so->interface));
		n = 1;
		break;
	}
	so->v[sockopts[i].opt] = n;
	so->set |= 1U << sockopts[i].opt;
	return 0;
}

static int
conf_nnp(struct parser *p, const struct keyword *kw)
{
	int	yes;

	if ((yes = strcmp(p->args[0], "yes") == 0) == 0 &&
	    strcmp(p->args[0], "no") != 0) {
		conf_err(p, "%s is not yes or no", q(p, p->args[0]));
		return -1;
	}
	if (strcmp(kw->name, "private-network") == 0) {
		if (conf_once(p, kw, &p->cur->set, CONF_SET_PRIVNET) == -1)
			return -1;
		p->cur->privnet = yes;
		return 0;
	}
	if (strcmp(kw->name, "private-tmp") == 0) {
		if (conf_once(p, kw, &p->cur->set, CONF_SET_PRIVTMP) == -1)
			return -1;
		p->cur->privtmp = yes;
		return 0;
	}
	if (conf_once(p, kw, &p->cur->set, CONF_SET_NNP) == -1)
		return -1;
	p->cur->nnp = yes;
	return 0;
}

/*
 * System call names and groups, each as the running libseccomp knows
 * them; "~" removes.  Lines accumulate; "off" stands alone.
 */
static int
conf_syscall_filter(struct parser *p, const struct keyword *kw)
{
	struct conf_settings	*s = p->cur;
	const char		*name;
	char			**na;
	size_t			 i;

	if ((s->set & CONF_SET_SYSFILTER) && s->nsysfilter == 0) {
		conf_err(p, "%s after \"syscall-filter off\"", q(p, kw->name));
		return -1;
	}
	for (i = 0; i < p->nargs; i++) {
		name = p->args[i];
		if (strcmp(name, "off") == 0) {
			if (p->nargs == 1 && !(s->set & CONF_SET_SYSFILTER)) {
				s->set |= CONF_SET_SYSFILTER;
				return 0;
			}
			conf_err(p, "\"syscall-filter off\" stands alone");
			return -1;
		}
		if (*name == '~')
			name++;
		if (!sandbox_syscall_known(name)) {
			conf_err(p, "unknown system call %s%s",
			    *name == '@' ? "group " : "", q(p, name));
			return -1;
		}
	}
	if ((na = reallocarray(s->sysfilter, s->nsysfilter + p->nargs,
	    sizeof(*na))) == NULL)
		return conf_nomem(p);
	s->sysfilter = na;
	for (i = 0; i < p->nargs; i++)
		s->sysfilter[s->nsysfilter++] = conf_args_steal(p, i);
	s->set |= CONF_SET_SYSFILTER;
	return 0;
}

static int
conf_syscall_action(struct parser *p, const struct keyword *kw)
{
	int	err;

	if ((err = strcmp(p->args[0], "errno") == 0) == 0 &&
	    strcmp(p->args[0], "kill") != 0) {
		conf_err(p, "%s is not kill or errno", q(p, p->args[0]));
		return -1;
	}
	if (conf_once(p, kw, &p->cur->set, CONF_SET_SYSACTION) == -1)
		return -1;
	p->cur->syserrno = err;
	return 0;
}

/*
 * read-only-paths and inaccessible-paths: absolute, and there now, as
 * systemd has them; a path that is not there is more likely a mistake
 * than one still to come.
 */
static int
conf_paths(struct parser *p, const struct keyword *kw)
{
	struct conf_settings	*s = p->cur;
	struct stat		 st;
	char			***v, **na;
	size_t			*n, i;
	uint64_t		 bit;

	if (kw->name[0] == 'r') {
		v = &s->ropaths;
		n = &s->nropaths;
		bit = CONF_SET_ROPATHS;
	} else {
		v = &s->inpaths;
		n = &s->ninpaths;
		bit = CONF_SET_INPATHS;
	}
	for (i = 0; i < p->nargs; i++) {
		if (conf_abspath(p, p->args[i]) == -1)
			return -1;
		if (stat(p->args[i], &st) == -1) {
			conf_err(p, "%s: %s", q(p, p->args[i]),
			    strerror(errno));
			return -1;
		}
	}
	if ((na = reallocarray(*v, *n + p->nargs, sizeof(*na))) == NULL)
		return conf_nomem(p);
	*v = na;
	for (i = 0; i < p->nargs; i++)
		na[(*n)++] = conf_args_steal(p, i);
	s->set |= bit;
	return 0;
}

/*
 * The capabilities children running as root keep: names add, "~NAME"
 * removes, from none if the first line of the scope adds and from all
 * if it removes; "none" alone keeps nothing.
 */
static int
conf_capabilities(struct parser *p, const struct keyword *kw)
{
	struct conf_settings	*s = p->cur;
	const char		*name;
	size_t			 i;
	int			 cap;

	(void)kw;
	if (!(s->set & CONF_SET_CAPS))
		s->caps = p->args[0][0] == '~' ? UINT64_MAX : 0;
	if (p->nargs == 1 && strcmp(p->args[0], "none") == 0) {
		s->caps = 0;
		s->set |= CONF_SET_CAPS;
		return 0;
	}
	for (i = 0; i < p->nargs; i++) {
		name = p->args[i] + (p->args[i][0] == '~');
		if ((cap = sandbox_cap(name)) == -1) {
			conf_err(p, "unknown capability %s", q(p, name));
			return -1;
		}
		if (p->args[i][0] == '~')
			s->caps &= ~(UINT64_C(1) << cap);
		else
			s->caps |= UINT64_C(1) << cap;
	}
	s->set |= CONF_SET_CAPS;
	return 0;
}

/* nice(1)'s increment: added to forkd's niceness. */
static int
conf_nice(struct parser *p, const struct keyword *kw)
{
	const char	*v = p->args[0];
	long long	 n;

	if (conf_number(p, v[0] == '-' ? v + 1 : v, 0, 39, &n) == -1)
		return -1;
	if (conf_once(p, kw, &p->cur->set, CONF_SET_NICE) == -1)
		return -1;
	p->cur->nice = (int)(v[0] == '-' ? -n : n);
	return 0;
}

static int
conf_umask(struct parser *p, const struct keyword *kw)
{
	const char	*v = p->args[0];
	size_t		 i;
	unsigned int	 m = 0;

	for (i = 0; v[i] >= '0' && v[i] <= '7' && i < 4; i++)
		m = m * 8 + (unsigned int)(v[i] - '0');
	if (i == 0 || v[i] != '\0' || m > 0777) {
		conf_err(p, "%s is not an octal mode (0 to 777)", q(p, v));
		return -1;
	}
	if (kw->name[0] == 's') {
		if (conf_once(p, kw, &p->cur->set, CONF_SET_SOCKET_MODE) == -1)
			return -1;
		p->cur->socket_mode = (mode_t)m;
		return 0;
	}
	if (conf_once(p, kw, &p->cur->set, CONF_SET_UMASK) == -1)
		return -1;
	p->cur->umask = (mode_t)m;
	return 0;
}

/* socket-user and socket-group: who owns a unix socket file. */
static int
conf_socket_owner(struct parser *p, const struct keyword *kw)
{
	struct passwd	*pw;
	struct group	*gr;

	if (strcmp(kw->name, "socket-user") == 0) {
		if ((pw = getpwnam(p->args[0])) == NULL) {
			conf_err(p, "unknown user %s", q(p, p->args[0]));
			return -1;
		}
		if (conf_once(p, kw, &p->cur->set, CONF_SET_SOCKET_USER) == -1)
			return -1;
		p->cur->socket_uid = pw->pw_uid;
		return 0;
	}
	if ((gr = getgrnam(p->args[0])) == NULL) {
		conf_err(p, "unknown group %s", q(p, p->args[0]));
		return -1;
	}
	if (conf_once(p, kw, &p->cur->set, CONF_SET_SOCKET_GROUP) == -1)
		return -1;
	p->cur->socket_gid = gr->gr_gid;
	return 0;
}

/* groups NAME...: the children's supplementary groups, not the user's. */
static int
conf_groups(struct parser *p, const struct keyword *kw)
{
	struct group	*gr;
	gid_t		*g;
	size_t		 i;

	if (conf_once(p, kw, &p->cur->set, CONF_SET_GROUPS) == -1)
		return -1;
	if ((g = reallocarray(NULL, p->nargs, sizeof(*g))) == NULL)
		return conf_nomem(p);
	for (i = 0; i < p->nargs; i++) {
		if ((gr = getgrnam(p->args[i])) == NULL) {
			conf_err(p, "unknown group %s", q(p, p->args[i]));
			free(g);
			return -1;
		}
		g[i] = gr->gr_gid;
	}
	p->cur->groups = g;
	p->cur->ngroups = p->nargs;
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
	p->cur->user = conf_args_steal(p, 0);
	return 0;
}


/*
 * One-shot mode: the -l address, the -o directives and the handler words
 * of the command line, into the service p->cs, through the same
 * functions as a file's directives.  Messages name the option instead of
 * a file and line: "-l 127.0.0.1:0: bad listen address ...",
 * "-o max-per-source=abc: bad number "abc"", and "command line: ..." for
 * the handler words.  -o takes every service directive (listen adds an
 * address) and the global ones that make sense for one service
 * (shutdown-timeout, pidfile, syslog-facility), not include or a handler.
 */
void
conf_oneshot(struct parser *p, const char *listen, int argc, char **argv,
    char **opts, size_t nopts)
{
	struct src		*s = p->src;
	const struct keyword	*kw;
	const char		*file = s->name;
	char			*name;
	size_t			 i;
	int			 first;

	/* First, so that the -l address is the service's first one. */
	if (asprintf(&name, "-l %s", listen) == -1) {
		conf_nomem(p);
		return;
	}
	s->name = name;
	if (conf_args_push(p, listen) == 0)
		conf_run(p, keyword_find("listen"));
	s->name = file;
	free(name);

	for (i = 0; i < nopts && !p->stop; i++) {
		if (asprintf(&name, "-o %s", opts[i]) == -1) {
			conf_nomem(p);
			return;
		}
		s->name = name;
		conf_option(p, opts[i]);
		s->name = file;
		free(name);
	}

	conf_args_clear(p);
	first = argc > 0 && (strcmp(argv[0], "exec") == 0 ||
	    strcmp(argv[0], "module") == 0);
	kw = keyword_find(first ? argv[0] : "handler");
	for (i = (size_t)first; i < (size_t)argc; i++)
		if (conf_args_push(p, argv[i]) == -1)
			return;
	if (kw != NULL)
		conf_run(p, kw);
}

/* One -o name=value: the value is read as the directive's arguments. */
static void
conf_option(struct parser *p, const char *opt)
{
	struct src		*s = p->src;
	const struct keyword	*kw;
	const char		*eq;

	s->buf = "";
	s->len = s->off = 0;
	p->back = T_NONE;
	if ((eq = strchr(opt, '=')) == NULL) {
		conf_err(p, "expected name=value");
		return;
	}
	s->buf = eq + 1;
	s->len = strlen(s->buf);
	if (snprintf(p->word, sizeof(p->word), "%.*s", (int)(eq - opt),
	    opt) >= (int)sizeof(p->word) ||
	    (kw = keyword_find(p->word)) == NULL)
		conf_err(p, "unknown directive %s", q(p, p->word));
	else if (kw->flags & (NOOPT | BLOCK | HANDLER))
		conf_err(p, "%s cannot be given with -o", q(p, kw->name));
	else if (conf_args_read(p, kw->flags & LIST) == 0)
		conf_run(p, kw);
}

/*
 * Give every service the global defaults, then check what only the
 * merged service shows: proxy-from without proxy-protocol.  A list of
 * the service's own replaces the global one, as any setting does; but a
 * service that adds one allow rule and silently loses every global deny
 * is rarely what its author meant, so each such service is warned.
 */
void
conf_finish(struct parser *p)
{
	const struct conf_settings	*d = &p->conf->defaults;
	const struct conf_where		*at, *gat;
	struct conf_service		*cs;
	uint64_t			 own;
	size_t				 i;

	TAILQ_FOREACH(cs, &p->conf->services, entry) {
		own = cs->s.set;
		for (i = 0; i < nitems(lists); i++) {
			if (!(own & d->set & lists[i].bit))
				continue;
			at = conf_where(&cs->s, lists[i].bit);
			gat = conf_where(d, lists[i].bit);
			conf_warnat(p, at->file, at->line, "service %s: %s "
			    "replaces the global list (%s:%d); repeat the "
			    "global %s in the service to keep them", cs->name,
			    lists[i].name, gat->file, gat->line,
			    lists[i].items);
		}
		if (conf_settings_merge(&cs->s, d) == -1) {
			conf_nomem(p);
			return;
		}
		conf_tls_check(p, cs, own);
		if (cs->s.nproxy_from == 0 || cs->s.proxy != CONF_PROXY_OFF)
			continue;
		if (own & CONF_SET_PROXY_FROM)
			conf_errat(p, cs->file, cs->line, "service %s has "
			    "\"proxy-from\" but no \"proxy-protocol\"",
			    q(p, cs->name));
		else {
			gat = conf_where(d, CONF_SET_PROXY_FROM);
			conf_errat(p, gat->file, gat->line, "\"proxy-from\" "
			    "without \"proxy-protocol\" in service %s",
			    q(p, cs->name));
		}
	}
}
