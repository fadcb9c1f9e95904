#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <forkd/handler.h>

#include "activate.h"
#include "addr.h"
#include "builtin.h"
#include "child.h"
#include "childtab.h"
#include "cidr.h"
#include "conf.h"
#include "exec.h"
#include "listener.h"
#include "log.h"
#include "module.h"
#include "notify.h"
#include "rate.h"
#include "report.h"
#include "server.h"
#include "srctab.h"

/* Connections taken from one listener per wakeup, for fairness. */
#define ACCEPT_BATCH		64
/* Pause after running out of descriptors or processes. */
#define BACKOFF_MS		100
/* From SIGTERM to SIGKILL for a child over its timeout. */
#define TIMEOUT_GRACE_MS	1000
/* Children are reaped at least this often, without waking on SIGCHLD. */
#define REAP_MS			200

/* Why a connection is refused before any fork. */
enum refusal {
	REFUSE_NONE,
	REFUSE_ACL,
	REFUSE_SOURCE,
	REFUSE_PROXY,
};

static void	svc_warnx(const struct conf_service *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
static int	svc_prepare(struct server *, struct svc *);
static int	svc_spawnable(const struct conf_settings *);
static struct svc *svc_new(struct conf_service *, size_t);
static enum refusal svc_check(const struct svc *, const struct sockaddr *);
static enum refusal svc_check_client(const struct svc *,
		    const struct sockaddr *);
static void	svc_refused(struct svc *, const struct sockaddr *,
		    const struct sockaddr *, enum refusal);
static void	svc_refuse(struct svc *, int, const struct sockaddr *,
		    enum refusal);
static int	server_ctl_open(int [2]);
static void	server_starve(struct server *, struct svc *,
		    struct listener *, const char *, uint64_t);
static int	svc_backlogged(const struct svc *);
static void	server_reports(struct server *);
static void	server_report(struct server *, struct child *, int);
static void	svc_pause(struct server *, struct svc *, uint64_t);
static void	svc_retire(struct svc *);
static int	svc_adopt(struct server *, struct svc *);
static int	svc_adopt_named(struct svc *);
static int	svc_adopt_kept(struct server *, struct svc *);
static void	server_reload(struct server *);
static struct svc *svcs_find(struct svcs *, const char *);
static void	svc_release(struct svc *);
static int	svc_can_accept(const struct server *, const struct svc *,
		    uint64_t);
static void	svc_arm(struct server *, struct svc *, int);
static void	server_arm_all(struct server *, uint64_t);
static void	server_accept(struct server *, struct listener *);
static void	server_spawn(struct server *, struct listener *, int,
		    const struct sockaddr_storage *, uint64_t);
static void	server_resume(struct server *, uint64_t);
static void	server_reaped(struct server *, pid_t, int, uint64_t);
static void	server_reap(struct server *);
static void	server_sigchld(struct server *);
static int	server_full(const struct server *);
static void	server_timeouts(struct server *, uint64_t);
static int	server_signals(struct server *);
static void	server_sigmask(sigset_t *);
static void	server_dump(struct server *);
static void	server_stderr(struct server *);
static void	server_kill_all(struct server *, int);
static int	server_timeout(const struct server *, uint64_t);
static int	server_shutdown(struct server *);

void
server_free(struct server *srv)
{
	struct svc	*svc;
	struct child	*c = NULL;

	while ((svc = TAILQ_FIRST(&srv->svcs)) != NULL) {
		TAILQ_REMOVE(&srv->svcs, svc, entry);
		svc_release(svc);
	}
	while ((svc = TAILQ_FIRST(&srv->retired)) != NULL) {
		TAILQ_REMOVE(&srv->retired, svc, entry);
		svc_release(svc);
	}
	while (srv->children != NULL &&
	    (c = childtab_next(srv->children, c)) != NULL)
		if (c->ctl != -1)
			close(c->ctl);
	childtab_free(srv->children);
	srv->children = NULL;
	if (srv->epfd != -1)
		close(srv->epfd);
	if (srv->sigfd != -1)
		close(srv->sigfd);
	if (srv->ctlfd != -1)
		close(srv->ctlfd);
	if (srv->errfd != -1)
		close(srv->errfd);
	if (srv->errw != -1)
		close(srv->errw);
	if (srv->spare[0] != -1) {
		close(srv->spare[0]);
		close(srv->spare[1]);
	}
	srv->epfd = srv->sigfd = srv->errfd = srv->errw = srv->ctlfd = -1;
	srv->spare[0] = srv->spare[1] = -1;
	conf_free(srv->conf);
	srv->conf = NULL;
}

uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Whether an exec service's children need nothing that only a fork can
 * set up (credentials, chroot, limits, a PROXY protocol header), and so
 * can be spawned without copying the master.
 */
static int
svc_spawnable(const struct conf_settings *s)
{
	int	i;

#ifndef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
	return 0;
#endif
	if (s->user != NULL || s->group != NULL || s->chroot != NULL ||
	    s->proxy != CONF_PROXY_OFF)
		return 0;
	for (i = 0; i < CONF_RLIMIT_MAX; i++)
		if (s->rlimit[i].set)
			return 0;
	return 1;
}

/* A message about a service's handler, as file:line: message. */
static void
svc_warnx(const struct conf_service *cs, const char *fmt, ...)
{
	va_list	ap;
	char	msg[512];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cs->hline > 0)
		log_warnx("%s:%d: %s", cs->hfile, cs->hline, msg);
	else
		log_warnx("%s: %s", cs->hfile, msg);
}

static int
svc_prepare(struct server *srv, struct svc *svc)
{
	struct conf_service	*cs = svc->conf;
	char			 err[256];

	switch (cs->kind) {
	case CONF_HANDLER_BUILTIN:
		svc->handler = builtin_find(cs->argv[0]);
		/* status and metrics read the master's state, as forked. */
		if (report_handler(svc->handler)) {
			svc->state = srv;
			return 0;
		}
		break;
	case CONF_HANDLER_EXEC:
		svc->handler = &exec_handler;
		svc->exec = 1;
		svc->spawn = svc_spawnable(&cs->s);
		if (exec_prepare(cs, &svc->state) == -1) {
			log_warn("service %s", svc->name);
			return -1;
		}
		return 0;
	case CONF_HANDLER_MODULE:
		if (module_open(cs->argv[0], &svc->module, err,
		    sizeof(err)) == -1) {
			svc_warnx(cs, "module %s: %s", cs->argv[0], err);
			return -1;
		}
		svc->handler = svc->module.handler;
		break;
	}
	if (svc->handler == NULL) {
		log_warnx("service %s: no handler \"%s\"", svc->name,
		    cs->argv[0]);
		return -1;
	}
	if (svc->handler->init != NULL &&
	    svc->handler->init(cs->argc, cs->argv, &svc->state) != 0) {
		if (cs->kind == CONF_HANDLER_MODULE)
			svc_warnx(cs, "module %s: init failed", cs->argv[0]);
		else
			log_warnx("service %s: handler %s failed to start",
			    svc->name, svc->handler->name);
		/* No fini for what did not start. */
		svc->handler = NULL;
		svc->state = NULL;
		module_close(&svc->module);
		return -1;
	}
	return 0;
}

