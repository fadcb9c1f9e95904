/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "activate.h"
#include "child.h"
#include "children.h"
#include "childtab.h"
#include "clock.h"
#include "conf.h"
#include "dump.h"
#include "listener.h"
#include "log.h"
#include "notify.h"
#include "reload.h"
#include "server.h"
#include "stats.h"
#include "stderr.h"
#include "svc.h"
#include "watch.h"

/* How often the master looks for ended children it was not told of. */
#define SWEEP_MS	10000

static void	server_sigmask(sigset_t *);
static void	server_exitmask(sigset_t *);
static int	server_signals(struct server *);
static int	server_dispatch(struct server *, const struct epoll_event *);
static int	server_wait_ms(const struct server *, uint64_t);
static int	server_shutdown(struct server *);

void
server_free(struct server *srv)
{
	struct svc	*svc;
	struct child	*c = NULL;

	while ((svc = TAILQ_FIRST(&srv->svcs)) != NULL) {
		TAILQ_REMOVE(&srv->svcs, svc, entry);
		svc_release(srv, svc);
	}
	while ((svc = TAILQ_FIRST(&srv->retired)) != NULL) {
		TAILQ_REMOVE(&srv->retired, svc, entry);
		svc_release(srv, svc);
	}
	while (srv->children != NULL &&
	    (c = childtab_next(srv->children, c)) != NULL)
		if (c->report != -1)
			close(c->report);
	childtab_free(srv->children);
	srv->children = NULL;
	deadlines_free(&srv->deadlines);
	deadlines_free(&srv->pauses);
	handoff_free(&srv->handoff);
	watch_free(srv);
	if (srv->epfd != -1)
		close(srv->epfd);
	if (srv->sigfd != -1)
		close(srv->sigfd);
	if (srv->report_ep != -1)
		close(srv->report_ep);
	if (srv->exitfd != -1)
		close(srv->exitfd);
	if (srv->listen_ep != -1)
		close(srv->listen_ep);
	if (srv->errfd != -1)
		close(srv->errfd);
	if (srv->errw != -1)
		close(srv->errw);
	if (srv->spare[0] != -1) {
		close(srv->spare[0]);
		close(srv->spare[1]);
	}
	srv->epfd = srv->sigfd = srv->errfd = srv->errw = -1;
	srv->report_ep = srv->exitfd = srv->listen_ep = -1;
	srv->listening = 0;
	srv->spare[0] = srv->spare[1] = -1;
	conf_free(srv->conf);
	srv->conf = NULL;
}

/*
 * The signals the master takes through its signal descriptor; the
 * children's exits come through a descriptor of their own (exitfd), so
 * that they can be read without taking the others.
 */
static void
server_sigmask(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, SIGHUP);
	sigaddset(mask, SIGTERM);
	sigaddset(mask, SIGINT);
	sigaddset(mask, SIGUSR1);
}

/*
 * Those of exitfd: the exit signal of forked children, and SIGCHLD,
 * which the kernel sends instead for a child that has exec'd.
 */
