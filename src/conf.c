/* SPDX-License-Identifier: ISC */
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
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "confparse.h"

#define FILE_MAX	(16 * 1024 * 1024)
#define INCLUDE_DEPTH	16
#define LINKS_MAX	40	/* symbolic links followed, as the kernel */

static int	trust_mode(const char *, const struct stat *, uid_t, char *,
		    size_t);
static int	trust_folders(char *, uid_t, char *, size_t);
static char	*trust_link_folder(const char *);
static int	conf_read(int, size_t, char **, size_t *);
static const char *conf_addfile(struct parser *, const char *);
static const char *conf_unfit(const char *, const struct stat *, size_t,
		    char *, size_t);
static void	conf_file(struct parser *, const char *);
static int	parser_init(struct parser *, struct conf_errors *);
static struct conf *parser_end(struct parser *);
static struct conf *conf_parse(const char *, const char *, size_t,
		    struct conf_errors *);

/*
 * Whether st, of the file or of the folder name (NULL for the file),
 * is owned by root or owner and writable by no one else.  cron(8) and
 * sudo(8) ask as much of their files.  A folder that others may write
 * passes with the sticky bit: there, as in /tmp, no one but root and its
 * owner can rename or remove an entry of root's, and the next folder
 * down, or the file, is root's or refused.
 */
static int
trust_mode(const char *name, const struct stat *st, uid_t owner, char *err,
    size_t errlen)
{
	mode_t		 w = st->st_mode & (S_IWGRP | S_IWOTH);
	const char	*by;

	if (st->st_uid != 0 && st->st_uid != owner) {
		snprintf(err, errlen, "%s%s%sowned by uid %lu, not root",
		    name != NULL ? "folder " : "", name != NULL ? name : "",
		    name != NULL ? " is " : "", (unsigned long)st->st_uid);
		return -1;
	}
	if (w == 0 || (name != NULL && (st->st_mode & S_ISVTX)))
		return 0;
	by = w == S_IWGRP ? "its group" : w == S_IWOTH ? "others" :
	    "its group and others";
	snprintf(err, errlen, "%s%s%swritable by %s (mode %04o)",
	    name != NULL ? "folder " : "", name != NULL ? name : "",
	    name != NULL ? " is " : "", by, (unsigned int)(st->st_mode & 07777));
	return -1;
}

/*
 * dir, absolute and without symbolic links, and every folder above it up
 * to /.  dir is cut short on the way.
 */
static int
trust_folders(char *dir, uid_t owner, char *err, size_t errlen)
{
	struct stat	 st;
	char		*slash;
	const char	*name;

	for (;;) {
		name = dir[0] != '\0' ? dir : "/";
		if (stat(name, &st) == -1) {
			snprintf(err, errlen, "folder %s: %s", name,
			    strerror(errno));
			return -1;
		}
		if (trust_mode(name, &st, owner, err, errlen) == -1)
			return -1;
		if (dir[0] == '\0')
			return 0;
		if ((slash = strrchr(dir, '/')) == NULL)
			return 0;
		*slash = '\0';
	}
}

/* The folder that holds path, absolute and without links; NULL on error. */
static char *
trust_link_folder(const char *path)
{
	char	*dir, *slash, *real;

	if ((dir = strdup(path)) == NULL)
		return NULL;
	if ((slash = strrchr(dir, '/')) == NULL)
		strlcpy(dir, ".", strlen(dir) + 1);
	else if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	real = realpath(dir, NULL);
	free(dir);
	return real;
}

int
conf_trusted(const char *path, const struct stat *st, uid_t owner,
    char *err, size_t errlen)
{
	struct stat	 lst;
	char		*dir = NULL, *link = NULL, *next, target[PATH_MAX];
	ssize_t		 n;
	int		 hops, r = -1;

	if (trust_mode(NULL, st, owner, err, errlen) == -1)
		return -1;

	/* The folders of the file itself. */
	if ((dir = realpath(path, NULL)) == NULL)
		goto fail;
	*strrchr(dir, '/') = '\0';
	if (trust_folders(dir, owner, err, errlen) == -1)
		goto done;

	/*
	 * Those of each symbolic link that leads to it: /etc/forkd.conf
	 * may well be a link, and whoever may replace it picks the file.
	 */
	if ((link = strdup(path)) == NULL)
		goto fail;
	for (hops = 0; hops < LINKS_MAX; hops++) {
		if (lstat(link, &lst) == -1)
			goto fail;
		if (!S_ISLNK(lst.st_mode))
			break;
		free(dir);
		if ((dir = trust_link_folder(link)) == NULL)
			goto fail;
		if ((n = readlink(link, target, sizeof(target) - 1)) == -1)
			goto fail;
		target[n] = '\0';
		if (target[0] == '/')
			next = strdup(target);
		else if (asprintf(&next, "%s/%s", dir, target) == -1)
			next = NULL;
		if (next == NULL)
			goto fail;
		free(link);
		link = next;
		if (trust_folders(dir, owner, err, errlen) == -1)
			goto done;
	}
	r = 0;
	goto done;
fail:
	snprintf(err, errlen, "%s", strerror(errno));
done:
	free(dir);
	free(link);
	return r;
}