/*
 * A service as its configuration says; sources is how many clients its
 * per-source table must hold at most (every child of the service may
 * come from a different address).
 */
static struct svc *
svc_new(struct conf_service *cs, size_t sources)
{
	struct svc	*svc;

	if ((svc = calloc(1, sizeof(*svc))) == NULL ||
	    (svc->name = strdup(cs->name)) == NULL) {
		log_warn("service %s", cs->name);
		free(svc);
		return NULL;
	}
	svc->conf = cs;
	svc->module.fd = -1;
	svc->max_children = cs->s.max_children;
	svc->max_per_source = cs->s.max_per_source;
	if (svc->max_per_source != 0 &&
	    (svc->sources = srctab_new(sources, arc4random() |
	    (uint64_t)arc4random() << 32)) == NULL) {
		log_warn("service %s", cs->name);
		free(svc->name);
		free(svc);
		return NULL;
	}
	if (cs->s.rate != 0) {
		rate_init(&svc->rate, cs->s.rate, cs->s.rate_ms,
		    cs->s.rate_burst);
		svc->rated = 1;
	}
	return svc;
}

/*
 * Close the listeners and let the handler go.  What is left is the
 * bookkeeping of the children still running, which the caller frees
 * with svc_release once they are gone.
 */
static void
svc_retire(struct svc *svc)
{
	size_t	i;

	for (i = 0; i < svc->nlisteners; i++) {
		if (svc->listeners[i].fd != -1)
			close(svc->listeners[i].fd);
		svc->listeners[i].fd = -1;
		svc->listeners[i].armed = 0;
	}
	if (svc->handler == &exec_handler)
		exec_release(svc->state);
	else if (svc->handler != NULL && svc->handler->fini != NULL &&
	    !report_handler(svc->handler))
		svc->handler->fini(svc->state);
	module_close(&svc->module);
	svc->handler = NULL;
	svc->state = NULL;
	svc->conf = NULL;
}

static void
svc_release(struct svc *svc)
{
	if (svc->conf != NULL)
		svc_retire(svc);
	srctab_free(svc->sources);
	free(svc->listeners);
	free(svc->name);
	free(svc);
}

/* The signals the master takes through its signal descriptor. */
static void
server_sigmask(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGCHLD);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGUSR1);
}

int
server_init(struct server *srv, struct conf *conf, const char *conf_path)
{
	struct conf_service	*cs;
	struct svc		*svc;
	struct epoll_event	 ev;
	struct sigaction	 sa;
	sigset_t		 mask;
	int			 sig;

	memset(srv, 0, sizeof(*srv));
	srv->conf = conf;
	srv->conf_path = conf_path;
	srv->epfd = srv->sigfd = srv->errfd = srv->errw = srv->ctlfd = -1;
	srv->spare[0] = srv->spare[1] = -1;
	srv->started = now_ms();
	TAILQ_INIT(&srv->svcs);
	TAILQ_INIT(&srv->retired);

	/*
	 * Signals arrive through a descriptor and are handled in the loop.
	 * SIGPIPE is blocked, not ignored, so that a write to a client that
	 * has gone away fails with EPIPE.  Children inherit the actions, so
	 * none stays ignored, whatever forkd was started with (SIGPIPE under
	 * systemd, SIGINT and SIGQUIT in the background of a shell):
	 * unblocking every signal is then all a child needs to do.
	 */
	for (sig = 1; sig < NSIG; sig++)
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			(void)signal(sig, SIG_DFL);
	/*
	 * No child gains privileges through exec, spawned or forked: the
	 * master itself never execs, so it can carry the flag for them.
	 */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("PR_SET_NO_NEW_PRIVS");
		return EX_OSERR;
	}
	child_init();
	server_sigmask(&mask);
	ev.events = EPOLLIN;
	ev.data.ptr = &srv->ctlfd;
	if (sigaddset(&mask, SIGPIPE) == -1 ||
	    sigprocmask(SIG_BLOCK, &mask, NULL) == -1 ||
	    sigdelset(&mask, SIGPIPE) == -1 ||
	    (srv->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (srv->ctlfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->ctlfd, &ev) == -1) {
		log_warn("cannot set up the event loop");
		return EX_OSERR;
	}
	if ((srv->children = childtab_new(conf->max_children)) == NULL) {
		log_warn("child table");
		return EX_OSERR;
	}

	TAILQ_FOREACH(cs, &conf->services, entry) {
		if ((svc = svc_new(cs, conf->max_children)) == NULL)
			return EX_OSERR;
		TAILQ_INSERT_TAIL(&srv->svcs, svc, entry);
		if (svc_prepare(srv, svc) == -1)
			return EX_CONFIG;
		if (svc_adopt(srv, svc) == -1)
			return EX_OSERR;
		if (svc_adopt_named(svc) == -1)
			return EX_OSERR;
	}
	if (activate_leftover() > 0)
		return EX_CONFIG;
	server_arm_all(srv, now_ms());
	return 0;
}

/*
 * Bind a service's listeners.  On reload, an address the running
 * configuration already listens on is only noted (l->from) and taken over
 * when the reload commits; addresses are unique within a configuration,
 * so at start nothing matches.
 */