static void
server_exitmask(sigset_t *mask)
{
	sigemptyset(mask);
	sigaddset(mask, child_exit_signal());
	sigaddset(mask, SIGCHLD);
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
	srv->epfd = srv->sigfd = srv->errfd = srv->errw = -1;
	srv->report_ep = srv->exitfd = srv->listen_ep = -1;
	srv->spare[0] = srv->spare[1] = -1;
	srv->inotify = -1;
	srv->started = clock_ms();
	TAILQ_INIT(&srv->svcs);
	TAILQ_INIT(&srv->retired);
	/* First, for the lowest descriptors: below every listener. */
	if (handoff_init(&srv->handoff) == -1)
		log_warn("descriptors for children");

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
	 * master itself never execs, so it can carry the flag for them,
	 * when no service says otherwise.  Then the flag stays: a reload
	 * cannot add a service without it.  Else each child that wants it
	 * sets it for itself, and is forked, not spawned.
	 */
	if (child_nnp_needed(conf) &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("PR_SET_NO_NEW_PRIVS");
		return EX_OSERR;
	}
	child_init();
	server_sigmask(&mask);
	if (sigaddset(&mask, SIGPIPE) == -1 ||
	    sigaddset(&mask, SIGCHLD) == -1 ||
	    sigaddset(&mask, child_exit_signal()) == -1 ||
	    sigprocmask(SIG_BLOCK, &mask, NULL) == -1 ||
	    (srv->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (srv->report_ep = epoll_create1(EPOLL_CLOEXEC)) == -1 ||
	    (srv->listen_ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		log_warn("cannot set up the event loop");
		return EX_OSERR;
	}
	/* Listeners and children's reports: one event for many. */
	ev.events = EPOLLIN;
	ev.data.ptr = &srv->report_ep;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->report_ep, &ev) == -1) {
		log_warn("cannot set up the event loop");
		return EX_OSERR;
	}
	if ((srv->children = childtab_new(conf->max_children)) == NULL ||
	    deadlines_reserve(&srv->deadlines, 2 * (size_t)conf->max_children +
	    64) == -1) {
		log_warn("child table");
		return EX_OSERR;
	}
	/* status and metrics report on this server, in every child. */
	stats_bind(srv);
	children_budget(conf);

	TAILQ_FOREACH(cs, &conf->services, entry) {
		if ((svc = svc_new(cs, conf->max_children)) == NULL)
			return EX_OSERR;
		TAILQ_INSERT_TAIL(&srv->svcs, svc, entry);
		if (svc_prepare(svc) == -1)
			return EX_CONFIG;
		if (reload_listen(srv, svc) == -1 ||
		    reload_listen_named(svc) == -1)
			return EX_OSERR;
	}
	if (activate_leftover() > 0)
		return EX_CONFIG;
	svcs_share(srv);
	svcs_update(srv, clock_ms());
	server_update(srv);
	return 0;
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
		case SIGTERM:
		case SIGINT:
			stop = 1;
			break;
		case SIGHUP:
			/* Stopping: the listeners are closed for good. */
			if (!srv->stopping)
				reload_run(srv);
			break;
		case SIGUSR1:
			dump_log(srv);
			break;
		}
	}
	return stop;
}

/* The epoll timeout: until the next timer is due, or -1 for none. */
static int
server_wait_ms(const struct server *srv, uint64_t now)
{
	uint64_t	next = 0, deadline;

	if (srv->resume_at != 0)
		next = srv->resume_at;
	if ((deadline = children_next_deadline(srv)) != 0 &&
	    (next == 0 || deadline < next))
		next = deadline;
	if ((deadline = svcs_next_resume(srv)) != 0 &&
	    (next == 0 || deadline < next))
		next = deadline;
	if (childtab_count(srv->children) > 0 &&
	    (next == 0 || srv->sweep_at < next))
		next = srv->sweep_at;
	if (srv->sweep_soon != 0 && (next == 0 || srv->sweep_soon < next))
		next = srv->sweep_soon;
	if (next == 0)
		return -1;
	if (next <= now)
		return 0;
	return next - now > INT_MAX ? INT_MAX : (int)(next - now);
}

/*
 * One event of the master's epoll set.  Returns 1 for the signal
 * descriptor, which the caller reads last: a reload frees the listeners
 * that other events of the same batch point to.
 */