/*
 * Read a whole file, up to max bytes: a configuration is small, and the
 * cap keeps "include /dev/zero"-like mistakes from eating memory.
 */
static int
conf_read(int fd, size_t max, char **bufp, size_t *lenp)
{
	char	*buf = NULL, *nbuf;
	size_t	 len = 0, cap = 0;
	ssize_t	 n;

	for (;;) {
		if (len == cap) {
			if (cap == max) {
				free(buf);
				errno = EFBIG;
				return -1;
			}
			cap = cap == 0 ? 8192 : cap * 2;
			if (cap > max)
				cap = max;
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
 * Why the file at path, of st, cannot be a configuration file, or NULL:
 * only a regular file is read, so that -f or a glob that names a FIFO or
 * a device cannot hang the master, at start or at a reload; and as root,
 * only a file that no one else can change.  Any message goes in buf.
 */
static const char *
conf_unfit(const char *path, const struct stat *st, size_t max, char *buf,
    size_t len)
{
	if (!S_ISREG(st->st_mode))
		return "not a regular file";
	if ((unsigned long long)st->st_size > max) {
		snprintf(buf, len, "larger than %zu MiB", max >> 20);
		return buf;
	}
	if (geteuid() == 0 && conf_trusted(path, st, 0, buf, len) == -1)
		return buf;
	return NULL;
}

/*
 * Read and parse a file: the main one (p->src NULL, errors "path:
 * reason") or an included one (errors at the include).  The file is
 * looked at before it is opened, so that a device is never opened, and
 * opened without blocking, so that a FIFO put in its place meanwhile
 * cannot hang the parser; what was opened is looked at again.  A
 * configuration may be a symbolic link (/etc/forkd.conf to a version of
 * it, conf.d/ entries to files kept elsewhere): links are followed, and
 * conf_trusted checks where they lie.
 */
static void
conf_file(struct parser *p, const char *path)
{
	struct src	 s, *up;
	struct stat	 st;
	const char	*name, *why;
	char		*buf = NULL, reason[PATH_MAX + 128];
	size_t		 len;
	int		 fd = -1;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		why = "not a regular file";
		goto unfit;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
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
	if ((why = conf_unfit(path, &st, FILE_MAX, reason, sizeof(reason))) !=
	    NULL)
		goto unfit;
	if (p->src != NULL) {
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
	if (conf_read(fd, FILE_MAX, &buf, &len) == -1)
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
unfit:
	if (p->src == NULL)
		conf_errat(p, path, 0, "%s", why);
	else if (!S_ISREG(st.st_mode))
		conf_err(p, "%s is not a regular file", q(p, path));
	else
		conf_err(p, "%s: %s", q(p, path), why);
	goto close;
bad:
	if (p->src == NULL)
		conf_errat(p, path, 0, "%s", strerror(errno));
	else
		conf_err(p, "cannot read %s: %s", q(p, path), strerror(errno));
close:
	free(buf);
	if (fd != -1)
		close(fd);
}

int
conf_slurp(const char *path, size_t max, char **bufp, size_t *lenp,
    char *err, size_t errlen)
{
	struct stat	 st;
	const char	*why;
	int		 fd;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		strlcpy(err, "not a regular file", errlen);
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd == -1 || fstat(fd, &st) == -1) {
		strlcpy(err, strerror(errno), errlen);
		if (fd != -1)
			close(fd);
		return -1;
	}
	if ((why = conf_unfit(path, &st, max, err, errlen)) != NULL) {
		if (why != err)
			strlcpy(err, why, errlen);
		close(fd);
		return -1;
	}
	if (conf_read(fd, max, bufp, lenp) == -1) {
		strlcpy(err, strerror(errno), errlen);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
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
	(void)conf_rules_finish(&p, cs);

	/* The global limit must not be lower than the only service's. */
	if (cs->s.max_children > p.conf->max_children)
		p.conf->max_children = cs->s.max_children;
	TAILQ_INSERT_TAIL(&p.conf->services, cs, entry);
	p.conf->nservices = 1;
	conf_finish(&p);
	return parser_end(&p);
}