static int
svc_adopt(struct server *srv, struct svc *svc)
{
	struct conf_service	*cs = svc->conf;
	struct listener		*l, *ol;
	struct svc		*old;
	size_t			 i, j;

	svc->listeners = calloc(cs->nlisten, sizeof(*svc->listeners));
	if (svc->listeners == NULL) {
		log_warn("service %s", svc->name);
		return -1;
	}
	for (i = 0; i < cs->nlisten; i++) {
		l = &svc->listeners[svc->nlisteners++];
		l->svc = svc;
		l->fd = -1;
		l->addr = cs->listen[i].addr;
		strlcpy(l->text, cs->listen[i].text, sizeof(l->text));
		TAILQ_FOREACH(old, &srv->svcs, entry)
			for (j = 0; j < old->nlisteners; j++) {
				ol = &old->listeners[j];
				if (ol->fd != -1 &&
				    ol->addr.wildcard == l->addr.wildcard &&
				    addr_equal((struct sockaddr *)&ol->addr.ss,
				    (struct sockaddr *)&l->addr.ss))
					l->from = ol;
			}
		if (l->from != NULL)
			continue;
		if ((l->fd = activate_take(&l->addr)) != -1) {
			log_info("service %s: listening on %s, from the "
			    "service manager", svc->name, l->text);
			continue;
		}
		l->fd = listener_open(&l->addr, cs->s.backlog, cs->s.reuseport);
		if (l->fd == -1) {
			log_warn("service %s: cannot listen on %s", svc->name,
			    l->text);
			return -1;
		}
		/*
		 * forkd bound it to one address: that is every connection's
		 * own, which saves each child a getsockname(2).  A socket
		 * passed by the service manager may take connections to
		 * other addresses (IP_TRANSPARENT): children ask it.
		 */
		l->local = !l->addr.wildcard &&
		    !addr_unspecified((struct sockaddr *)&l->addr.ss);
		log_info("service %s: listening on %s", svc->name, l->text);
	}
	return 0;
}

/*
 * Sockets the service manager passed under a service's name serve that
 * service, whatever their address.
 */
static int
svc_adopt_named(struct svc *svc)
{
	struct listener	*l;
	socklen_t	 len;
	int		 fd;

	while ((fd = activate_take_named(svc->name)) != -1) {
		l = reallocarray(svc->listeners, svc->nlisteners + 1,
		    sizeof(*l));
		if (l == NULL) {
			log_warn("service %s", svc->name);
			close(fd);
			return -1;
		}
		svc->listeners = l;
		l = &svc->listeners[svc->nlisteners++];
		memset(l, 0, sizeof(*l));
		l->fd = fd;
		l->svc = svc;
		l->named = 1;
		len = sizeof(l->addr.ss);
		getsockname(fd, (struct sockaddr *)&l->addr.ss, &len);
		l->addr.len = len;
		l->addr.wildcard = activate_wildcard(fd, &l->addr.ss);
		addr_str((struct sockaddr *)&l->addr.ss, l->addr.wildcard,
		    l->text);
		log_info("service %s: listening on %s, from the service "
		    "manager", svc->name, l->text);
	}
	return 0;
}

/*
 * On reload: the sockets passed under a service's name stay with the
 * service of that name, taken over at commit as unchanged addresses are.
 */
static int
svc_adopt_kept(struct server *srv, struct svc *svc)
{
	struct svc	*old;
	struct listener	*ol, *l;
	size_t		 i, j;
	int		 taken;

	if ((old = svcs_find(&srv->svcs, svc->name)) == NULL)
		return 0;
	for (i = 0; i < old->nlisteners; i++) {
		ol = &old->listeners[i];
		if (!ol->named || ol->fd == -1)
			continue;
		for (taken = 0, j = 0; j < svc->nlisteners; j++)
			taken |= svc->listeners[j].from == ol;
		if (taken)
			continue;
		l = reallocarray(svc->listeners, svc->nlisteners + 1,
		    sizeof(*l));
		if (l == NULL) {
			log_warn("service %s", svc->name);
			return -1;
		}
		svc->listeners = l;
		l = &svc->listeners[svc->nlisteners++];
		*l = *ol;
		l->svc = svc;
		l->fd = -1;
		l->armed = 0;
		l->from = ol;
	}
	return 0;
}

static struct svc *
svcs_find(struct svcs *list, const char *name)
{
	struct svc	*svc;

	TAILQ_FOREACH(svc, list, entry)
		if (strcmp(svc->name, name) == 0)
			return svc;
	return NULL;
}

/*
 * SIGHUP: read the file anew and swap only when all of it is sound, every
 * handler started and every new address bound.  A listener whose address
 * is unchanged moves to the new configuration as it is, the same
 * descriptor, so no client knocking during the reload is refused.
 * Children keep running; those of a service that stays count against its
 * new limits.
 */
static void
server_reload(struct server *srv)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;
	struct conf_service	*cs;
	struct svcs		 fresh;
	struct svc		*svc, *old;
	struct listener		*l;
	struct child		*c = NULL;
	size_t			 i, oldcap = srv->conf->max_children;

	if (srv->conf_path == NULL) {
		log_warnx("reload: no configuration file in one-shot mode");
		return;
	}
	notify_reloading();
	if ((conf = conf_parse_file(srv->conf_path, &errs)) == NULL) {
		for (i = 0; i < errs.n; i++)
			log_warnx("%s", errs.msg[i]);
		conf_errors_free(&errs);
		log_warnx("reload failed, configuration unchanged");
		notify_send("READY=1");
		return;
	}
	TAILQ_INIT(&fresh);
	if (childtab_resize(srv->children, conf->max_children) == -1) {
		log_warn("reload: child table");
		goto fail;
	}
	TAILQ_FOREACH(cs, &conf->services, entry) {
		/* Room for the children it may adopt, too. */
		if ((svc = svc_new(cs, conf->max_children +
		    childtab_count(srv->children))) == NULL)
			goto fail;
		TAILQ_INSERT_TAIL(&fresh, svc, entry);
		if (svc_prepare(srv, svc) == -1 || svc_adopt(srv, svc) == -1 ||
		    svc_adopt_kept(srv, svc) == -1)
			goto fail;
	}

	/* Commit: nothing below can fail. */
	TAILQ_FOREACH(svc, &fresh, entry)
		for (i = 0; i < svc->nlisteners; i++) {
			l = &svc->listeners[i];
			if (l->from == NULL)
				continue;
			if (l->from->armed)
				epoll_ctl(srv->epfd, EPOLL_CTL_DEL, l->from->fd,
				    NULL);
			l->fd = l->from->fd;
			l->local = l->from->local;
			l->from->fd = -1;
			l->from->armed = 0;
			l->from = NULL;
			/* listen(2) again sets the new backlog. */
			listen(l->fd, svc->conf->s.backlog);
		}
	while ((c = childtab_next(srv->children, c)) != NULL) {
		old = c->svc;
		if (old->conf == NULL ||
		    (svc = svcs_find(&fresh, old->name)) == NULL)
			continue;
		c->svc = svc;
		old->nchildren--;
		if (c->counted)
			srctab_del(old->sources, (struct sockaddr *)&c->client);
		svc->nchildren++;
		/* Those still to report their client are counted then. */
		c->counted = svc->sources != NULL && c->ctl == -1 &&
		    srctab_add(svc->sources,
		    (struct sockaddr *)&c->client) != 0;
	}
	while ((old = TAILQ_FIRST(&srv->svcs)) != NULL) {
		TAILQ_REMOVE(&srv->svcs, old, entry);
		for (i = 0; i < old->nlisteners; i++)
			if (old->listeners[i].fd != -1)
				log_info("service %s: no longer listening on "
				    "%s", old->name, old->listeners[i].text);
		svc_arm(srv, old, 0);
		if ((svc = svcs_find(&fresh, old->name)) != NULL) {
			svc->n = old->n;
			/* A reload does not refill the bucket. */
			if (svc->rated && old->rated)
				svc->rate.tat = old->rate.tat;
		}
		svc_retire(old);
		if (old->nchildren == 0)
			svc_release(old);
		else
			TAILQ_INSERT_TAIL(&srv->retired, old, entry);
	}
	TAILQ_CONCAT(&srv->svcs, &fresh, entry);
	srv->nfull = 0;
	TAILQ_FOREACH(svc, &srv->svcs, entry)
		if (svc->max_children != 0 &&
		    svc->nchildren >= svc->max_children)
			srv->nfull++;
	conf_free(srv->conf);
	srv->conf = conf;
	server_arm_all(srv, now_ms());
	log_info("reloaded %s, %zu services", srv->conf_path,
	    conf->nservices);
	notify_send("READY=1");
	return;

