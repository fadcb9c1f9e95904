/* SPDX-License-Identifier: ISC */
/*
 * Rules files read anew when they change, with no signal: inotify on
 * the folder of each (an editor or a script that writes a new version
 * and renames it over the old is seen as well as one that writes in
 * place).  A new version that does not parse is logged, and the rules
 * in force stay.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/inotify.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "svc.h"
#include "watch.h"

/* Services rebuilt for one batch of events; more wait for the next. */
#define WATCH_DIRTY	64
#define WATCH_EVENTS	(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | \
			    IN_DELETE | IN_MOVED_FROM)

struct watch {
	int		 wd;
	char		*dir;
	char		*name;		/* the file's name in dir */
	struct svc	*svc;
};

static void	watch_clear(struct server *);
static int	watch_add(struct server *, struct svc *, const char *);
static void	watch_rebuild(struct svc *);

static void
watch_clear(struct server *srv)
{
	size_t	i;

	for (i = 0; i < srv->nwatches; i++) {
		free(srv->watches[i].dir);
		free(srv->watches[i].name);
	}
	free(srv->watches);
	srv->watches = NULL;
	srv->nwatches = 0;
	if (srv->inotify != -1)
		close(srv->inotify);
	srv->inotify = -1;
}

void
watch_free(struct server *srv)
{
	watch_clear(srv);
}

/* Watch the folder of path for svc; -1 (logged) on failure. */
static int
watch_add(struct server *srv, struct svc *svc, const char *path)
{
	struct watch	*w;
	const char	*slash = strrchr(path, '/');
	char		*dir, *name;
	int		 wd;

	/* Paths are absolute: the parser says so. */
	if (slash == NULL || slash[1] == '\0')
		return -1;
	if ((dir = strndup(path, slash == path ? 1 : (size_t)(slash -
	    path))) == NULL || (name = strdup(slash + 1)) == NULL) {
		free(dir);
		log_warn("service %s: rules %s", svc->name, path);
		return -1;
	}
	if ((wd = inotify_add_watch(srv->inotify, dir, WATCH_EVENTS)) ==
	    -1) {
		log_warn("service %s: rules %s: cannot watch %s, changes "
		    "take a reload", svc->name, path, dir);
		free(dir);
		free(name);
		return -1;
	}
	w = reallocarray(srv->watches, srv->nwatches + 1, sizeof(*w));
	if (w == NULL) {
		log_warn("service %s: rules %s", svc->name, path);
		free(dir);
		free(name);
		return -1;
	}
	srv->watches = w;
	w = &srv->watches[srv->nwatches++];
	w->wd = wd;
	w->dir = dir;
	w->name = name;
	w->svc = svc;
	return 0;
}

void
watch_reset(struct server *srv)
{
	struct epoll_event	 ev;
	struct svc		*svc;
	size_t			 i, n = 0;

	watch_clear(srv);
	TAILQ_FOREACH(svc, &srv->svcs, entry)
		n += svc->conf->nrulefiles;
	if (n == 0)
		return;
	if ((srv->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		log_warn("inotify: changed rules files take a reload");
		return;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = &srv->inotify;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->inotify, &ev) == -1) {
		log_warn("epoll_ctl: changed rules files take a reload");
		watch_clear(srv);
		return;
	}
	TAILQ_FOREACH(svc, &srv->svcs, entry)
		for (i = 0; i < svc->conf->nrulefiles; i++)
			(void)watch_add(srv, svc, svc->conf->rulefiles[i].path);
}

/* The rules of svc read again: the new ones, or the old with a log. */
static void
watch_rebuild(struct svc *svc)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct ruleset		*rs;
	size_t			 i;

	if ((rs = conf_rules_build(svc->conf, &errs)) == NULL) {
		for (i = 0; i < errs.n; i++)
			log_warnx("%s", errs.msg[i]);
		log_warnx("service %s: rules not changed%s", svc->name,
		    errs.n == 0 ? ": out of memory" : "");
		conf_errors_free(&errs);
		return;
	}
	ruleset_free(svc->conf->rules);
	svc->conf->rules = rs;
	log_info("service %s: rules read again, %zu patterns", svc->name,
	    ruleset_count(rs));
}

void
watch_read(struct server *srv)
{
	char			 buf[8192]
				    __attribute__((aligned(__alignof__(struct
				    inotify_event))));
	const struct inotify_event *ev;
	struct svc		*dirty[WATCH_DIRTY];
	size_t			 ndirty = 0, i, j;
	ssize_t			 n;
	char			*p;

	for (;;) {
		if ((n = read(srv->inotify, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (n <= 0)
			break;
		for (p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)p;
			if (ev->len == 0 ||
			    !(ev->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)))
				continue;
			for (i = 0; i < srv->nwatches; i++) {
				if (srv->watches[i].wd != ev->wd ||
				    strcmp(srv->watches[i].name, ev->name) != 0)
					continue;
				for (j = 0; j < ndirty; j++)
					if (dirty[j] == srv->watches[i].svc)
						break;
				if (j == ndirty && ndirty < WATCH_DIRTY)
					dirty[ndirty++] = srv->watches[i].svc;
			}
		}
	}
	for (i = 0; i < ndirty; i++)
		watch_rebuild(dirty[i]);
}
