/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "child.h"
#include "children.h"
#include "childtab.h"
#include "clock.h"
#include "conf.h"
#include "exec.h"
#include "handoff.h"
#include "launch.h"
#include "pages.h"
#include "sandbox.h"
#include "log.h"
#include "spawner.h"
#include "srctab.h"
#include "stats.h"
#include "stderr.h"
#include "svc.h"
#include "tls.h"
#include "ticket.h"

/* Descriptors the master holds whatever its children. */
#define CHILDREN_FDS_BASE	64
/* How soon after a SIGCHLD the children are swept for merged ones. */
#define SWEEP_SOON_MS		20
/* Pause after fork(2) fails. */
#define BACKOFF_MS		100
/* From SIGTERM to SIGKILL for a child over its timeout. */
#define TIMEOUT_GRACE_MS	1000

static void	children_exited(struct server *, pid_t, int *, uint64_t);
static void	children_collect(struct server *, int);
static int	children_deadline_live(void *, const struct deadline *);
static void	children_deadline(struct server *, struct child *, uint64_t);
static void	children_verdict(struct server *, struct child *, int);
static void	children_ended(struct server *, pid_t, int, uint64_t);
static void	ticket_toobig(const struct svc *, const struct rule *);

void
children_start(struct server *srv, struct listener *l, int fd,
    const struct sockaddr_storage *ss, uint64_t now, const struct rule *rule)
{
	struct svc		*svc = l->svc, *run = svc, job;
	struct conf_service	 jobconf;
	struct sockaddr_storage	 jobaddr;
	const struct sockaddr_storage *local = l->own_addr ? &l->addr.ss :
				    NULL;
	struct epoll_event	 ev;
	struct child		*c;
	char			 peer[ADDR_STRLEN], ticket[TICKET_MAX];
	ssize_t			 tlen = 0;
	int			 report[2], error, cfd, crep, cerr, slot = -1;
	pid_t			 pid;

	report[0] = report[1] = -1;
	if (svc_reports(svc)) {
		/* svc_accept made it. */
		report[0] = srv->spare[0];
		report[1] = srv->spare[1];
		srv->spare[0] = srv->spare[1] = -1;
	} else if ((tlen = ticket_pack(rule, svc->conf->s.banner, NULL,
	    srctab_count(svc->sources, (const struct sockaddr *)ss) + 1,
	    ticket, sizeof(ticket))) == -1) {
		ticket_toobig(svc, rule);
		close(fd);
		return;
	}
	/* What the child is to use: slots of its own after a handoff. */
	cfd = fd;
	crep = report[1];
	cerr = srv->errw;
	/* Counted first, so that a status child sees its own connection. */
	svc->n[COUNT_ACCEPTED]++;
	/* ENOSYS: a sandboxed program no launch could start is forked. */
	if (svc->spawn && report[0] == -1 && (error = exec_spawn(svc->state,
	    svc->name, fd, (const struct sockaddr *)ss,
	    (const struct sockaddr *)local, srv->errw, ticket, (size_t)tlen,
	    svc->sb, &pid, &slot)) != ENOSYS) {
		if (error == 0)
			goto started;
		if (error != EAGAIN && error != ENOMEM) {
			errno = error;
			log_warn("service %s: exec %s", svc->name,
			    svc->conf->argv[0]);
			close(fd);
			svc->n[COUNT_EXEC_FAILED]++;
			return;
		}
		pid = -1;
	} else if (svc->handler == &status_handler ||
	    svc->handler == &metrics_handler) {
		/* They report on the whole master. */
		pages_share(1);
		if ((pid = child_fork()) != 0)
			pages_share(0);
	} else {
		/*
		 * Every other child sees its own service only, copied to
		 * the stack it takes: the master's records of its services
		 * are no part of a child's memory (pages.h).
		 */
		job = *svc;
		jobconf = *svc->conf;
		job.conf = &jobconf;
		job.listeners = NULL;
		job.sources = NULL;
		run = &job;
		if (local != NULL) {
			jobaddr = *local;
			local = &jobaddr;
		}
		/*
		 * A sandbox's namespaces and a TLS service's key channel
		 * are descriptors of the master's.
		 */
		if (srv->nlisteners < HANDOFF_LISTENERS ||
		    sandbox_fds(svc->sb) || svc->tls != NULL ||
		    (pid = handoff_fork(&srv->handoff, &cfd, &crep,
		    &cerr)) == -1)
			pid = child_fork();
		else if (pid == -2)
			pid = -1;
	}
	switch (pid) {
	case -1:
		/* Back off this service only; the others go on. */
		log_warn("service %s: fork, closing the connection from %s",
		    svc->name, addr_str((const struct sockaddr *)ss, 0, peer));
		close(fd);
		if (report[0] != -1) {
			close(report[0]);
			close(report[1]);
		}
		svc->n[COUNT_ACCEPTED]--;
		svc->n[COUNT_FORK_FAILED]++;
		svc_pause(srv, svc, now + BACKOFF_MS);
		return;
	case 0:
		child_run(run, cfd, ss, local, crep, cerr, ticket,
		    (size_t)tlen);
	}
started:
	close(fd);
	if (report[1] != -1)
		close(report[1]);
	if ((c = childtab_add(srv->children, pid)) == NULL) {
		/* Cannot happen: svc_accept checked for room. */
		log_warnx("service %s: child %ld not tracked, killed",
		    svc->name, (long)pid);
		if (report[0] != -1)
			close(report[0]);
		kill(pid, SIGKILL);
		return;
	}
	svc->nchildren++;
	c->svc = svc;
	c->filtered = svc->filtered;
	c->launched = slot + 1;
	memcpy(&c->peer, ss, addr_len((const struct sockaddr *)ss));
	c->client = c->peer;
	c->start = now;
	c->report = report[0];
	if (c->report != -1) {
		svc->nwaiting++;
		/* The child reports the original client; counted then. */
		ev.events = EPOLLIN;
		ev.data.u64 = (uint64_t)pid;
		if (epoll_ctl(srv->report_ep, EPOLL_CTL_ADD, c->report, &ev) ==
		    -1) {
			log_warn("service %s: epoll_ctl", svc->name);
			close(c->report);
			c->report = -1;
			svc->nwaiting--;
		}
	} else if (svc->sources != NULL && (ss->ss_family != AF_UNIX ||
	    addr_cred((const struct sockaddr *)ss, NULL, NULL) == 0)) {
		/* A unix-domain client counts by uid, if the kernel said. */
		if (srctab_add(svc->sources, (const struct sockaddr *)ss) != 0)
			c->counted = 1;
		else
			log_warnx("service %s: per-source table full",
			    svc->name);
	}
	if (svc->conf->s.timeout != 0)
		children_deadline(srv, c, now + svc->conf->s.timeout);
	if (log_verbose())
		log_debug("service %s: accepted %s, pid %ld", svc->name,
		    addr_str((const struct sockaddr *)ss, 0, peer), (long)pid);
}

