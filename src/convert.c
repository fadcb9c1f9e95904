/* SPDX-License-Identifier: ISC */
/*
 * forkd-convert: read inetd.conf and xinetd configurations and print an
 * equivalent forkd.conf on standard output.
 *
 * Every service becomes one of four things, each preceded by a comment
 * naming the file and line it came from:
 *
 *  - a service block, when forkd can do what the old daemon did;
 *  - the block commented out, after "# not converted: REASON", when the
 *    service translates but for one thing that would change who may
 *    connect (tcpd, libwrap, access_times, a no_access host name): run
 *    as it stands, it would let in clients the old daemon refused;
 *  - "# not converted: REASON" and the original text commented out, when
 *    forkd cannot serve it at all (UDP, RPC, wait services);
 *  - the block commented out after "# disabled in xinetd", for a service
 *    xinetd does not run either.
 *
 * Settings of a service that forkd lacks (nice, umask, logging) do not
 * stop the service: they become "# not converted:" comments in its
 * block.  The exit status is 1 when a service was not converted, and a
 * disabled one never counts: nothing is lost by not running it.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#define FILE_MAX	(16 << 20)	/* as forkd's own limit */
#define WORD_MAX	4096		/* forkd's longest word */
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#define NAME_MAX_LEN	255		/* forkd's longest service name */
#define INCLUDE_DEPTH	16

/* A growing string. */
struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

/* One service on its way out. */
struct svc {
	char		 name[NAME_MAX_LEN + 1];
	int		 v6;		/* listens on IPv6 only */
	struct buf	 head;		/* comments before the block */
	struct buf	 body;		/* the block's lines, tab-indented */
	char		 reason[512];	/* why it was not converted */
	int		 block;		/* with a reason: print the block */
	int		 disabled;
	char		 listen[4][INET6_ADDRSTRLEN + 16];
	int		 nlisten;
};

/* An access rule of xinetd's only_from or no_access. */
struct rule {
	char	 prefix[INET6_ADDRSTRLEN + 8 + 12];
	int	 len;
	int	 deny;
	int	 order;
};

/* An attribute of an xinetd block: NAME OP VALUE... */
struct xattr {
	char		*name;
	int		 op;		/* '=', '+' or '-' */
	char		**v;
	int		 nv;
	int		 used;
	char		*text;		/* what v points into, parsed ones' */
};

struct xblock {
	enum { X_COMMENT, X_SERVICE, X_DEFAULTS, X_ERROR } kind;
	char		*name;		/* service name, comment or error */
	char		*file;
	int		 line;
	struct xattr	*a;
	int		 na;
	struct buf	 orig;		/* the text as written */
};

struct xconf {
	struct xblock	*b;
	int		 nb;
};

static int	 nbad;			/* services not converted */
static int	 nunreadable;		/* files that could not be read */
static char	**names;		/* service names taken */
static size_t	 nnames;
static struct {
	char	 addr[INET6_ADDRSTRLEN + 16];
	char	 owner[NAME_MAX_LEN + 1];
}		*listens;		/* listen addresses taken */
static size_t	 nlistens;