fail:
	while ((svc = TAILQ_FIRST(&fresh)) != NULL) {
		TAILQ_REMOVE(&fresh, svc, entry);
		svc_release(svc);
	}
	if (childtab_resize(srv->children, oldcap) == -1)
		log_warn("reload: child table");
	conf_free(conf);
	log_warnx("reload failed, configuration unchanged");
	notify_send("READY=1");
}

static int
svc_can_accept(const struct server *srv, const struct svc *svc, uint64_t now)
{
	unsigned int	max = svc->max_children;

	if (srv->stopping || srv->resume_at != 0 || svc->paused_until > now)
		return 0;
	if (childtab_count(srv->children) >= srv->conf->max_children ||
	    childtab_count(srv->children) >= childtab_cap(srv->children))
		return 0;
	return max == 0 || svc->nchildren < max;
}

/*
 * A service at its limit is taken out of the epoll set, so that further
 * clients wait in the kernel's backlog instead of being refused, and put
 * back as soon as a child exits.
 */
static void
svc_arm(struct server *srv, struct svc *svc, int on)
{
	struct epoll_event	 ev;
	struct listener		*l;
	size_t			 i;

	for (i = 0; i < svc->nlisteners; i++) {
		l = &svc->listeners[i];
		if (l->armed == on || l->fd == -1)
			continue;
		ev.events = EPOLLIN;
		ev.data.ptr = l;
		if (epoll_ctl(srv->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
		    l->fd, &ev) == -1)
			log_warn("service %s: epoll_ctl %s", svc->name,
			    l->text);
		else
			l->armed = on;
	}
}

static void
server_arm_all(struct server *srv, uint64_t now)
{
	struct svc	*svc;

	TAILQ_FOREACH(svc, &srv->svcs, entry)
		svc_arm(srv, svc, svc_can_accept(srv, svc, now));
}

static void
server_accept(struct server *srv, struct listener *l)
{
	struct sockaddr_storage	 ss;
	struct svc		*svc = l->svc;
	socklen_t		 len;
	uint64_t		 now = now_ms(), wait;
	char			 peer[ADDR_STRLEN];
	enum refusal		 why;
	int			 fd, i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		if (!svc_can_accept(srv, svc, now)) {
			if (childtab_count(srv->children) >=
			    srv->conf->max_children)
				server_arm_all(srv, now);
			else
				svc_arm(srv, svc, 0);
			return;
		}
		/* No token: the clients wait in the backlog until one is due. */
		if (svc->rated && (wait = rate_wait(&svc->rate, now)) > 0) {
			svc->rate_paused = 1;
			svc_pause(srv, svc, now + wait);
			return;
		}
		/*
		 * A proxied connection needs a report pair, made before the
		 * accept: out of descriptors, the client stays in the backlog.
		 */
		if (svc->conf->s.proxy != CONF_PROXY_OFF &&
		    srv->spare[0] == -1 && server_ctl_open(srv->spare) == -1) {
			server_starve(srv, svc, l, "socketpair", now);
			return;
		}
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len,
		    SOCK_CLOEXEC);
		if (fd == -1) {
			switch (errno) {
			case EAGAIN:
				svc->rate_paused = 0;
				return;
			case EINTR:
			case ECONNABORTED:
			/* Network errors accept(2) passes on from the client. */
			case EPROTO:
			case ENETDOWN:
			case ENOPROTOOPT:
			case EHOSTDOWN:
			case ENONET:
			case EHOSTUNREACH:
			case EOPNOTSUPP:
			case ENETUNREACH:
				continue;
			case EMFILE:
			case ENFILE:
			case ENOBUFS:
			case ENOMEM:
				server_starve(srv, svc, l, "accept", now);
				return;
			default:
				/* Not a passing condition: no busy loop. */
				if (svc->accept_failed++ == 0)
					log_warn("service %s: accept on %s, "
					    "pausing", svc->name, l->text);
				svc_pause(srv, svc, now + BACKOFF_MS);
				return;
			}
		}
		svc->accept_failed = 0;
		if (srv->starved != 0) {
			log_info("service %s: accepting again, after %u "
			    "pauses out of descriptors", svc->name,
			    srv->starved);
			srv->starved = 0;
		}
		if (svc->rated) {
			rate_take(&svc->rate, now);
			if (svc->rate_paused) {
				/* A client waited in the backlog for this. */
				svc->rate_paused = 0;
				svc->n.rate_delayed++;
				if (log_verbose())
					log_debug("service %s: %s waited for "
					    "the rate limit", svc->name,
					    addr_str((struct sockaddr *)&ss, 0,
					    peer));
			}
		}
		why = svc_check(svc, (struct sockaddr *)&ss);
		if (why == REFUSE_SOURCE) {
			/* Children that ended, not yet reaped, free slots. */
			server_reap(srv);
			why = svc_check(svc, (struct sockaddr *)&ss);
		}
		if (why != REFUSE_NONE) {
			svc_refuse(svc, fd, (struct sockaddr *)&ss, why);
			continue;
		}
		server_spawn(srv, l, fd, &ss, now);
	}
}