static int
server_dispatch(struct server *srv, const struct epoll_event *ev)
{
	if (ev->data.ptr == &srv->errfd)
		stderr_read(srv);
	else if (ev->data.ptr == &srv->report_ep)
		children_reports(srv);
	else if (ev->data.ptr == &srv->exitfd)
		children_reap(srv);
	else if (ev->data.ptr == &srv->listen_ep)
		svcs_accept(srv);
	else if (ev->data.ptr == &srv->handoff)
		handoff_release(&srv->handoff);
	else if (ev->data.ptr == &srv->inotify)
		watch_read(srv);
	else
		return 1;
	return 0;
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
	server_exitmask(&mask);
	evs[0].data.ptr = &srv->exitfd;
	if ((srv->exitfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) ==
	    -1 || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->exitfd, evs) == -1) {
		log_warn("signalfd");
		return EX_OSERR;
	}
	/* Without it, children write to forkd's own standard error. */
	if (stderr_capture(srv) == 0)
		(void)handoff_errw(&srv->handoff, srv->errw);
	if (srv->handoff.efd != -1) {
		evs[0].data.ptr = &srv->handoff;
		if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->handoff.efd,
		    evs) == -1) {
			log_warn("epoll_ctl");
			handoff_free(&srv->handoff);
		}
	}
	watch_reset(srv);
	srv->sweep_at = clock_ms() + SWEEP_MS;

	for (;;) {
		n = epoll_wait(srv->epfd, evs, 64,
		    server_wait_ms(srv, clock_ms()));
		if (n == -1) {
			if (errno == EINTR)
				continue;
			log_warn("epoll_wait");
			return EX_OSERR;
		}
		sig = 0;
		for (i = 0; i < n; i++)
			sig |= server_dispatch(srv, &evs[i]);
		if (sig && server_signals(srv))
			return server_shutdown(srv);
		now = clock_ms();
		children_timeouts(srv, now);
		if (srv->resume_at != 0 && srv->resume_at <= now) {
			srv->resume_at = 0;
			server_update(srv);
		}
		svcs_resume(srv, now);
		/*
		 * A real-time exit signal is lost only when the kernel is
		 * out of memory; SIGCHLDs, which children that executed a
		 * program end with (the kernel resets their exit signal),
		 * merge, and a sweep soon after one finds the others.  A
		 * slow sweep, should a signal be lost, finds the child.
		 */
		if (srv->sweep_soon != 0 && now >= srv->sweep_soon)
			children_sweep(srv);
		if (now >= srv->sweep_at) {
			if (childtab_count(srv->children) > 0)
				children_sweep(srv);
			srv->sweep_at = now + SWEEP_MS;
		}
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
	struct svc		*svc;
	size_t			 i;
	int			 n;

	srv->stopping = 1;
	notify_send("STOPPING=1");
	log_info("stopping, %zu children", childtab_count(srv->children));
	server_update(srv);
	TAILQ_FOREACH(svc, &srv->svcs, entry)
		for (i = 0; i < svc->nlisteners; i++) {
			listener_close(svc->listeners[i].fd,
			    &svc->listeners[i].addr, svc->listeners[i].made);
			svc->listeners[i].fd = -1;
			svc->listeners[i].made = 0;
			svc->listeners[i].armed = 0;
		}
	children_kill(srv, SIGTERM);
	deadline = clock_ms() + srv->conf->shutdown_timeout;
	while (childtab_count(srv->children) > 0 &&
	    (now = clock_ms()) < deadline) {
		n = epoll_wait(srv->epfd, &ev, 1, deadline - now > INT_MAX ?
		    INT_MAX : (int)(deadline - now));
		if (n == -1 && errno != EINTR)
			break;
		/* Stopping already: a second signal changes nothing. */
		if (n > 0 && server_dispatch(srv, &ev))
			(void)server_signals(srv);
		/*
		 * A child that executed a program ends with SIGCHLD, which
		 * the kernel gives it back at its execve, whatever exit
		 * signal it was made with: many end at once here, and their
		 * SIGCHLDs merge.  Every one is looked for.
		 */
		children_sweep(srv);
	}
	if (childtab_count(srv->children) > 0) {
		log_warnx("killing %zu children still running",
		    childtab_count(srv->children));
		children_kill(srv, SIGKILL);
		while (childtab_count(srv->children) > 0 &&
		    children_wait(srv) == 0)
			;
	}
	stderr_read(srv);
	stderr_flush(srv);
	server_free(srv);
	return 0;
}
