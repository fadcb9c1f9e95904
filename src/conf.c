/*
 * The configuration parser: forkd.conf(5), or the words of one-shot mode,
 * into struct conf.  This file reads files, follows includes and holds
 * the entry points; the lexer is in conflex.c, the directives in
 * confdirective.c, the data in confdata.c and the check of users and
 * groups against the master's own in confcred.c.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confparse.h"

#define FILE_MAX	(16 * 1024 * 1024)
#define INCLUDE_DEPTH	16

static int	conf_read(int, char **, size_t *);
static const char *conf_addfile(struct parser *, const char *);
static void	conf_file(struct parser *, const char *);
static int	parser_init(struct parser *, struct conf_errors *);
static struct conf *parser_end(struct parser *);
static struct conf *conf_parse(const char *, const char *, size_t,
		    struct conf_errors *);

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
 * A pattern with wildcards may match nothing (an empty conf.d is
 * normal); a plain path names a file that must exist.  A relative
 * pattern is taken from the including file's folder.
 */
int
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
parser_init(struct parser *p, struct conf_errors *errs)
{
	struct conf	*conf;

	memset(p, 0, sizeof(*p));
	p->errs = errs;
	p->back = T_NONE;
	if ((conf = conf_new()) == NULL)
		return -1;
	p->conf = conf;
	p->cur = &conf->defaults;
	return 0;
}

/* The configuration, or NULL when anything went wrong. */
static struct conf *
parser_end(struct parser *p)
{
	struct conf	*conf = p->conf;

	conf_args_clear(p);
	free(p->args);
	if (p->nerr > 0 || p->nomem) {
		conf_free(conf);
		return NULL;
	}
	return conf;
}

/* conf_parse_file() when text is NULL, else conf_parse_string(). */
static struct conf *
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
 * One-shot mode: a service "cmdline" made of the words of the command
 * line (confdirective.c reads them), in a source of its own whose
 * messages carry no line.
 */
struct conf *
conf_cmdline(const char *listen, int argc, char **argv, char **opts,
    size_t nopts, struct conf_errors *errs)
{
	struct parser		 p;
	struct src		 s;
	struct conf_service	*cs;
	const char		*file;

	if (parser_init(&p, errs) == -1)
		return NULL;
	memset(&s, 0, sizeof(s));
	s.noline = 1;
	p.src = &s;
	if ((file = conf_addfile(&p, CMDLINE)) == NULL)
		return parser_end(&p);
	s.name = s.file = file;
	if ((cs = conf_service_new("cmdline", file, 0)) == NULL) {
		conf_nomem(&p);
		return parser_end(&p);
	}
	p.cs = cs;
	p.cur = &cs->s;
	conf_oneshot(&p, listen, argc, argv, opts, nopts);
	p.cs = NULL;

	/* The global limit must not be lower than the only service's. */
	if (cs->s.max_children > p.conf->max_children)
		p.conf->max_children = cs->s.max_children;
	TAILQ_INSERT_TAIL(&p.conf->services, cs, entry);
	p.conf->nservices = 1;
	conf_finish(&p);
	return parser_end(&p);
}