void
children_budget(const struct conf *conf)
{
	const struct conf_service	*cs;
	struct rlimit			 rl;
	rlim_t				 need;

	need = CHILDREN_FDS_BASE + HANDOFF_FDS + (rlim_t)conf->max_children;
	TAILQ_FOREACH(cs, &conf->services, entry)
		need += cs->nlisten;
	if (child_raise_nofile(need) == -1 &&
	    getrlimit(RLIMIT_NOFILE, &rl) == 0)
		log_warnx("max-children %u needs up to %llu descriptors, "
		    "the limit is %llu: beyond it, clients wait",
		    conf->max_children,
		    (unsigned long long)need,
		    (unsigned long long)rl.rlim_cur);
}

int
children_report_pair(int report[2])
{
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, report) ==
	    -1)
		return -1;
	if (fcntl(report[0], F_SETFL, O_NONBLOCK) == -1) {
		close(report[0]);
		close(report[1]);
		return -1;
	}
	return 0;
}

void
children_reports(struct server *srv)
{
	struct epoll_event	 evs[64];
	struct child		*c;
	int			 i, n;

	n = epoll_wait(srv->report_ep, evs, 64, 0);
	for (i = 0; i < n; i++) {
		if ((c = childtab_find(srv->children, (pid_t)evs[i].data.u64))
		    == NULL || c->report == -1)
			continue;
		children_verdict(srv, c, 1);
	}
}