/*
 * Out of descriptors or memory: stop accepting everywhere for a moment,
 * the clients waiting in the backlog.  Logged once until it is over.
 */
static void
server_starve(struct server *srv, struct svc *svc, struct listener *l,
    const char *what, uint64_t now)
{
	if (srv->starved++ == 0)
		log_warn("service %s: %s on %s, pausing", svc->name, what,
		    l->text);
	svc->n.emfile++;
	srv->resume_at = now + BACKOFF_MS;
	server_arm_all(srv, now);
}

/*
 * allow/deny, then max-per-source: decided here, before any fork.  With
 * proxy-protocol the peer is a balancer: only proxy-from applies to it,
 * and the rest to the original client once the child has its header.
 */
static enum refusal
svc_check(const struct svc *svc, const struct sockaddr *sa)
{
	const struct conf_settings	*s = &svc->conf->s;
	size_t				 i;

	if (s->proxy == CONF_PROXY_OFF)
		return svc_check_client(svc, sa);
	if (s->nproxy_from == 0)
		return REFUSE_NONE;
	for (i = 0; i < s->nproxy_from; i++)
		if (cidr_match(&s->proxy_from[i], sa))
			return REFUSE_NONE;
	return REFUSE_PROXY;
}

static enum refusal
svc_check_client(const struct svc *svc, const struct sockaddr *sa)
{
	const struct conf_settings	*s = &svc->conf->s;

	if (!cidr_rules_allow(s->acl, s->nacl, sa))
		return REFUSE_ACL;
	if (svc->sources != NULL &&
	    srctab_count(svc->sources, sa) >= svc->max_per_source)
		return REFUSE_SOURCE;
	return REFUSE_NONE;
}

/* Count and log a refusal; via is the balancer in front of sa, or NULL. */
static void
svc_refused(struct svc *svc, const struct sockaddr *sa,
    const struct sockaddr *via, enum refusal why)
{
	static const char *const reason[] = {
		[REFUSE_ACL] = "denied by allow/deny",
		[REFUSE_SOURCE] = "over max-per-source",
		[REFUSE_PROXY] = "not a proxy-from peer",
	};
	char	peer[ADDR_STRLEN], proxy[ADDR_STRLEN];

	switch (why) {
	case REFUSE_ACL:
		svc->n.refused_acl++;
		break;
	case REFUSE_SOURCE:
		svc->n.refused_source++;
		break;
	default:
		svc->n.refused_proxy++;
		break;
	}
	if (!log_verbose())
		return;
	if (via != NULL)
		log_debug("service %s: refused %s via %s: %s", svc->name,
		    addr_str(sa, 0, peer), addr_str(via, 0, proxy),
		    reason[why]);
	else
		log_debug("service %s: refused %s: %s", svc->name,
		    addr_str(sa, 0, peer), reason[why]);
}

/*
 * Send the refuse-message, if any, and close.  The socket is new, so its
 * send buffer is empty and a message of any sensible size goes out at
 * once; MSG_DONTWAIT makes sure the master never waits on a client.
 * What the client sent is read away first, so that close(2) sends a FIN
 * after the message rather than a reset that could discard it.
 */
static void
svc_refuse(struct svc *svc, int fd, const struct sockaddr *sa,
    enum refusal why)
{
	const char	*msg = svc->conf->s.refuse_message;
	char		 buf[512];
	int		 i;

	svc_refused(svc, sa, NULL, why);
	if (why != REFUSE_PROXY && msg != NULL && *msg != '\0')
		(void)send(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)shutdown(fd, SHUT_WR);
	for (i = 0; i < 4; i++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			break;
	close(fd);
}

/* Stop accepting on one service until the given time. */
static void
svc_pause(struct server *srv, struct svc *svc, uint64_t until)
{
	svc->paused_until = until;
	if (srv->svc_resume_at == 0 || until < srv->svc_resume_at)
		srv->svc_resume_at = until;
	svc_arm(srv, svc, 0);
}

static void
server_spawn(struct server *srv, struct listener *l, int fd,
    const struct sockaddr_storage *ss, uint64_t now)
{
	struct svc		*svc = l->svc;
	const struct sockaddr_storage *local = l->local ? &l->addr.ss : NULL;
	struct epoll_event	 ev;
	struct child		*c;
	char			 peer[ADDR_STRLEN];
	int			 ctl[2], error;
	pid_t			 pid;


	ctl[0] = ctl[1] = -1;
	if (svc->conf->s.proxy != CONF_PROXY_OFF) {
		/* server_accept made it. */
		ctl[0] = srv->spare[0];
		ctl[1] = srv->spare[1];
		srv->spare[0] = srv->spare[1] = -1;
	}
	/* Counted first, so that a status child sees its own connection. */
	svc->n.accepted++;
	if (svc->spawn) {
		if ((error = exec_spawn(svc->state, svc->name, fd,
		    (const struct sockaddr *)ss, (const struct sockaddr *)local,
		    srv->errw, &pid)) != 0 &&
		    error != EAGAIN && error != ENOMEM) {
			errno = error;
			log_warn("service %s: exec %s", svc->name,
			    svc->conf->argv[0]);
			close(fd);
			svc->n.exec_failed++;
			return;
		}
		if (error != 0)
			pid = -1;
		else
			goto spawned;
	} else
		pid = fork();
	switch (pid) {
	case -1:
		/* Back off this service only; the others go on. */
		log_warn("service %s: fork, closing the connection from %s",
		    svc->name, addr_str((const struct sockaddr *)ss, 0, peer));
		close(fd);
		if (ctl[0] != -1) {
			close(ctl[0]);
			close(ctl[1]);
		}
		svc->n.accepted--;
		svc->n.fork_failed++;
		svc_pause(srv, svc, now + BACKOFF_MS);
		return;
	case 0:
		child_run(svc, fd, ss, local, ctl[1], srv->errw);
	}
spawned:
	close(fd);
	if (ctl[1] != -1)
		close(ctl[1]);
	if ((c = childtab_add(srv->children, pid)) == NULL) {
		/* Cannot happen: svc_can_accept() checked for room. */
		log_warnx("service %s: child %ld not tracked, killed",
		    svc->name, (long)pid);
		if (ctl[0] != -1)
			close(ctl[0]);
		kill(pid, SIGKILL);
		return;
	}
	if (++svc->nchildren == svc->max_children)
		srv->nfull++;
	c->svc = svc;
	memcpy(&c->peer, ss, addr_len((const struct sockaddr *)ss));
	c->client = c->peer;
	c->start = now;
	c->ctl = ctl[0];
	if (c->ctl != -1) {
		/* The child reports the original client; counted then. */
		ev.events = EPOLLIN;
		ev.data.u64 = (uint64_t)pid;
		if (epoll_ctl(srv->ctlfd, EPOLL_CTL_ADD, c->ctl, &ev) == -1) {
			log_warn("service %s: epoll_ctl", svc->name);
			close(c->ctl);
			c->ctl = -1;
		}
	} else if (svc->sources != NULL) {
		if (srctab_add(svc->sources, (const struct sockaddr *)ss) != 0)
			c->counted = 1;
		else
			log_warnx("service %s: per-source table full",
			    svc->name);
	}
	if (svc->conf->s.timeout != 0) {
		c->deadline = now + svc->conf->s.timeout;
		if (srv->next_deadline == 0 || c->deadline < srv->next_deadline)
			srv->next_deadline = c->deadline;
	}
	if (log_verbose())
		log_debug("service %s: accepted %s, pid %ld", svc->name,
		    addr_str((const struct sockaddr *)ss, 0, peer), (long)pid);
}

/*
 * A socket pair for a child's PROXY protocol report: [0] for the master,
 * non-blocking, [1] for the child.
 */
static int
server_ctl_open(int ctl[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl) == -1)
		return -1;
	if (fcntl(ctl[0], F_SETFL, O_NONBLOCK) == -1) {
		close(ctl[0]);
		close(ctl[1]);
		return -1;
	}
	return 0;
}