static void	 usage(void) __attribute__((noreturn));
static void	 xattrs_free(struct xattr *, int, int);
static void	 xconf_free(struct xconf *);
static void	*xmalloc(size_t);
static char	*xstrdup(const char *);
static void	 buf_add(struct buf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 buf_word(struct buf *, const char *);
static void	 buf_comment(struct buf *, const char *, const char *);
static char	*file_read(const char *, size_t *);
static char	*text_read(const char *);
static int	 name_taken(const char *);
static const char *listen_port(const char *);
static int	 listen_taken(const struct svc *, const char **, const char **);
static void	 svc_init(struct svc *, const char *, int);
static void	 svc_dir(struct svc *, const char *, ...);
static void	 svc_note(struct svc *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static void	 svc_fail(struct svc *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
static void	 svc_emit(struct svc *, const char *, const char *);
static int	 port_of(const char *, const char *);
static int	 listen_addr(struct svc *, const char *, int, int);
static const char *builtin_of(const char *);
static void	 exec_dir(struct svc *, const char *, char **, int, int);
static int	 is_xinetd(const char *);
static void	 inetd_file(const char *, char *);
static void	 inetd_entry(const char *, int, char **, int, const char *,
		    char *, size_t);
static void	 xinetd_read(struct xconf *, const char *, int);
static void	 xinetd_dir(struct xconf *, const char *, int);
static void	 xinetd_parse(struct xconf *, const char *, char *, int);
static void	 xinetd_convert(struct xconf *);
static void	 xinetd_service(struct xblock *, struct xblock *);
static int	 rule_parse(const char *, int, struct rule *, int *);
static void	 xinetd_access(struct svc *, struct xattr *, struct xattr *);
static void	 xinetd_banner(struct svc *, const char *, const char *);

static void
usage(void)
{
	fprintf(stderr, "usage: forkd-convert [-t inetd | xinetd] file ...\n");
	exit(EX_USAGE);
}

static void *
xmalloc(size_t n)
{
	void	*p;

	if ((p = calloc(1, n)) == NULL)
		err(EX_OSERR, NULL);
	return p;
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		err(EX_OSERR, NULL);
	return p;
}

static void
buf_add(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		err(EX_OSERR, "vsnprintf");
	if (b->len + n + 1 > b->cap) {
		size_t	 cap = (b->len + n + 1) * 2;
		char	*s;

		if ((s = realloc(b->s, cap)) == NULL)
			err(EX_OSERR, NULL);
		b->s = s;
		b->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

/*
 * Add a space and the word w as forkd's lexer reads it back: bare when
 * it can be, else in double quotes with the escapes forkd knows.
 */
static void
buf_word(struct buf *b, const char *w)
{
	const unsigned char	*p;
	int			 bare = *w != '\0';

	for (p = (const unsigned char *)w; *p != '\0'; p++)
		if (!isgraph(*p) || strchr("#;,{}\"\\", *p) != NULL)
			bare = 0;
	if (bare) {
		buf_add(b, " %s", w);
		return;
	}
	buf_add(b, " \"");
	for (p = (const unsigned char *)w; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			buf_add(b, "\\\"");
			break;
		case '\\':
			buf_add(b, "\\\\");
			break;
		case '\n':
			buf_add(b, "\\n");
			break;
		case '\r':
			buf_add(b, "\\r");
			break;
		case '\t':
			buf_add(b, "\\t");
			break;
		default:
			buf_add(b, "%c", *p);
		}
	}
	buf_add(b, "\"");
}

/* The contents of a regular file, NUL-terminated, or NULL with errno. */
static char *
file_read(const char *path, size_t *lenp)
{
	struct stat	 st;
	char		*s = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1)
		goto close;
	if (!S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto close;
	}
	if (st.st_size > FILE_MAX) {
		errno = EFBIG;
		goto close;
	}
	s = xmalloc(st.st_size + 1);
	while (len < (size_t)st.st_size) {
		n = read(fd, s + len, st.st_size - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			goto free;
		if (n == 0)
			break;
		len += n;
	}
	s[len] = '\0';
	close(fd);
	if (lenp != NULL)
		*lenp = len;
	return s;
free:
	free(s);
close:
	n = errno;
	close(fd);
	errno = n;
	return NULL;
}

/*
 * A configuration file's text, or NULL after saying why not: a file that
 * cannot be read is counted unreadable, one that holds a NUL byte is no
 * text file and is not converted.
 */
static char *
text_read(const char *path)
{
	char	*text;
	size_t	 len, nul;

	if ((text = file_read(path, &len)) == NULL) {
		warn("%s", path);
		nunreadable++;
		return NULL;
	}
	if ((nul = strlen(text)) != len) {
		printf("\n# %s\n# not converted: a NUL byte at offset %zu,"
		    " so not a text file\n", path, nul);
		nbad++;
		free(text);
		return NULL;
	}
	return text;
}

static int
name_taken(const char *name)
{
	size_t	 i;

	for (i = 0; i < nnames; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/*
 * Start a service named after name, in forkd's alphabet: other bytes
 * become '_'.
 */
static void
svc_init(struct svc *s, const char *name, int v6)
{
	size_t	 i;

	memset(s, 0, sizeof(*s));
	strlcpy(s->name, *name != '\0' ? name : "service", sizeof(s->name));
	for (i = 0; s->name[i] != '\0'; i++)
		if (!isalnum((unsigned char)s->name[i]) &&
		    strchr("_.-", s->name[i]) == NULL)
			s->name[i] = '_';
	s->v6 = v6;
}

/* Add the directive kw with its arguments, a NULL-terminated list. */
static void
svc_dir(struct svc *s, const char *kw, ...)
{
	va_list		 ap;
	const char	*w;

	buf_add(&s->body, "\t%s", kw);
	va_start(ap, kw);
	while ((w = va_arg(ap, const char *)) != NULL)
		buf_word(&s->body, w);
	va_end(ap);
	buf_add(&s->body, "\n");
}

/*
 * Add text as comment lines that start with lead, broken at spaces to
 * keep within 80 columns.
 */
static void
buf_comment(struct buf *b, const char *lead, const char *text)
{
	const char	*p = text, *end, *sp;
	size_t		 width = *lead == '\t' ? 66 : 74;

	while (*p != '\0') {
		end = p + strlen(p);
		if ((size_t)(end - p) > width) {
			for (sp = p + width; sp > p && *sp != ' '; sp--)
				;
			if (sp == p && (sp = strchr(p + width, ' ')) == NULL)
				sp = end;
			end = sp;
		}
		buf_add(b, "%s# %.*s\n", lead, (int)(end - p), p);
		p = end + strspn(end, " ");
	}
}

/* A comment in the block. */
static void
svc_note(struct svc *s, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		err(EX_OSERR, NULL);
	va_end(ap);
	buf_comment(&s->body, "\t", msg);
	free(msg);
}

/*
 * The service cannot run as forkd.conf; block says whether what was
 * built is worth printing, commented out.  The first reason stays.
 */
static void
svc_fail(struct svc *s, int block, const char *fmt, ...)
{
	va_list	 ap;

	if (s->reason[0] != '\0') {
		s->block = s->block && block;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	s->block = block;
}

/* Print "# " before every line of text. */
static void
print_commented(const char *text)
{
	const char	*p, *nl;

	for (p = text; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			nl = p + strlen(p);
		printf("#%s%.*s\n", nl > p ? " " : "", (int)(nl - p), p);
		if (*nl == '\0')
			break;
	}
}

/*
 * Print the service: from says where it came from, orig is its text as
 * written, printed commented out when nothing better can be.
 */
static void
svc_emit(struct svc *s, const char *from, const char *orig)
{
	struct buf	 out = { NULL, 0, 0 };
	char		 base[NAME_MAX_LEN + 1], msg[1024];
	const char	*owner, *addr;
	int		 n;

	buf_add(&out, "\n# %s\n", from);
	if (s->reason[0] == '\0' && !s->disabled &&
	    listen_taken(s, &owner, &addr)) {
		snprintf(s->reason, sizeof(s->reason), "listen %s is service "
		    "%s's already, from an earlier line", addr, owner);
		s->block = 0;
	}
	if (s->reason[0] != '\0' && !s->block) {
		snprintf(msg, sizeof(msg), "%snot converted: %s",
		    s->disabled ? "disabled in xinetd, and " : "", s->reason);
		buf_comment(&out, "", msg);
		fputs(out.s, stdout);
		print_commented(orig);
		if (!s->disabled)
			nbad++;
		goto free;
	}

	/* Both stacks of a service, from two lines, get two names. */
	strlcpy(base, s->name, sizeof(base));
	for (n = 2; name_taken(s->name); n++) {
		if (n == 2 && s->v6)
			snprintf(s->name, sizeof(s->name), "%.*s6",
			    NAME_MAX_LEN - 1, base);
		else
			snprintf(s->name, sizeof(s->name), "%.*s-%d",
			    NAME_MAX_LEN - 12, base, n);
	}
	if ((names = reallocarray(names, nnames + 1, sizeof(*names))) == NULL)
		err(EX_OSERR, NULL);
	names[nnames++] = xstrdup(s->name);
	/* The addresses of a service that serves are taken. */
	if (s->reason[0] == '\0' && !s->disabled)
		for (n = 0; n < s->nlisten; n++) {
			listens = reallocarray(listens, nlistens + 1,
			    sizeof(*listens));
			if (listens == NULL)
				err(EX_OSERR, NULL);
			strlcpy(listens[nlistens].addr, s->listen[n],
			    sizeof(listens[0].addr));
			strlcpy(listens[nlistens++].owner, s->name,
			    sizeof(listens[0].owner));
		}

	if (s->disabled)
		buf_add(&out, "# disabled in xinetd\n");
	if (s->reason[0] != '\0') {
		snprintf(msg, sizeof(msg), "not converted: %s.  The service"
		    " below is commented out: as it stands, it would let in"
		    " clients that the old daemon refused.", s->reason);
		buf_comment(&out, "", msg);
		if (!s->disabled)
			nbad++;
	}
	fputs(out.s, stdout);
	if (s->head.len > 0)
		fputs(s->head.s, stdout);
	if (s->reason[0] != '\0' || s->disabled) {
		printf("# service %s {\n", s->name);
		if (s->body.len > 0)
			print_commented(s->body.s);
		printf("# }\n");
	} else
		printf("service %s {\n%s}\n", s->name,
		    s->body.len > 0 ? s->body.s : "");
free:
	free(out.s);
	free(s->head.s);
	free(s->body.s);
}

/* A port number, or the TCP port of a service name: 0 if none. */
static int
port_of(const char *num, const char *name)
{
	struct servent	*se;
	const char	*errstr;
	int		 port;

	if (num != NULL) {
		port = strtonum(num, 1, 65535, &errstr);
		if (errstr == NULL)
			return port;
		name = num;
	}
	if (name == NULL)
		return 0;
	port = strtonum(name, 1, 65535, &errstr);
	if (errstr == NULL)
		return port;
	if ((se = getservbyname(name, "tcp")) == NULL)
		return 0;
	return ntohs(se->s_port);
}

/*
 * Add the listen directive for host and port; host NULL or "*" means
 * every address of the family: 4, 6 or 46 for both.
 */
static int
listen_addr(struct svc *s, const char *host, int family, int port)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	char		 a[INET6_ADDRSTRLEN + 16];

	if (host != NULL && strcmp(host, "*") == 0)
		host = NULL;
	if (host == NULL && family == 4)
		snprintf(a, sizeof(a), "0.0.0.0:%d", port);
	else if (host == NULL && family == 6)
		snprintf(a, sizeof(a), "[::]:%d", port);
	else if (host == NULL)
		snprintf(a, sizeof(a), "*:%d", port);
	else if (inet_pton(AF_INET, host, &a4) == 1 && family != 6)
		snprintf(a, sizeof(a), "%s:%d", host, port);
	else if (inet_pton(AF_INET6, host, &a6) == 1 && family != 4)
		snprintf(a, sizeof(a), "[%s]:%d", host, port);
	else if (strcmp(host, "localhost") == 0)
		snprintf(a, sizeof(a), "localhost:%d", port);
	else
		return -1;
	svc_dir(s, "listen", a, NULL);
	if (s->nlisten < (int)nitems(s->listen))
		strlcpy(s->listen[s->nlisten++], a, sizeof(s->listen[0]));
	return 0;
}

/* The port of a listen address as written here: after the last ':'. */
static const char *
listen_port(const char *a)
{
	const char	*c = strrchr(a, ':');

	return c != NULL ? c + 1 : a;
}

/*
 * Whether a listen address of s is one a service before it has: the
 * same, or the same port where one of them is *, which forkd takes on
 * every address.  Its owner in *owner.
 */
static int
listen_taken(const struct svc *s, const char **owner, const char **addr)
{
	size_t	i;
	int	j;

	for (j = 0; j < s->nlisten; j++)
		for (i = 0; i < nlistens; i++)
			if (strcmp(listens[i].addr, s->listen[j]) == 0 ||
			    ((strncmp(listens[i].addr, "*:", 2) == 0 ||
			    strncmp(s->listen[j], "*:", 2) == 0) &&
			    strcmp(listen_port(listens[i].addr),
			    listen_port(s->listen[j])) == 0)) {
				*owner = listens[i].owner;
				*addr = s->listen[j];
				return 1;
			}
	return 0;
}

/* forkd's built-in handler for an internal service, or NULL. */
static const char *
builtin_of(const char *id)
{
	static const char *const builtins[] = {
		"echo", "discard", "chargen", "daytime", "time"
	};
	size_t	 i, n;

	/* xinetd's ids are the name and the socket type. */
	n = strlen(id);
	if (n > 7 && strcmp(id + n - 7, "-stream") == 0)
		n -= 7;
	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strlen(builtins[i]) == n &&
		    strncmp(builtins[i], id, n) == 0)
			return builtins[i];
	return NULL;
}

/*
 * The exec directive for path with the arguments av; with argv0, av[0]
 * is the program's own argv[0], which forkd's exec cannot give: it
 * passes path.  tcpd is the exception, as it finds the program to run
 * from argv[0], and its access checks are what cannot be converted.
 */
static void
exec_dir(struct svc *s, const char *path, char **av, int ac, int argv0)
{
	struct buf	 b = { NULL, 0, 0 };
	const char	*base;
	char		 real[PATH_MAX];
	int		 i;

	if ((base = strrchr(path, '/')) != NULL)
		base++;
	else
		base = path;
	if (argv0 && ac > 0 && strcmp(base, "tcpd") == 0) {
		if (av[0][0] == '/')
			strlcpy(real, av[0], sizeof(real));
		else
			snprintf(real, sizeof(real), "/usr/sbin/%s", av[0]);
		svc_fail(s, 1, "%s checks hosts.allow and hosts.deny, which"
		    " forkd does not read; write allow and deny rules for"
		    " the service, then remove the comments", path);
		svc_note(s, "%s ran %s for tcp_wrappers' checks", path, real);
		path = real;
	} else if (argv0 && ac > 0 && strcmp(av[0], base) != 0 &&
	    strcmp(av[0], path) != 0)
		svc_note(s, "the program was run with argv[0] \"%s\";"
		    " forkd gives it %s", av[0], path);
	if (path[0] != '/') {
		svc_fail(s, 0, "the program %s is not an absolute path", path);
		return;
	}
	buf_add(&b, "\texec");
	buf_word(&b, path);
	for (i = argv0 ? 1 : 0; i < ac; i++)
		buf_word(&b, av[i]);
	buf_add(&s->body, "%s\n", b.s);
	free(b.s);
}

/*
 * Tell xinetd's format from inetd's: a block's brace, or a directive
 * only xinetd has, at the start of a line that is not a comment.
 */
static int
is_xinetd(const char *text)
{
	const char	*p = text;
	size_t		 n;

	while (*p != '\0') {
		p += strspn(p, " \t");
		n = strcspn(p, "\n");
		if (*p != '#' && n > 0) {
			if (*p == '{' || *p == '}' ||
			    (n >= 8 && strncmp(p, "defaults", 8) == 0 &&
			    (n == 8 || isspace((unsigned char)p[8]))) ||
			    (n > 10 && strncmp(p, "includedir", 10) == 0 &&
			    isspace((unsigned char)p[10])) ||
			    (n > 7 && strncmp(p, "include", 7) == 0 &&
			    isspace((unsigned char)p[7])))
				return 1;
		}
		p += n;
		if (*p == '\n')
			p++;
	}
	return 0;
}

/* Split s in place into at most max words; returns how many. */
static int
split(char *s, char **w, int max)
{
	char	*p;
	int	 n = 0;

	while ((p = strsep(&s, " \t\r\n")) != NULL)
		if (*p != '\0' && n < max)
			w[n++] = p;
	return n;
}

#define INETD_FIELDS	64

/* Convert the entry gathered in orig, if any, and start afresh. */
static void
inetd_flush(const char *file, int first, struct buf *orig, char *host,
    size_t hostsz)
{
	char	*joined, *p, *f[INETD_FIELDS];
	int	 nf;

	if (orig->len == 0)
		return;
	joined = xstrdup(orig->s);
	for (p = joined; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	nf = split(joined, f, INETD_FIELDS);
	inetd_entry(file, first, f, nf, orig->s, host, hostsz);
	free(joined);
	orig->len = 0;
}

static void
inetd_file(const char *file, char *text)
{
	struct buf	 orig = { NULL, 0, 0 };
	char		 host[INET6_ADDRSTRLEN + 3] = "";
	char		*line, *next;
	size_t		 sp;
	int		 lineno = 0, first = 0;

	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		sp = strspn(line, " \t\r");
		/* A line that starts with white space continues the last. */
		if (orig.len > 0 && sp > 0 && line[sp] != '\0' &&
		    line[sp] != '#') {
			buf_add(&orig, "\n%s", line);
			continue;
		}
		inetd_flush(file, first, &orig, host, sizeof(host));
		line += sp;
		if (*line == '#')
			printf("%s\n", line);
		else if (*line != '\0') {
			first = lineno;
			buf_add(&orig, "%s", line);
		}
	}
	inetd_flush(file, first, &orig, host, sizeof(host));
	free(orig.s);
}

/*
 * One inetd.conf entry: service socktype proto wait user server args.
 * A lone "host:" sets the address of the lines after it, as in
 * OpenBSD's inetd.
 */
static void
inetd_entry(const char *file, int lineno, char **f, int nf, const char *orig,
    char *host, size_t hostsz)
{
	struct svc	 s;
	char		 from[PATH_MAX + 32], rate[32], *name, *p, *user;
	char		*group;
	char		*wait, *max, *lhost = NULL;
	const char	*errstr, *h;
	int		 family = 4, port, n;

	snprintf(from, sizeof(from), "%s:%d", file, lineno);
	if (nf == 1 && (n = strlen(f[0])) > 0 && f[0][n - 1] == ':') {
		f[0][n - 1] = '\0';
		strlcpy(host, f[0], hostsz);
		printf("\n# %s: address %s for the services below\n", from,
		    *host != '\0' ? host : "*");
		return;
	}

	name = f[0];
	if ((p = strrchr(name, ':')) != NULL) {
		*p = '\0';
		lhost = name;
		name = p + 1;
		if (*lhost == '[' && lhost[strlen(lhost) - 1] == ']') {
			lhost++;
			lhost[strlen(lhost) - 1] = '\0';
		}
	}
	svc_init(&s, name, 0);
	if (nf < 6) {
		svc_fail(&s, 0, "%d fields where inetd.conf has at least 6",
		    nf);
		goto emit;
	}
	if (strncmp(f[2], "rpc/", 4) == 0) {
		svc_fail(&s, 0, "an RPC service; forkd has no portmapper"
		    " registration");
		goto emit;
	}
	if (strcmp(f[1], "stream") != 0) {
		svc_fail(&s, 0, "a %s socket; forkd serves TCP streams only",
		    f[1]);
		goto emit;
	}
	if (strcmp(f[2], "tcp") == 0 || strcmp(f[2], "tcp4") == 0)
		family = 4;
	else if (strcmp(f[2], "tcp6") == 0)
		family = 6;
	else if (strcmp(f[2], "tcp46") == 0)
		family = 46;
	else {
		svc_fail(&s, 0, "protocol %s; forkd serves TCP only", f[2]);
		goto emit;
	}
	s.v6 = family == 6;
	if (strncmp(name, "tcpmux/", 7) == 0) {
		svc_fail(&s, 0, "a TCPMUX service; forkd has no tcpmux");
		goto emit;
	}

	/* wait|nowait, then .max (per minute) or FreeBSD's /child/cpm/ip. */
	wait = f[3];
	max = wait + strcspn(wait, "./");
	if (strncmp(wait, "nowait", max - wait) != 0 || max - wait != 6) {
		svc_fail(&s, 0, "a \"%s\" service, which takes over the"
		    " listening socket; forkd's children get one connection"
		    " each", wait);
		goto emit;
	}

	if ((port = port_of(NULL, name)) == 0) {
		svc_fail(&s, 0, "no TCP port for the service \"%s\"", name);
		goto emit;
	}
	h = lhost != NULL ? lhost : (*host != '\0' ? host : NULL);
	if (listen_addr(&s, h, family, port) == -1) {
		svc_fail(&s, 0, "the address \"%s\" is not a numeric %s"
		    " address", h, family == 6 ? "IPv6" : "IPv4");
		goto emit;
	}

	if (strcmp(f[5], "internal") == 0) {
		const char	*b = builtin_of(name);

		if (b == NULL) {
			svc_fail(&s, 0, "the internal service \"%s\" is not"
			    " one of forkd's built-in handlers", name);
			goto emit;
		}
		svc_dir(&s, "handler", b, NULL);
	} else
		exec_dir(&s, f[5], f + 6, nf - 6, 1);

	/* user[.group] or user[:group], and FreeBSD's /login-class. */
	user = f[4];
	if ((p = strchr(user, '/')) != NULL) {
		*p++ = '\0';
		svc_note(&s, "not converted: the login class %s", p);
	}
	group = NULL;
	if ((p = strpbrk(user, ".:")) != NULL) {
		*p = '\0';
		group = p + 1;
	}
	svc_dir(&s, "user", user, NULL);
	if (group != NULL && *group != '\0')
		svc_dir(&s, "group", group, NULL);

	if (*max == '.') {
		n = strtonum(max + 1, 1, INT_MAX, &errstr);
		if (errstr != NULL)
			svc_note(&s, "not converted: the limit \"%s\"", max);
		else {
			svc_note(&s, "inetd stopped the service for a while"
			    " past %d connections a minute; forkd keeps the"
			    " clients over the rate waiting in the backlog", n);
			snprintf(rate, sizeof(rate), "%d/m", n);
			svc_dir(&s, "rate", rate, NULL);
		}
	} else if (*max == '/') {
		char	*v[4];
		int	 nv, i;

		nv = 0;
		for (p = max + 1; nv < 3 && (v[nv] = strsep(&p, "/")) != NULL; )
			nv++;
		for (i = 0; i < nv; i++) {
			if (*v[i] == '\0' || strcmp(v[i], "0") == 0)
				continue;
			if (strtonum(v[i], 1, INT_MAX, &errstr), errstr != NULL)
				svc_note(&s, "not converted: the limit \"%s\"",
				    v[i]);
			else if (i == 0) {
				svc_note(&s, "inetd refused clients past this"
				    " limit; forkd keeps them waiting in the"
				    " backlog");
				svc_dir(&s, "max-children", v[i], NULL);
			} else if (i == 1)
				svc_note(&s, "not converted: at most %s"
				    " connections a minute from one address",
				    v[i]);
			else
				svc_dir(&s, "max-per-source", v[i], NULL);
		}
	}
emit:
	svc_emit(&s, from, orig);
}

/* Read an xinetd file, or say why not. */
static void
xinetd_read(struct xconf *x, const char *file, int depth)
{
	char	*text;

	if (depth > INCLUDE_DEPTH) {
		warnx("%s: included too deep", file);
		nunreadable++;
		return;
	}
	if ((text = text_read(file)) == NULL)
		return;
	xinetd_parse(x, file, text, depth);
	free(text);
}

/*
 * includedir: the files of dir in sorted order, without those whose
 * names have a dot or end in '~', as xinetd reads them.
 */
static void
xinetd_dir(struct xconf *x, const char *dir, int depth)
{
	struct dirent	**ents;
	struct stat	 st;
	char		 path[PATH_MAX];
	size_t		 n;
	int		 i, ne;

	if ((ne = scandir(dir, &ents, NULL, alphasort)) == -1) {
		warn("%s", dir);
		nunreadable++;
		return;
	}
	for (i = 0; i < ne; i++) {
		n = strlen(ents[i]->d_name);
		if (strchr(ents[i]->d_name, '.') == NULL &&
		    ents[i]->d_name[n - 1] != '~' &&
		    snprintf(path, sizeof(path), "%s/%s", dir,
		    ents[i]->d_name) < (int)sizeof(path) &&
		    stat(path, &st) == 0 && S_ISREG(st.st_mode))
			xinetd_read(x, path, depth + 1);
		free(ents[i]);
	}
	free(ents);
}

static struct xblock *
xblock_new(struct xconf *x, int kind, const char *name, const char *file,
    int line)
{
	struct xblock	*b;

	x->b = reallocarray(x->b, x->nb + 1, sizeof(*x->b));
	if (x->b == NULL)
		err(EX_OSERR, NULL);
	b = &x->b[x->nb++];
	memset(b, 0, sizeof(*b));
	b->kind = kind;
	b->name = xstrdup(name);
	b->file = xstrdup(file);
	b->line = line;
	return b;
}

/*
 * Cut the file into blocks.  Only a line whose first word starts with
 * '#' is a comment: within a line, xinetd takes '#' as it stands.
 */
static void
xinetd_parse(struct xconf *x, const char *file, char *text, int depth)
{
	struct xblock	*b = NULL;
	struct xattr	*a;
	char		*line, *next, *w[3], *p, *eq;
	int		 lineno = 0, open = 0, nw;

	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		lineno++;
		if (b != NULL)
			buf_add(&b->orig, "%s%s", b->orig.len > 0 ? "\n" : "",
			    line);
		line += strspn(line, " \t\r");
		if (*line == '#' && b == NULL) {
			xblock_new(x, X_COMMENT, line, file, lineno);
			continue;
		}
		if (*line == '#' || *line == '\0')
			continue;
		if (b != NULL && !open) {
			if (*line == '{') {
				open = 1;
				continue;
			}
			b->kind = X_ERROR;
			b = NULL;
			continue;
		}
		if (b != NULL && *line == '}') {
			b = NULL;
			open = 0;
			continue;
		}
		if (b != NULL) {
			/* NAME OP VALUE...: OP is =, += or -=. */
			if ((eq = strchr(line, '=')) == NULL || eq == line) {
				b->kind = X_ERROR;
				continue;
			}
			b->a = reallocarray(b->a, b->na + 1, sizeof(*b->a));
			if (b->a == NULL)
				err(EX_OSERR, NULL);
			a = &b->a[b->na++];
			memset(a, 0, sizeof(*a));
			a->op = '=';
			if (eq[-1] == '+' || eq[-1] == '-')
				a->op = eq[-1];
			*(a->op == '=' ? eq : eq - 1) = '\0';
			nw = split(line, w, 2);
			a->name = xstrdup(nw > 0 ? w[0] : "");
			if ((a->v = reallocarray(NULL, strlen(eq + 1) / 2 + 2,
			    sizeof(*a->v))) == NULL)
				err(EX_OSERR, NULL);
			p = xstrdup(eq + 1);
			a->text = p;
			a->nv = split(p, a->v, strlen(eq + 1) / 2 + 1);
			if (nw != 1)
				b->kind = X_ERROR;
			continue;
		}
		nw = split(line, w, 3);
		if (nw >= 2 && strcmp(w[0], "includedir") == 0)
			xinetd_dir(x, w[1], depth);
		else if (nw >= 2 && strcmp(w[0], "include") == 0)
			xinetd_read(x, w[1], depth + 1);
		else if (nw >= 1 && strcmp(w[0], "defaults") == 0) {
			b = xblock_new(x, X_DEFAULTS, "defaults", file, lineno);
			buf_add(&b->orig, "defaults");
			open = nw > 1 && strcmp(w[1], "{") == 0;
		} else if (nw >= 2 && strcmp(w[0], "service") == 0) {
			b = xblock_new(x, X_SERVICE, w[1], file, lineno);
			buf_add(&b->orig, "service %s", w[1]);
			open = nw > 2 && strcmp(w[2], "{") == 0;
		} else {
			b = xblock_new(x, X_ERROR, w[0], file, lineno);
			b = NULL;
		}
	}
	if (b != NULL && b->kind != X_ERROR) {
		/* The file ended inside the block. */
		b->kind = X_ERROR;
	}
}

static struct xattr *
xattr_get(struct xattr *a, int na, const char *name)
{
	int	 i;

	for (i = 0; i < na; i++)
		if (strcmp(a[i].name, name) == 0) {
			a[i].used = 1;
			return &a[i];
		}
	return NULL;
}

/* "yes" for the attribute name. */
static int
xattr_yes(struct xattr *a, int na, const char *name)
{
	struct xattr	*v = xattr_get(a, na, name);

	return v != NULL && v->nv > 0 && strcasecmp(v->v[0], "yes") == 0;
}

static int
xattr_has(struct xattr *v, const char *word)
{
	int	 i;

	for (i = 0; v != NULL && i < v->nv; i++)
		if (strcasecmp(v->v[i], word) == 0)
			return 1;
	return 0;
}

/*
 * Fold op into the attribute list: '=' replaces the values, "+=" adds
 * to them and "-=" takes some away, so that a service sees what xinetd
 * makes of its defaults and its own lines together.
 */
static void
xattr_apply(struct xattr **ap, int *nap, const struct xattr *op)
{
	struct xattr	*a = NULL;
	int		 i, j, k;

	for (i = 0; i < *nap; i++)
		if (strcmp((*ap)[i].name, op->name) == 0)
			a = &(*ap)[i];
	if (a == NULL) {
		*ap = reallocarray(*ap, *nap + 1, sizeof(**ap));
		if (*ap == NULL)
			err(EX_OSERR, NULL);
		a = &(*ap)[(*nap)++];
		memset(a, 0, sizeof(*a));
		a->name = op->name;
	}
	if (op->op == '=') {
		free(a->v);
		a->nv = 0;
		a->v = NULL;
	}
	if (op->op == '-') {
		for (i = 0; i < op->nv; i++)
			for (j = 0; j < a->nv; )
				if (strcmp(a->v[j], op->v[i]) == 0) {
					for (k = j; k + 1 < a->nv; k++)
						a->v[k] = a->v[k + 1];
					a->nv--;
				} else
					j++;
		return;
	}
	a->v = reallocarray(a->v, a->nv + op->nv + 1, sizeof(*a->v));
	if (a->v == NULL)
		err(EX_OSERR, NULL);
	for (i = 0; i < op->nv; i++)
		a->v[a->nv++] = op->v[i];
	a->op = '=';
}

static void
xinetd_convert(struct xconf *x)
{
	struct xblock	 defs;
	struct xblock	*b;
	char		 from[PATH_MAX + 32];
	int		 i, j;

	/* Every defaults block, wherever it is, applies to every service. */
	memset(&defs, 0, sizeof(defs));
	for (i = 0; i < x->nb; i++) {
		if (x->b[i].kind != X_DEFAULTS)
			continue;
		for (j = 0; j < x->b[i].na; j++)
			xattr_apply(&defs.a, &defs.na, &x->b[i].a[j]);
	}
	if (defs.na > 0)
		printf("# The attributes of xinetd's defaults are applied to"
		    " each service below.\n");

	for (i = 0; i < x->nb; i++) {
		b = &x->b[i];
		switch (b->kind) {
		case X_COMMENT:
			printf("%s\n", b->name);
			break;
		case X_DEFAULTS:
			break;
		case X_ERROR:
			snprintf(from, sizeof(from), "%s:%d", b->file, b->line);
			printf("\n# %s\n# not converted: xinetd's syntax is"
			    " not followed here\n", from);
			if (b->orig.len > 0)
				print_commented(b->orig.s);
			else
				print_commented(b->name);
			nbad++;
			break;
		case X_SERVICE:
			xinetd_service(b, &defs);
			break;
		}
	}
	xattrs_free(defs.a, defs.na, 0);
}

/* The rlimit_ attributes forkd has, and its names for them. */
static const struct {
	const char	*xinetd;
	const char	*forkd;
} rlimits[] = {
	{ "rlimit_as", "as" },
	{ "rlimit_cpu", "cpu" },
	{ "rlimit_data", "data" },
	{ "rlimit_stack", "stack" },
	{ "rlimit_files", "nofile" },
	{ "rlimit_core", "core" },
};

static void
xinetd_service(struct xblock *xb, struct xblock *defs)
{
	struct svc	 s;
	struct xattr	*a = NULL, *v, *flags, *type, *id;
	struct xattr	*defs_dis, *defs_en;
	char		 from[PATH_MAX + 32], word[64];
	const char	*host, *idname;
	size_t		 k;
	int		 na = 0, i, family, port, nameinargs;

	snprintf(from, sizeof(from), "%s:%d", xb->file, xb->line);
	for (i = 0; i < defs->na; i++)
		if (strcmp(defs->a[i].name, "disabled") != 0 &&
		    strcmp(defs->a[i].name, "enabled") != 0)
			xattr_apply(&a, &na, &defs->a[i]);
	for (i = 0; i < xb->na; i++)
		xattr_apply(&a, &na, &xb->a[i]);

	flags = xattr_get(a, na, "flags");
	type = xattr_get(a, na, "type");
	id = xattr_get(a, na, "id");
	idname = id != NULL && id->nv > 0 ? id->v[0] : xb->name;
	family = xattr_has(flags, "IPv6") ? 46 : 4;
	if (family == 46 && xattr_yes(a, na, "v6only"))
		family = 6;
	svc_init(&s, xb->name, family == 6);

	defs_dis = xattr_get(defs->a, defs->na, "disabled");
	defs_en = xattr_get(defs->a, defs->na, "enabled");
	if (xattr_yes(a, na, "disable") || xattr_has(defs_dis, idname) ||
	    (defs_en != NULL && !xattr_has(defs_en, idname)))
		s.disabled = 1;

	if (xattr_has(type, "RPC")) {
		svc_fail(&s, 0, "an RPC service; forkd has no portmapper"
		    " registration");
		goto emit;
	}
	if (xattr_has(type, "TCPMUX") || xattr_has(type, "TCPMUXPLUS")) {
		svc_fail(&s, 0, "a TCPMUX service; forkd has no tcpmux");
		goto emit;
	}
	v = xattr_get(a, na, "socket_type");
	if (v == NULL || v->nv == 0 || strcmp(v->v[0], "stream") != 0) {
		svc_fail(&s, 0, "a %s socket; forkd serves TCP streams only",
		    v != NULL && v->nv > 0 ? v->v[0] : "missing");
		goto emit;
	}
	v = xattr_get(a, na, "protocol");
	if (v != NULL && v->nv > 0 && strcmp(v->v[0], "tcp") != 0) {
		svc_fail(&s, 0, "protocol %s; forkd serves TCP only", v->v[0]);
		goto emit;
	}
	if (xattr_yes(a, na, "wait")) {
		svc_fail(&s, 0, "a \"wait\" service, which takes over the"
		    " listening socket; forkd's children get one connection"
		    " each");
		goto emit;
	}

	v = xattr_get(a, na, "port");
	if ((port = port_of(v != NULL && v->nv > 0 ? v->v[0] : NULL,
	    xb->name)) == 0) {
		svc_fail(&s, 0, "no TCP port for the service \"%s\"",
		    xb->name);
		goto emit;
	}
	if ((v = xattr_get(a, na, "bind")) == NULL)
		v = xattr_get(a, na, "interface");
	host = v != NULL && v->nv > 0 ? v->v[0] : NULL;
	if (listen_addr(&s, host, host != NULL ? 46 : family, port) == -1) {
		svc_fail(&s, 0, "the address \"%s\" is not numeric, and"
		    " forkd looks up no host name", host);
		goto emit;
	}

	nameinargs = xattr_has(flags, "NAMEINARGS");
	if ((v = xattr_get(a, na, "redirect")) != NULL) {
		struct in6_addr	 a6;
		char		 dest[NI_MAXHOST + 16];
		int		 rport;

		rport = v->nv == 2 ? port_of(v->v[1], NULL) : 0;
		if (rport == 0) {
			svc_fail(&s, 0, "redirect takes a host and a port");
			goto emit;
		}
		snprintf(dest, sizeof(dest),
		    inet_pton(AF_INET6, v->v[0], &a6) == 1 ? "[%s]:%d" :
		    "%s:%d", v->v[0], rport);
		svc_dir(&s, "module", "redirect.so", dest, NULL);
		if ((v = xattr_get(a, na, "server")) != NULL)
			svc_note(&s, "not converted: server %s, which xinetd"
			    " does not run for a redirect", v->v[0]);
	} else if (xattr_has(type, "INTERNAL")) {
		const char	*h;

		if ((h = builtin_of(idname)) == NULL) {
			svc_fail(&s, 0, "the internal service \"%s\" is not"
			    " one of forkd's built-in handlers", idname);
			goto emit;
		}
		svc_dir(&s, "handler", h, NULL);
	} else if ((v = xattr_get(a, na, "server")) != NULL && v->nv > 0) {
		struct xattr	*args = xattr_get(a, na, "server_args");

		exec_dir(&s, v->v[0], args != NULL ? args->v : NULL,
		    args != NULL ? args->nv : 0, nameinargs);
		if (s.reason[0] != '\0' && !s.block)
			goto emit;
	} else {
		svc_fail(&s, 0, "no server to run");
		goto emit;
	}

	if ((v = xattr_get(a, na, "user")) != NULL && v->nv > 0)
		svc_dir(&s, "user", v->v[0], NULL);
	if ((v = xattr_get(a, na, "group")) != NULL && v->nv > 0)
		svc_dir(&s, "group", v->v[0], NULL);

	if ((v = xattr_get(a, na, "instances")) != NULL && v->nv > 0 &&
	    strcasecmp(v->v[0], "UNLIMITED") != 0) {
		svc_note(&s, "xinetd refused the clients over this limit;"
		    " forkd keeps them waiting in the listen backlog until"
		    " a child exits");
		svc_dir(&s, "max-children", v->v[0], NULL);
	}
	if ((v = xattr_get(a, na, "per_source")) != NULL && v->nv > 0 &&
	    strcasecmp(v->v[0], "UNLIMITED") != 0)
		svc_dir(&s, "max-per-source", v->v[0], NULL);
	if ((v = xattr_get(a, na, "cps")) != NULL && v->nv > 0) {
		if (v->nv > 1)
			svc_note(&s, "xinetd stopped the service for %s"
			    " seconds past this rate; forkd keeps the"
			    " clients over it waiting in the listen backlog",
			    v->v[1]);
		snprintf(word, sizeof(word), "%s/s", v->v[0]);
		svc_dir(&s, "rate", word, NULL);
	}

	xinetd_access(&s, xattr_get(a, na, "only_from"),
	    xattr_get(a, na, "no_access"));

	if ((v = xattr_get(a, na, "env")) != NULL)
		for (i = 0; i < v->nv; i++)
			svc_dir(&s, "env", v->v[i], NULL);
	if ((v = xattr_get(a, na, "passenv")) != NULL)
		for (i = 0; i < v->nv; i++)
			svc_dir(&s, "passenv", v->v[i], NULL);

	if ((v = xattr_get(a, na, "banner_success")) != NULL && v->nv > 0)
		xinetd_banner(&s, "banner", v->v[0]);
	else if ((v = xattr_get(a, na, "banner")) != NULL && v->nv > 0) {
		svc_note(&s, "xinetd sent this banner to refused clients too");
		xinetd_banner(&s, "banner", v->v[0]);
	}
	if ((v = xattr_get(a, na, "banner_fail")) != NULL && v->nv > 0)
		xinetd_banner(&s, "refuse-message", v->v[0]);

	for (k = 0; k < sizeof(rlimits) / sizeof(rlimits[0]); k++) {
		if ((v = xattr_get(a, na, rlimits[k].xinetd)) == NULL ||
		    v->nv == 0)
			continue;
		if (strcasecmp(v->v[0], "UNLIMITED") == 0)
			strlcpy(word, "infinity", sizeof(word));
		else {
			for (i = 0; v->v[0][i] != '\0' && i < 63; i++)
				word[i] = tolower((unsigned char)v->v[0][i]);
			word[i] = '\0';
		}
		svc_dir(&s, "rlimit", rlimits[k].forkd, word, NULL);
	}

	if ((v = xattr_get(a, na, "access_times")) != NULL)
		svc_fail(&s, 1, "access_times: forkd serves at all times");
	if ((v = xattr_get(a, na, "libwrap")) != NULL)
		svc_fail(&s, 1, "libwrap: forkd does not read hosts.allow"
		    " and hosts.deny; write allow and deny rules for the"
		    " service, then remove the comments");

	/* What is left has no counterpart: a note for each. */
	xattr_get(a, na, "disable");
	xattr_get(a, na, "server_args");
	xattr_get(a, na, "v6only");
	for (i = 0; flags != NULL && i < flags->nv; i++)
		if (strcasecmp(flags->v[i], "IPv6") != 0 &&
		    strcasecmp(flags->v[i], "IPv4") != 0 &&
		    strcasecmp(flags->v[i], "NAMEINARGS") != 0 &&
		    strcasecmp(flags->v[i], "NOLIBWRAP") != 0)
			svc_note(&s, "not converted: flags %s", flags->v[i]);
	for (i = 0; type != NULL && i < type->nv; i++)
		if (strcasecmp(type->v[i], "INTERNAL") != 0 &&
		    strcasecmp(type->v[i], "UNLISTED") != 0)
			svc_note(&s, "not converted: type %s", type->v[i]);
	for (i = 0; i < na; i++) {
		struct buf	 b = { NULL, 0, 0 };
		int		 j;

		if (a[i].used)
			continue;
		buf_add(&b, "not converted: %s =", a[i].name);
		for (j = 0; j < a[i].nv; j++)
			buf_add(&b, " %s", a[i].v[j]);
		svc_note(&s, "%s", b.s);
		free(b.s);
	}
emit:
	svc_emit(&s, from, xb->orig.s != NULL ? xb->orig.s : xb->name);
	xattrs_free(a, na, 0);
}

/*
 * Attributes: their value arrays; and, owned, for those parsed from a
 * file, their names and text (merged ones point to those).
 */
static void
xattrs_free(struct xattr *a, int na, int owned)
{
	int	i;

	for (i = 0; i < na; i++) {
		free(a[i].v);
		if (owned) {
			free(a[i].name);
			free(a[i].text);
		}
	}
	free(a);
}

static void
xconf_free(struct xconf *x)
{
	int	i;

	for (i = 0; i < x->nb; i++) {
		free(x->b[i].name);
		free(x->b[i].file);
		free(x->b[i].orig.s);
		xattrs_free(x->b[i].a, x->b[i].na, 1);
	}
	free(x->b);
	x->b = NULL;
	x->nb = 0;
}

/*
 * One address of only_from or no_access as a prefix: CIDR, an address,
 * an IPv4 address whose trailing zeros are wildcards (128.138.12.0 is
 * the /24), or a factorized 128.138.{12,13} for several of those.
 * The rules are added at r[*nr]; -1 for a host name or a domain.
 */
static int
rule_parse(const char *word, int deny, struct rule *r, int *nr)
{
	struct in6_addr	 a6;
	struct in_addr	 a4;
	const char	*errstr, *brace;
	char		 addr[INET6_ADDRSTRLEN + 8], *slash, *p, *item;
	char		 list[256];
	unsigned char	*o;
	int		 len;

	if ((brace = strchr(word, '{')) != NULL) {
		if (strlcpy(list, brace + 1, sizeof(list)) >= sizeof(list) ||
		    (p = strchr(list, '}')) == NULL || p[1] != '\0')
			return -1;
		*p = '\0';
		for (p = list; (item = strsep(&p, ",")) != NULL; ) {
			char	 one[INET6_ADDRSTRLEN + 8];
			int	 dots = 0, i;

			snprintf(one, sizeof(one), "%.*s%s",
			    (int)(brace - word), word, item);
			for (i = 0; one[i] != '\0'; i++)
				dots += one[i] == '.';
			for (; dots < 3; dots++)
				strlcat(one, ".0", sizeof(one));
			if (strchr(one, ':') != NULL ||
			    rule_parse(one, deny, r, nr) == -1)
				return -1;
		}
		return 0;
	}

	if (strlcpy(addr, word, sizeof(addr)) >= sizeof(addr))
		return -1;
	len = -1;
	if ((slash = strchr(addr, '/')) != NULL) {
		*slash = '\0';
		len = strtonum(slash + 1, 0, 128, &errstr);
		if (errstr != NULL)
			return -1;
	}
	if (inet_pton(AF_INET, addr, &a4) == 1) {
		if (len > 32)
			return -1;
		if (len == -1) {
			/* xinetd's wildcards: trailing zero bytes. */
			o = (unsigned char *)&a4;
			for (len = 32; len > 0 && o[len / 8 - 1] == 0; len -= 8)
				;
		}
	} else if (inet_pton(AF_INET6, addr, &a6) == 1) {
		if (len == -1)
			len = 128;
	} else
		return -1;
	r += *nr;
	snprintf(r->prefix, sizeof(r->prefix), "%s/%d", addr, len);
	r->len = len;
	r->deny = deny;
	r->order = *nr;
	*nr += 1;
	return 0;
}

static int
rule_cmp(const void *a, const void *b)
{
	const struct rule	*ra = a, *rb = b;

	if (ra->len != rb->len)
		return rb->len - ra->len;
	if (ra->deny != rb->deny)
		return rb->deny - ra->deny;
	return ra->order - rb->order;
}

/*
 * only_from and no_access.  xinetd lets the most specific match decide;
 * forkd the first: rules sorted longest prefix first, a deny before an
 * allow of the same length, say the same to both.
 */
static void
xinetd_access(struct svc *s, struct xattr *from, struct xattr *no)
{
	struct rule	*r;
	struct xattr	*lists[2] = { no, from };
	int		 nr = 0, nallow = 0, dropped_allow = 0, i, l, n;

	if (from == NULL && no == NULL)
		return;
	n = (from != NULL ? from->nv : 0) + (no != NULL ? no->nv : 0);
	r = xmalloc((n * 256 + 2) * sizeof(*r));
	for (l = 0; l < 2; l++) {
		for (i = 0; lists[l] != NULL && i < lists[l]->nv; i++) {
			const char	*w = lists[l]->v[i];

			if (rule_parse(w, l == 0, r, &nr) != -1) {
				nallow += l == 1;
				continue;
			}
			if (l == 0)
				svc_fail(s, 1, "no_access %s: forkd's rules are"
				    " address prefixes, and a host name or"
				    " domain cannot be refused", w);
			else {
				svc_note(s, "not converted: only_from %s (not"
				    " an address prefix), so refused", w);
				dropped_allow++;
			}
		}
	}
	/* An empty only_from lets no one in. */
	if (from != NULL && from->nv == 0) {
		strlcpy(r[nr].prefix, "0.0.0.0/0", sizeof(r[nr].prefix));
		r[nr].deny = 1;
		r[nr].order = nr;
		nr++;
		strlcpy(r[nr].prefix, "::/0", sizeof(r[nr].prefix));
		r[nr].deny = 1;
		r[nr].order = nr;
		nr++;
	} else if (dropped_allow > 0 && nallow == 0)
		svc_fail(s, 1, "only_from names no address prefix that forkd"
		    " can use, and no rule would let everyone in");
	qsort(r, nr, sizeof(*r), rule_cmp);
	if (nr > 1)
		svc_note(s, "xinetd lets the most specific of only_from and"
		    " no_access decide, forkd the first rule that matches:"
		    " the rules are sorted most specific first, deny first"
		    " on a tie");
	for (i = 0; i < nr; i++)
		svc_dir(s, r[i].deny ? "deny" : "allow", r[i].prefix, NULL);
	free(r);
}

/* A banner file's contents as the directive kw, or a note. */
static void
xinetd_banner(struct svc *s, const char *kw, const char *path)
{
	char	*text;
	size_t	 len;

	if ((text = file_read(path, &len)) == NULL) {
		svc_note(s, "not converted: %s from %s: %s", kw, path,
		    strerror(errno));
		return;
	}
	if (len > WORD_MAX / 2 || strlen(text) != len)
		svc_note(s, "not converted: %s from %s: too long, or binary",
		    kw, path);
	else
		svc_dir(s, kw, text, NULL);
	free(text);
}

int
main(int argc, char *argv[])
{
	struct xconf	 x;
	const char	*type = NULL;
	char		*text;
	int		 ch, i, xi;

	while ((ch = getopt(argc, argv, "t:")) != -1) {
		switch (ch) {
		case 't':
			if (strcmp(optarg, "inetd") != 0 &&
			    strcmp(optarg, "xinetd") != 0)
				usage();
			type = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();

	printf("# forkd.conf(5) written by forkd-convert from");
	for (i = 0; i < argc; i++)
		printf(" %s", argv[i]);
	printf("\n");
	for (i = 0; i < argc; i++) {
		if ((text = text_read(argv[i])) == NULL)
			continue;
		xi = type != NULL ? strcmp(type, "xinetd") == 0 :
		    is_xinetd(text);
		printf("\n# %s, read as %s\n", argv[i],
		    xi ? "xinetd.conf(5)" : "inetd.conf(5)");
		if (xi) {
			memset(&x, 0, sizeof(x));
			xinetd_parse(&x, argv[i], text, 0);
			xinetd_convert(&x);
			xconf_free(&x);
		} else
			inetd_file(argv[i], text);
		free(text);
	}
	if (fflush(stdout) == EOF || ferror(stdout))
		err(EX_IOERR, "standard output");
	if (nunreadable > 0)
		return EX_NOINPUT;
	if (nbad > 0) {
		warnx("%d service%s not converted: see the \"# not"
		    " converted\" comments", nbad, nbad > 1 ? "s" : "");
		return 1;
	}
	return 0;
}