/*
 * Stop listening to a child's report, and close the master's end: the
 * child no longer waits for a header, and its service may have room for
 * another.
 */
static void
children_report_close(struct server *srv, struct child *c)
{
	struct svc	*svc = c->svc;

	/* The child's copy may still be open: unregister, then close. */
	epoll_ctl(srv->report_ep, EPOLL_CTL_DEL, c->report, NULL);
	close(c->report);
	c->report = -1;
	svc->nwaiting--;
	svc_update(srv, svc, clock_ms());
}

/*
 * The header a child read: allow/deny and max-per-source apply to the
 * original client, who is counted from now on.  One report per child;
 * anything else ends the exchange.  may_reap: the child is alive, and
 * children that ended may be reaped to make room for its client.
 */
static void
children_verdict(struct server *srv, struct child *c, int may_reap)
{
	struct ctl_report	 r;
	struct svc		*svc = c->svc;
	const struct rule	*rule = NULL;
	const char		*name;
	enum refusal		 why = REFUSE_NONE;
	ssize_t			 n, tlen;
	pid_t			 pid = c->pid;
	unsigned int		 connnum = 0;
	char			 verdict[1 + TICKET_MAX];
	char			 peer[ADDR_STRLEN], via[ADDR_STRLEN];

	n = recv(c->report, &r, sizeof(r), MSG_DONTWAIT);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n != (ssize_t)sizeof(r) || !r.ok) {
		/*
		 * No valid header; the child said why in the log.  Counted
		 * once: under its reason, no longer as accepted.
		 */
		if (n == (ssize_t)sizeof(r)) {
			svc->n[COUNT_ACCEPTED]--;
			svc->n[COUNT_REFUSED_PROXY]++;
		}
		children_report_close(srv, c);
		return;
	}
	if (!r.local &&
	    (r.src.ss_family == AF_INET || r.src.ss_family == AF_INET6))
		memcpy(&c->client, &r.src,
		    addr_len((struct sockaddr *)&r.src));
	r.name[sizeof(r.name) - 1] = '\0';
	name = r.name[0] != '\0' ? r.name : NULL;
	/* A retired service's children finish under the old rules. */
	if (svc->conf != NULL) {
		why = svc_check_client(svc, (struct sockaddr *)&c->client,
		    name, &rule);
		if (why == REFUSE_SOURCE && may_reap) {
			/*
			 * Children that ended, not yet reaped, free slots.
			 * This one may be among them: its slot is then gone,
			 * and its report closed with it.
			 */
			children_reap(srv);
			if ((c = childtab_find(srv->children, pid)) == NULL)
				return;
			why = svc_check_client(svc,
			    (struct sockaddr *)&c->client, name, &rule);
		}
	}
	verdict[0] = CTL_ALLOW;
	if (why != REFUSE_NONE) {
		verdict[0] = CTL_REFUSE;
		svc->n[COUNT_ACCEPTED]--;
		svc_count_refusal(svc, (struct sockaddr *)&c->client,
		    (struct sockaddr *)&c->peer, why);
	} else {
		if (svc->sources != NULL && (connnum = srctab_add(svc->sources,
		    (struct sockaddr *)&c->client)) != 0)
			c->counted = 1;
		if (log_verbose())
			log_debug("service %s: pid %ld: client %s via %s",
			    svc->name, (long)c->pid, addr_str((struct sockaddr *)
			    &c->client, 0, peer), addr_str((struct sockaddr *)
			    &c->peer, 0, via));
	}
	/*
	 * The verdict, and what the child needs of it: the rule's, the
	 * banner, the message to refuse with.  A retired service's settings
	 * are gone: the child has its own copy of the banner and message.
	 */
	tlen = 0;
	if (svc->conf != NULL && (tlen = ticket_pack(rule,
	    svc->conf->s.banner, svc->conf->s.refuse_message, connnum,
	    verdict + 1, sizeof(verdict) - 1)) == -1) {
		ticket_toobig(svc, rule);
		verdict[0] = CTL_REFUSE;
		tlen = 0;
	}
	(void)send(c->report, verdict, 1 + (size_t)tlen,
	    MSG_DONTWAIT | MSG_NOSIGNAL);
	children_report_close(srv, c);
}