/* Children's reports that have come in. */
static void
server_reports(struct server *srv)
{
	struct epoll_event	 evs[64];
	struct child		*c;
	int			 i, n;

	n = epoll_wait(srv->ctlfd, evs, 64, 0);
	for (i = 0; i < n; i++) {
		if ((c = childtab_find(srv->children, (pid_t)evs[i].data.u64))
		    == NULL || c->ctl == -1)
			continue;
		server_report(srv, c, 1);
	}
}

/*
 * The header a child read: allow/deny and max-per-source apply to the
 * original client, who is counted from now on.  One report per child;
 * anything else ends the exchange.
 */
static void
server_report(struct server *srv, struct child *c, int live)
{
	struct ctl_report	 r;
	struct svc		*svc = c->svc;
	enum refusal		 why = REFUSE_NONE;
	ssize_t			 n;
	char			 verdict = CTL_ALLOW;
	char			 peer[ADDR_STRLEN], via[ADDR_STRLEN];

	n = recv(c->ctl, &r, sizeof(r), MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n != (ssize_t)sizeof(r) || !r.ok) {
		/* No valid header; the child said why in the log. */
		if (n == (ssize_t)sizeof(r))
			svc->n.refused_proxy++;
		goto done;
	}
	if (!r.local &&
	    (r.src.ss_family == AF_INET || r.src.ss_family == AF_INET6))
		memcpy(&c->client, &r.src,
		    addr_len((struct sockaddr *)&r.src));
	/* A retired service's children finish under the old rules. */
	if (svc->conf != NULL) {
		why = svc_check_client(svc, (struct sockaddr *)&c->client);
		if (why == REFUSE_SOURCE && live) {
			/* Children that ended, not yet reaped, free slots. */
			server_reap(srv);
			why = svc_check_client(svc,
			    (struct sockaddr *)&c->client);
		}
	}
	if (why != REFUSE_NONE) {
		verdict = CTL_REFUSE;
		svc_refused(svc, (struct sockaddr *)&c->client,
		    (struct sockaddr *)&c->peer, why);
	} else {
		if (svc->sources != NULL && srctab_add(svc->sources,
		    (struct sockaddr *)&c->client) != 0)
			c->counted = 1;
		if (log_verbose())
			log_debug("service %s: pid %ld: client %s via %s",
			    svc->name, (long)c->pid, addr_str((struct sockaddr *)
			    &c->client, 0, peer), addr_str((struct sockaddr *)
			    &c->peer, 0, via));
	}
	(void)send(c->ctl, &verdict, 1, MSG_DONTWAIT | MSG_NOSIGNAL);
done:
	/* The child's copy may still be open: unregister, then close. */
	epoll_ctl(srv->ctlfd, EPOLL_CTL_DEL, c->ctl, NULL);
	close(c->ctl);
	c->ctl = -1;
}

/* Account for one child that has ended. */
static void
server_reaped(struct server *srv, pid_t pid, int status, uint64_t now)
{
	struct child	*c;
	struct svc	*svc;
	char		 peer[ADDR_STRLEN];
	int		 was_full;

	if ((c = childtab_find(srv->children, pid)) == NULL)
		return;
	svc = c->svc;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		svc->n.exit_ok++;
	else
		svc->n.exit_error++;
	if (svc->exec && WIFEXITED(status) &&
	    WEXITSTATUS(status) == EXEC_FAILED)
		svc->n.exec_failed++;
	/* A report sent just before the child ended still counts. */
	if (c->ctl != -1)
		server_report(srv, c, 0);
	if (c->counted)
		srctab_del(svc->sources, (struct sockaddr *)&c->client);
	if (c->ctl != -1) {
		epoll_ctl(srv->ctlfd, EPOLL_CTL_DEL, c->ctl, NULL);
		close(c->ctl);
	}
	if (log_verbose()) {
		addr_str((struct sockaddr *)&c->client, 0, peer);
		if (WIFSIGNALED(status))
			log_debug("service %s: pid %ld (%s) killed by signal "
			    "%d after %" PRIu64 " ms", svc->name, (long)pid,
			    peer, WTERMSIG(status), now - c->start);
		else
			log_debug("service %s: pid %ld (%s) exited %d after %"
			    PRIu64 " ms", svc->name, (long)pid, peer,
			    WEXITSTATUS(status), now - c->start);
	}
	was_full = svc->max_children != 0 &&
	    svc->nchildren >= svc->max_children;
	svc->nchildren--;
	if (svc->conf != NULL && was_full &&
	    svc->nchildren < svc->max_children)
		srv->nfull--;
	childtab_del(srv->children, c);
	if (svc->conf == NULL) {
		if (svc->nchildren == 0) {
			TAILQ_REMOVE(&srv->retired, svc, entry);
			svc_release(svc);
		}
	} else if (was_full)
		svc_arm(srv, svc, svc_can_accept(srv, svc, now));
}

static void
server_reap(struct server *srv)
{
	pid_t		 pid;
	int		 status, was_full;
	uint64_t	 now = now_ms();

	was_full = childtab_count(srv->children) >= srv->conf->max_children;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		server_reaped(srv, pid, status, now);
	if (was_full && childtab_count(srv->children) < srv->conf->max_children)
		server_arm_all(srv, now);
}

/*
 * Children over their service's timeout get SIGTERM, and SIGKILL a second
 * later.  The table is walked only when the earliest deadline has passed.
 */
static void
server_timeouts(struct server *srv, uint64_t now)
{
	struct child	*c = NULL;
	struct svc	*svc;
	uint64_t	 next = 0;

	if (srv->next_deadline == 0 || now < srv->next_deadline)
		return;
	while ((c = childtab_next(srv->children, c)) != NULL) {
		if (c->deadline == 0)
			continue;
		if (c->deadline <= now) {
			svc = c->svc;
			if (!c->killed) {
				log_warnx("service %s: pid %ld over its "
				    "timeout, terminating", svc->name,
				    (long)c->pid);
				svc->n.timeout_killed++;
				if (kill(-c->pid, SIGTERM) == -1)
					kill(c->pid, SIGTERM);
				c->killed = 1;
				c->deadline = now + TIMEOUT_GRACE_MS;
			} else {
				if (kill(-c->pid, SIGKILL) == -1)
					kill(c->pid, SIGKILL);
				c->deadline = 0;
				continue;
			}
		}
		if (next == 0 || c->deadline < next)
			next = c->deadline;
	}
	srv->next_deadline = next;
}

static void
server_kill_all(struct server *srv, int sig)
{
	struct child	*c = NULL;

	while ((c = childtab_next(srv->children, c)) != NULL)
		if (kill(-c->pid, sig) == -1)
			kill(c->pid, sig);
}

/* Log per service its listeners and counters, then every child. */
static void
server_dump(struct server *srv)
{
	struct svc	*svc;
	struct child	*c = NULL;
	char		 peer[ADDR_STRLEN], via[ADDR_STRLEN];
	uint64_t	 now = now_ms();
	size_t		 i;

	log_info("state: %zu children of at most %u, up %" PRIu64 " s",
	    childtab_count(srv->children), srv->conf->max_children,
	    (now - srv->started) / 1000);
	TAILQ_FOREACH(svc, &srv->svcs, entry) {
		for (i = 0; i < svc->nlisteners; i++)
			log_info("service %s: listening on %s%s", svc->name,
			    svc->listeners[i].text,
			    svc->listeners[i].armed ? "" : " (paused)");
		log_info("service %s: accepted %" PRIu64 ", live %u, "
		    "exited ok %" PRIu64 ", failed %" PRIu64 ", exec failed %"
		    PRIu64 ", killed by timeout %" PRIu64, svc->name,
		    svc->n.accepted, svc->nchildren, svc->n.exit_ok,
		    svc->n.exit_error, svc->n.exec_failed,
		    svc->n.timeout_killed);
		log_info("service %s: refused by allow/deny %" PRIu64
		    ", over max-per-source %" PRIu64 ", by PROXY protocol %"
		    PRIu64 ", fork failed %" PRIu64
		    "; waited for the rate %" PRIu64 ", out of descriptors %"
		    PRIu64,
		    svc->name, svc->n.refused_acl, svc->n.refused_source,
		    svc->n.refused_proxy, svc->n.fork_failed,
		    svc->n.rate_delayed, svc->n.emfile);
	}
	while ((c = childtab_next(srv->children, c)) != NULL) {
		svc = c->svc;
		log_info("child %ld: service %s, client %s%s%s, age %" PRIu64
		    " ms", (long)c->pid, svc->name,
		    addr_str((struct sockaddr *)&c->client, 0, peer),
		    c->ctl == -1 && svc->conf != NULL &&
		    svc->conf->s.proxy != CONF_PROXY_OFF ? " via " : "",
		    c->ctl == -1 && svc->conf != NULL &&
		    svc->conf->s.proxy != CONF_PROXY_OFF ? addr_str(
		    (struct sockaddr *)&c->peer, 0, via) : "",
		    now - c->start);
	}
}

/* Returns 1 when asked to stop. */
static int
server_signals(struct server *srv)
{
	struct signalfd_siginfo	si;
	ssize_t			n;
	int			stop = 0;

	while ((n = read(srv->sigfd, &si, sizeof(si))) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			/* Reaped below, with the others that have ended. */
			break;
		case SIGTERM:
		case SIGINT:
			stop = 1;
			break;
		case SIGHUP:
			/* Stopping: the listeners are closed for good. */
			if (!srv->stopping)
				server_reload(srv);
			break;
		case SIGUSR1:
			server_dump(srv);
			break;
		}
	}
	return stop;
}

/* Whether a client waits in the backlog of one of the listeners. */
static int
svc_backlogged(const struct svc *svc)
{
	struct pollfd	pfd;
	size_t		i;

	for (i = 0; i < svc->nlisteners; i++) {
		if ((pfd.fd = svc->listeners[i].fd) == -1)
			continue;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, 0) == 1)
			return 1;
	}
	return 0;
}

/* Whether a limit on children holds a listener back. */
static int
server_full(const struct server *srv)
{
	return srv->nfull > 0 ||
	    childtab_count(srv->children) >= srv->conf->max_children;
}

/*
 * A child's exit wakes the master only when a service waits for a free
 * slot: otherwise the loop reaps as it goes round and at least every
 * REAP_MS, which saves a wakeup per connection under load.
 */
static void
server_sigchld(struct server *srv)
{
	sigset_t	mask;
	int		want = srv->stopping || server_full(srv);

	if (want == srv->chld_wake)
		return;
	server_sigmask(&mask);
	if (!want)
		sigdelset(&mask, SIGCHLD);
	if (signalfd(srv->sigfd, &mask, 0) == -1) {
		log_warn("signalfd");
		return;
	}
	srv->chld_wake = want;
}

/* Services whose fork back-off is over accept again. */
static void
server_resume(struct server *srv, uint64_t now)
{
	struct svc	*svc;

	srv->svc_resume_at = 0;
	TAILQ_FOREACH(svc, &srv->svcs, entry) {
		if (svc->paused_until == 0)
			continue;
		if (svc->paused_until <= now) {
			svc->paused_until = 0;
			/* Only a client already waiting waited for the rate. */
			if (svc->rate_paused && !svc_backlogged(svc))
				svc->rate_paused = 0;
			svc_arm(srv, svc, svc_can_accept(srv, svc, now));
		} else if (srv->svc_resume_at == 0 ||
		    svc->paused_until < srv->svc_resume_at)
			srv->svc_resume_at = svc->paused_until;
	}
}