/* Account for one child that has ended. */
static void
children_ended(struct server *srv, pid_t pid, int status, uint64_t now)
{
	struct child	*c;
	struct svc	*svc;
	const char	*path;
	char		 peer[ADDR_STRLEN];
	uint64_t	 n;
	int		 error;

	if ((c = childtab_find(srv->children, pid)) == NULL) {
		(void)spawner_ended(pid, status);
		return;
	}
	if (srv->handoff.busy > 0)
		handoff_exited(&srv->handoff, pid);
	svc = c->svc;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		svc->n[COUNT_EXIT_OK]++;
	else
		svc->n[COUNT_EXIT_ERROR]++;
	if (svc->exec && WIFEXITED(status) &&
	    WEXITSTATUS(status) == EXEC_FAILED)
		svc->n[COUNT_EXEC_FAILED]++;
	/* Counted as accepted at the fork: they were not served. */
	if (svc->tls != NULL && (n = tls_failures(svc->tls)) > 0) {
		svc->n[COUNT_REFUSED_TLS] += n;
		svc->n[COUNT_ACCEPTED] -= n;
	}
	/* A launched child cannot log: its execve's error is told here. */
	if (c->launched && (error = launch_reaped(c->launched - 1, pid,
	    &path)) != 0)
		log_warnx("service %s: exec %s: %s", svc->name, path,
		    strerror(error));
	/*
	 * Its filter's doing: a built-in or a module said which call on
	 * its standard error, logged under the service's name.
	 */
	if (WIFSIGNALED(status) && c->filtered && (WTERMSIG(status) == SIGSYS ||
	    (c->filtered == 2 && WTERMSIG(status) == SIGKILL && !c->killed))) {
		svc->n[COUNT_SECCOMP_KILLED]++;
		log_warnx("service %s: pid %ld (%s) killed by its "
		    "syscall-filter", svc->name, (long)pid,
		    addr_str((struct sockaddr *)&c->client, 0, peer));
	}
	/* A report sent just before the child ended still counts. */
	if (c->report != -1)
		children_verdict(srv, c, 0);
	if (c->report != -1)
		children_report_close(srv, c);
	if (c->counted)
		srctab_del(svc->sources, (struct sockaddr *)&c->client);
	/* Its last words, without a newline, under its name. */
	if (srv->errlen > 0 && srv->errpid == pid)
		stderr_flush(srv);
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
	svc->nchildren--;
	if (c->deadline != 0)
		srv->ntimed--;
	childtab_del(srv->children, c);
	if (svc->conf == NULL) {
		if (svc->nchildren == 0) {
			TAILQ_REMOVE(&srv->retired, svc, entry);
			svc_release(srv, svc);
		}
	} else
		svc_update(srv, svc, now);
}

/* Reap pid, told of by its exit signal; *drained: stderr read already. */
static void
children_exited(struct server *srv, pid_t pid, int *drained, uint64_t now)
{
	int	status;

	/* Untracked ones too: a spawner, or a program it started unasked. */
	if (waitpid(pid, &status, WNOHANG | __WALL) != pid)
		return;
	/*
	 * What they wrote before they ended is logged under their name,
	 * while they are still in the table.
	 */
	if (!(*drained)++)
		stderr_read(srv);
	children_ended(srv, pid, status, now);
}

/*
 * Reap the children whose exit signals have come and, with sweep, every
 * other that has ended.
 */