/* The epoll timeout: until the next timer is due, or -1 for none. */
static int
server_timeout(const struct server *srv, uint64_t now)
{
	uint64_t	next = 0;

	if (srv->resume_at != 0)
		next = srv->resume_at;
	if (srv->next_deadline != 0 &&
	    (next == 0 || srv->next_deadline < next))
		next = srv->next_deadline;
	if (srv->svc_resume_at != 0 &&
	    (next == 0 || srv->svc_resume_at < next))
		next = srv->svc_resume_at;
	if (!srv->chld_wake && childtab_count(srv->children) > 0 &&
	    (next == 0 || now + REAP_MS < next))
		next = now + REAP_MS;
	if (next == 0)
		return -1;
	if (next <= now)
		return 0;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

int
server_capture_stderr(struct server *srv)
{
	struct epoll_event	ev;
	int			fds[2];

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1) {
		log_warn("pipe");
		return -1;
	}
	/*
	 * The write end becomes each child's descriptor 2, blocking as a
	 * stderr would; the master's own stays /dev/null, so that it never
	 * waits on a pipe only it reads.
	 */
	if (fcntl(fds[1], F_SETFL, 0) == -1) {
		log_warn("fcntl");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	srv->errw = fds[1];
	srv->errfd = fds[0];
	ev.events = EPOLLIN;
	ev.data.ptr = &srv->errfd;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->errfd, &ev) == -1) {
		log_warn("epoll_ctl");
		return -1;
	}
	return 0;
}

/* Log what children wrote to their standard error, a line at a time. */
static void
server_stderr(struct server *srv)
{
	char	*nl;
	ssize_t	 n;
	size_t	 len;
	int	 i;

	/* A bounded share of the loop: chatty children cannot starve it. */
	for (i = 0; i < 16 && (n = read(srv->errfd, srv->errbuf + srv->errlen,
	    sizeof(srv->errbuf) - srv->errlen)) > 0; i++) {
		srv->errlen += (size_t)n;
		while ((nl = memchr(srv->errbuf, '\n', srv->errlen)) != NULL ||
		    srv->errlen == sizeof(srv->errbuf)) {
			len = nl != NULL ? (size_t)(nl - srv->errbuf) :
			    srv->errlen;
			log_warnx("handler: %.*s", (int)len, srv->errbuf);
			if (nl != NULL)
				len++;
			srv->errlen -= len;
			memmove(srv->errbuf, srv->errbuf + len, srv->errlen);
		}
	}
}

int
server_run(struct server *srv)
{
	struct epoll_event	 evs[64];
	uint64_t		 now;
	int			 i, n, sig;
	sigset_t		 mask;

	/*
	 * The signal descriptor is made here, after detaching: epoll reports
	 * a signalfd ready for the process that registered it, not for a
	 * child that inherited both.
	 */
	server_sigmask(&mask);
	evs[0].events = EPOLLIN;
	evs[0].data.ptr = NULL;
	if ((srv->sigfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) ==
	    -1 || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->sigfd, evs) == -1) {
		log_warn("signalfd");
		return EX_OSERR;
	}
	srv->chld_wake = 1;
	/* Children that ended before now. */
	server_reap(srv);
	server_sigchld(srv);

	for (;;) {
		n = epoll_wait(srv->epfd, evs, 64,
		    server_timeout(srv, now_ms()));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_warn("epoll_wait");
			return EX_OSERR;
		}
		/*
		 * Signals last: a reload frees the listeners that other
		 * events of this batch point to.
		 */
		sig = 0;
		for (i = 0; i < n; i++) {
			if (evs[i].data.ptr == &srv->errfd)
				server_stderr(srv);
			else if (evs[i].data.ptr == &srv->ctlfd)
				server_reports(srv);
			else if (evs[i].data.ptr != NULL)
				server_accept(srv, evs[i].data.ptr);
			else
				sig = 1;
		}
		if (sig && server_signals(srv))
			return server_shutdown(srv);
		server_reap(srv);
		server_sigchld(srv);
		now = now_ms();
		server_timeouts(srv, now);
		if (srv->resume_at != 0 && srv->resume_at <= now) {
			srv->resume_at = 0;
			server_arm_all(srv, now);
		}
		if (srv->svc_resume_at != 0 && srv->svc_resume_at <= now)
			server_resume(srv, now);
	}
}

/*
 * Close the listeners, ask every child to stop, give them shutdown-timeout
 * to do so, then kill what remains.
 */
static int
server_shutdown(struct server *srv)
{
	struct epoll_event	 ev;
	uint64_t		 deadline, now;
	int			 n;
	struct svc		*svc;
	size_t			 i;
	pid_t			 pid;
	int			 status;

	srv->stopping = 1;
	server_sigchld(srv);
	notify_send("STOPPING=1");
	log_info("stopping, %zu children", childtab_count(srv->children));
	TAILQ_FOREACH(svc, &srv->svcs, entry) {
		svc_arm(srv, svc, 0);
		for (i = 0; i < svc->nlisteners; i++) {
			if (svc->listeners[i].fd != -1)
				close(svc->listeners[i].fd);
			svc->listeners[i].fd = -1;
			svc->listeners[i].armed = 0;
		}
	}
	server_kill_all(srv, SIGTERM);
	deadline = now_ms() + srv->conf->shutdown_timeout;
	while (childtab_count(srv->children) > 0 &&
	    (now = now_ms()) < deadline) {
		n = epoll_wait(srv->epfd, &ev, 1, deadline - now > INT_MAX ?
		    INT_MAX : (int)(deadline - now));
		if (n == -1 && errno != EINTR)
			break;
		if (n > 0 && ev.data.ptr == &srv->errfd)
			server_stderr(srv);
		else if (n > 0 && ev.data.ptr == &srv->ctlfd)
			server_reports(srv);
		else if (n > 0)
			server_signals(srv);
		server_reap(srv);
	}
	if (childtab_count(srv->children) > 0) {
		log_warnx("killing %zu children still running",
		    childtab_count(srv->children));
		server_kill_all(srv, SIGKILL);
		while (childtab_count(srv->children) > 0 &&
		    (pid = waitpid(-1, &status, 0)) > 0)
			server_reaped(srv, pid, status, now_ms());
	}
	server_free(srv);
	return 0;
}