static void
children_collect(struct server *srv, int sweep)
{
	static const struct timespec	 now_only = { 0, 0 };
	siginfo_t			 si;
	sigset_t			 set;
	pid_t				 pid;
	int				 status, was_full, drained = 0;
	int				 sig;
	uint64_t			 now = clock_ms();

	/*
	 * Taken with sigtimedwait(2), not read from exitfd, which only
	 * wakes the loop: signalfd(2) gives a real-time signal the layout
	 * of a poll event, and leaves out the child's pid.
	 */
	sigemptyset(&set);
	sigaddset(&set, child_exit_signal());
	sigaddset(&set, SIGCHLD);
	was_full = childtab_count(srv->children) >= srv->conf->max_children;
	while ((sig = sigtimedwait(&set, &si, &now_only)) > 0) {
		children_exited(srv, si.si_pid, &drained, now);
		/*
		 * A SIGCHLD that came while another was pending is lost:
		 * a sweep finds those children, soon but not at every
		 * exit, as it walks every child.
		 */
		if (sig == SIGCHLD && srv->sweep_soon == 0)
			srv->sweep_soon = now + SWEEP_SOON_MS;
	}
	while (sweep && (pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
		if (!drained++)
			stderr_read(srv);
		children_ended(srv, pid, status, now);
	}
	if (was_full && childtab_count(srv->children) < srv->conf->max_children)
		server_update(srv);
}

void
children_reap(struct server *srv)
{
	children_collect(srv, 0);
}

void
children_sweep(struct server *srv)
{
	srv->sweep_soon = 0;
	children_collect(srv, 1);
}

int
children_wait(struct server *srv)
{
	pid_t	pid;
	int	status;

	if ((pid = waitpid(-1, &status, __WALL)) == -1)
		return -1;
	stderr_read(srv);
	children_ended(srv, pid, status, clock_ms());
	return 0;
}

/* Whether a deadline in the heap is still its child's. */
static int
children_deadline_live(void *arg, const struct deadline *e)
{
	const struct server	*srv = arg;
	const struct child	*c;

	return (c = childtab_find(srv->children, (pid_t)e->key)) != NULL &&
	    c->deadline == e->when;
}

/*
 * Give a child a deadline.  The heap keeps the stale entries of children
 * gone or given another deadline until they come up, or until they
 * outnumber the live ones: then they are swept out, which costs O(n)
 * once every n deadlines.
 */
static void
children_deadline(struct server *srv, struct child *c, uint64_t when)
{
	if (c->deadline == 0)
		srv->ntimed++;
	c->deadline = when;
	if (srv->deadlines.n >= 2 * (size_t)srv->ntimed + 64)
		deadlines_filter(&srv->deadlines, children_deadline_live, srv);
	if (deadlines_push(&srv->deadlines, when, (uintptr_t)c->pid) == -1) {
		/* Out of memory: the timeout cannot be kept. */
		log_warn("service %s: pid %ld: timeout",
		    ((struct svc *)c->svc)->name, (long)c->pid);
		c->deadline = 0;
		srv->ntimed--;
	}
}

/*
 * Children over their service's timeout get SIGTERM, and SIGKILL a second
 * later, in the order of their deadlines.
 */
void
children_timeouts(struct server *srv, uint64_t now)
{
	const struct deadline	*e;
	struct child		*c;
	struct svc		*svc;
	uint64_t		 when;
	pid_t			 pid;

	while ((e = deadlines_peek(&srv->deadlines)) != NULL &&
	    e->when <= now) {
		when = e->when;
		pid = (pid_t)e->key;
		deadlines_pop(&srv->deadlines);
		if ((c = childtab_find(srv->children, pid)) == NULL ||
		    c->deadline != when)
			continue;
		svc = c->svc;
		if (!c->killed) {
			log_warnx("service %s: pid %ld over its timeout, "
			    "terminating", svc->name, (long)c->pid);
			svc->n[COUNT_TIMEOUT_KILLED]++;
			if (kill(-c->pid, SIGTERM) == -1)
				kill(c->pid, SIGTERM);
			c->killed = 1;
			children_deadline(srv, c, now + TIMEOUT_GRACE_MS);
		} else {
			if (kill(-c->pid, SIGKILL) == -1)
				kill(c->pid, SIGKILL);
			c->deadline = 0;
			srv->ntimed--;
		}
	}
}

uint64_t
children_next_deadline(const struct server *srv)
{
	const struct deadline	*e = deadlines_peek(&srv->deadlines);

	return e != NULL ? e->when : 0;
}

void
children_kill(struct server *srv, int sig)
{
	struct child	*c = NULL;

	while ((c = childtab_next(srv->children, c)) != NULL)
		if (kill(-c->pid, sig) == -1)
			kill(c->pid, sig);
}

/* A rule whose variables do not fit a ticket: forkd.conf(5) says so. */
static void
ticket_toobig(const struct svc *svc, const struct rule *rule)
{
	log_warnx("service %s: client rule at %s:%d has more than "
	    "%d variables or %d bytes, closing the connection",
	    svc->name, rule->file, rule->line, TICKET_ENV_MAX, TICKET_MAX);
}
