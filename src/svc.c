/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <forkd/handler.h>

#include "addr.h"
#include "builtin.h"
#include "child.h"
#include "children.h"
#include "childtab.h"
#include "cidr.h"
#include "clock.h"
#include "conf.h"
#include "exec.h"
#include "listener.h"
#include "log.h"
#include "module.h"
#include "pages.h"
#include "rate.h"
#include "sandbox.h"
#include "srctab.h"
#include "svc.h"
#include "tls.h"

/* Connections taken from one listener per wakeup, for fairness. */
#define ACCEPT_BATCH	64
/* Pause after running out of descriptors or processes. */
#define BACKOFF_MS	100

static int	svc_spawnable(const struct conf_settings *);
static int	svc_room(const struct server *, const struct svc *);
static int	svc_ready(const struct server *, const struct svc *,
		    uint64_t);
static int	server_ready(const struct server *);
static void	svc_accept(struct server *, struct listener *);
static int	svc_pause_live(void *, const struct deadline *);
static int	svc_pause_other(void *, const struct deadline *);
static void	svc_arm(struct server *, struct svc *, int);
static int	svc_backlogged(const struct svc *);
static void	svc_peercred(int, struct sockaddr_storage *);
static void	svc_starve(struct server *, struct svc *, struct listener *,
		    const char *, uint64_t);
static enum refusal svc_check(const struct svc *, const struct sockaddr *,
		    const struct rule **);
static void	svc_refuse(struct svc *, int, const struct sockaddr *,
		    enum refusal, const struct rule *);

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
	/* The flag is the master's to pass on, or the child's to set. */
	if (s->nnp && !child_nnp_master())
		return 0;
	if (s->user != NULL || s->group != NULL || s->chroot != NULL ||
	    s->proxy != CONF_PROXY_OFF || s->resolve != CONF_RESOLVE_NO ||
	    (s->set & (CONF_SET_NICE | CONF_SET_UMASK | CONF_SET_GROUPS)))
		return 0;
	for (i = 0; i < CONF_RLIMIT_MAX; i++)
		if (s->rlimit[i].set)
			return 0;
	return 1;
}

enum sandbox_kind
svc_sandbox_kind(const struct conf_service *cs)
{
	const struct forkd_handler	*h;

	switch (cs->kind) {
	case CONF_HANDLER_BUILTIN:
		/*
		 * Strict mode kills with SIGKILL, as a CPU limit does: with
		 * one, the filter's kills could not be told from its.
		 */
		h = builtin_find(cs->argv[0]);
		return h != NULL && builtin_strict(h) &&
		    !cs->s.rlimit[CONF_RLIMIT_CPU].set ? SANDBOX_STRICT :
		    SANDBOX_BUILTIN;
	case CONF_HANDLER_MODULE:
		return SANDBOX_MODULE;
	default:
		return SANDBOX_EXEC;
	}
}

void
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

int
svc_prepare(struct svc *svc)
{
	struct conf_service	*cs = svc->conf;
	char			 err[PATH_MAX + 512];

	if (cs->s.privnet && cs->s.resolve != CONF_RESOLVE_NO) {
		log_warnx("service %s: private-network and resolve-names: "
		    "the lookups need the network the child no longer has",
		    svc->name);
		return -1;
	}
	/* Made first: the namespaces, if refused, are refused here. */
	if ((svc->sb = sandbox_new(cs, svc_sandbox_kind(cs), err,
	    sizeof(err))) == NULL && *err != '\0') {
		log_warnx("%s", err);
		return -1;
	}
	if ((svc->tls = tls_new(cs, 0, err, sizeof(err))) == NULL &&
	    *err != '\0') {
		log_warnx("%s", err);
		return -1;
	}
	/* A TLS relay has a filter of its own. */
	svc->filtered = sandbox_filtered(svc->sb);
	if (svc->filtered == 0 && svc->tls != NULL && svc->tls->relay != NULL)
		svc->filtered = 1;
	switch (cs->kind) {
	case CONF_HANDLER_BUILTIN:
		svc->handler = builtin_find(cs->argv[0]);
		break;
	case CONF_HANDLER_EXEC:
		svc->handler = &exec_handler;
		svc->exec = 1;
		/*
		 * A sandbox, a launch or a fork (exec_spawn); TLS, a fork,
		 * whose handshake runs before the program.
		 */
		svc->spawn = svc->tls == NULL && svc_spawnable(&cs->s);
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
		if (cs->s.privnet &&
		    (svc->handler->flags & FORKD_HANDLER_NETWORK)) {
			svc_warnx(cs, "module %s makes connections of its own, "
			    "which private-network forbids", cs->argv[0]);
			return -1;
		}
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

struct svc *
svc_new(struct conf_service *cs, size_t sources)
{
	struct svc	*svc;

	if ((svc = pages_alloc(1, sizeof(*svc))) == NULL ||
	    (svc->name = strdup(cs->name)) == NULL) {
		log_warn("service %s", cs->name);
		pages_free(svc, 1, sizeof(*svc));
		return NULL;
	}
	svc->conf = cs;
	svc->module.fd = -1;
	svc->max_children = cs->s.max_children;
	svc->max_per_source = cs->s.max_per_source;
	/* Every client counted: for max-per-source and TCPCONNNUM. */
	if ((svc->sources = srctab_new(sources, arc4random() |
	    (uint64_t)arc4random() << 32)) == NULL) {
		log_warn("service %s", cs->name);
		free(svc->name);
		pages_free(svc, 1, sizeof(*svc));
		return NULL;
	}
	srctab_prefix(svc->sources, cs->s.source_v4, cs->s.source_v6);
	if (cs->s.rate != 0) {
		rate_init(&svc->rate, cs->s.rate, cs->s.rate_ms,
		    cs->s.rate_burst);
		svc->rated = 1;
	}
	return svc;
}

void
svc_retire(struct server *srv, struct svc *svc)
{
	size_t	i;

	/* Out of the epoll set first: a child may share the socket. */
	svc_arm(srv, svc, 0);
	for (i = 0; i < svc->nlisteners; i++) {
		listener_close(svc->listeners[i].fd, &svc->listeners[i].addr,
		    svc->listeners[i].made);
		svc->listeners[i].fd = -1;
		svc->listeners[i].made = 0;
		svc->listeners[i].armed = 0;
	}
	if (svc->handler == &exec_handler)
		exec_release(svc->state);
	else if (svc->handler != NULL && svc->handler->fini != NULL)
		svc->handler->fini(svc->state);
	module_close(&svc->module);
	sandbox_free(svc->sb);
	svc->sb = NULL;
	svc->handler = NULL;
	svc->state = NULL;
	svc->conf = NULL;
}

void
svc_release(struct server *srv, struct svc *svc)
{
	if (svc->conf != NULL)
		svc_retire(srv, svc);
	/* No entry may point to what is freed. */
	deadlines_filter(&srv->pauses, svc_pause_other, svc);
	srctab_free(svc->sources);
	/* Kept until now: the key process serves the children still alive. */
	tls_free(svc->tls);
	pages_free(svc->listeners, svc->nlisteners, sizeof(*svc->listeners));
	free(svc->name);
	pages_free(svc, 1, sizeof(*svc));
}

struct svc *
svcs_find(struct svcs *list, const char *name)
{
	struct svc	*svc;

	TAILQ_FOREACH(svc, list, entry)
		if (strcmp(svc->name, name) == 0)
			return svc;
	return NULL;
}

/*
 * Whether the service has room for one more child; the table's room is
 * the server's to decide (server_ready).  No service takes the last
 * srv->reserve slots of the global max-children, so that one flooded
 * service cannot starve the others; and at most half of what a PROXY
 * protocol service may hold waits for headers, so that clients that
 * connect and say nothing cannot hold all of it.
 */
static int
svc_room(const struct server *srv, const struct svc *svc)
{
	unsigned int	share = srv->conf->max_children - srv->reserve;

	if (svc->max_children != 0 && svc->max_children < share)
		share = svc->max_children;
	if (svc->nchildren >= share)
		return 0;
	return !svc_reports(svc) || svc->nwaiting < (share + 1) / 2;
}

int
svc_reports(const struct svc *svc)
{
	const struct conf_service	*cs = svc->conf;

	return cs->s.proxy != CONF_PROXY_OFF ||
	    (cs->s.resolve != CONF_RESOLVE_NO && cs->rules != NULL &&
	    ruleset_names(cs->rules) > 0);
}

void
svcs_share(struct server *srv)
{
	unsigned int	max = srv->conf->max_children;
	struct svc	*svc;
	int		tls = 0;

	srv->nlisteners = 0;
	TAILQ_FOREACH(svc, &srv->svcs, entry) {
		srv->nlisteners += svc->nlisteners;
		/* A module may call OpenSSL in its children too. */
		tls |= svc->tls != NULL || svc->module.openssl;
	}
	tls_libs(tls);

	/* An eighth, and never every slot. */
	srv->reserve = 0;
	if (srv->conf->nservices > 1 && max > 1)
		srv->reserve = max / 8 > 0 ? max / 8 : 1;
}

/*
 * Whether the service takes a connection now: the whole of the state
 * its listeners' place in listen_ep depends on.
 */
static int
svc_ready(const struct server *srv, const struct svc *svc, uint64_t now)
{
	return svc->conf != NULL && svc->paused_until <= now &&
	    svc_room(srv, svc);
}

/*
 * Whether the server takes a connection now, for any service: the whole
 * of the state listen_ep's place in the master's set depends on.
 */
static int
server_ready(const struct server *srv)
{
	size_t	n = childtab_count(srv->children);

	return !srv->stopping && srv->resume_at == 0 &&
	    n < srv->conf->max_children && n < childtab_cap(srv->children);
}

void
server_update(struct server *srv)
{
	struct epoll_event	ev;
	int			on = server_ready(srv);

	if (on == srv->listening)
		return;
	ev.events = EPOLLIN;
	ev.data.ptr = &srv->listen_ep;
	if (epoll_ctl(srv->epfd, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL,
	    srv->listen_ep, &ev) == -1)
		log_warn("epoll_ctl");
	else
		srv->listening = on;
}

void
svc_update(struct server *srv, struct svc *svc, uint64_t now)
{
	svc_arm(srv, svc, svc_ready(srv, svc, now));
}

void
svcs_update(struct server *srv, uint64_t now)
{
	struct svc	*svc;

	TAILQ_FOREACH(svc, &srv->svcs, entry)
		svc_update(srv, svc, now);
}

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
		if (epoll_ctl(srv->listen_ep, on ? EPOLL_CTL_ADD :
		    EPOLL_CTL_DEL, l->fd, &ev) == -1)
			log_warn("service %s: epoll_ctl %s", svc->name,
			    l->text);
		else
			l->armed = on;
	}
}

/* Whether a pause in the heap is still its service's. */
static int
svc_pause_live(void *arg, const struct deadline *e)
{
	const struct svc	*svc = (const struct svc *)e->key;

	(void)arg;
	return svc->paused_until == e->when;
}

/* Whether a pause in the heap is some other service's. */
static int
svc_pause_other(void *arg, const struct deadline *e)
{
	return (const struct svc *)e->key != arg;
}

/*
 * A pause is an entry in the server's heap of pauses, so that resuming
 * services costs O(log n) each, not a walk of every service.
 */
void
svc_pause(struct server *srv, struct svc *svc, uint64_t until)
{
	svc->paused_until = until;
	if (srv->pauses.n >= 2 * (size_t)srv->conf->nservices + 64)
		deadlines_filter(&srv->pauses, svc_pause_live, NULL);
	if (deadlines_push(&srv->pauses, until, (uintptr_t)svc) == -1) {
		/* Out of memory: no pause, rather than one without end. */
		log_warn("service %s: pause", svc->name);
		svc->paused_until = 0;
	}
	svc_update(srv, svc, clock_ms());
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

void
svcs_resume(struct server *srv, uint64_t now)
{
	const struct deadline	*e;
	struct svc		*svc;
	uint64_t		 when;

	while ((e = deadlines_peek(&srv->pauses)) != NULL && e->when <= now) {
		svc = (struct svc *)e->key;
		when = e->when;
		deadlines_pop(&srv->pauses);
		if (svc->paused_until != when)
			continue;
		svc->paused_until = 0;
		/* Only a client already waiting waited for the rate. */
		if (svc->rate_paused && !svc_backlogged(svc))
			svc->rate_paused = 0;
		svc_update(srv, svc, now);
	}
}

uint64_t
svcs_next_resume(const struct server *srv)
{
	const struct deadline	*e = deadlines_peek(&srv->pauses);

	return e != NULL ? e->when : 0;
}

void
svcs_accept(struct server *srv)
{
	struct epoll_event	evs[64];
	int			i, n;

	n = epoll_wait(srv->listen_ep, evs, 64, 0);
	for (i = 0; i < n && srv->listening; i++)
		svc_accept(srv, evs[i].data.ptr);
}

static void
svc_accept(struct server *srv, struct listener *l)
{
	struct sockaddr_storage	 ss;
	struct svc		*svc = l->svc;
	socklen_t		 len;
	uint64_t		 now = clock_ms(), wait;
	char			 peer[ADDR_STRLEN];
	const struct rule	*rule;
	enum refusal		 why;
	int			 fd, i;

	for (i = 0; i < ACCEPT_BATCH; i++) {
		if (!server_ready(srv)) {
			server_update(srv);
			return;
		}
		if (!svc_ready(srv, svc, now)) {
			svc_update(srv, svc, now);
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
		if (svc_reports(svc) && srv->spare[0] == -1 &&
		    children_report_pair(srv->spare) == -1) {
			svc_starve(srv, svc, l, "socketpair", now);
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
				svc_starve(srv, svc, l, "accept", now);
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
		if (ss.ss_family == AF_UNIX)
			svc_peercred(fd, &ss);
		if (srv->starved != 0) {
			log_info("service %s: accepting again, after %u "
			    "pauses out of descriptors", svc->name,
			    srv->starved);
			srv->starved = 0;
		}
		if (svc->rate_paused) {
			/* A client waited in the backlog for this. */
			svc->rate_paused = 0;
			svc->n[COUNT_RATE_DELAYED]++;
			if (log_verbose())
				log_debug("service %s: %s waited for the rate "
				    "limit", svc->name, addr_str((struct
				    sockaddr *)&ss, 0, peer));
		}
		why = svc_check(svc, (struct sockaddr *)&ss, &rule);
		if (why == REFUSE_SOURCE) {
			/* Children that ended, not yet reaped, free slots. */
			children_reap(srv);
			why = svc_check(svc, (struct sockaddr *)&ss, &rule);
		}
		if (why != REFUSE_NONE) {
			svc_refuse(svc, fd, (struct sockaddr *)&ss, why, rule);
			continue;
		}
		/* Only a client let in takes a token: refusals cost none. */
		if (svc->rated)
			rate_take(&svc->rate, now);
		children_start(srv, l, fd, &ss, now, rule);
	}
}

/*
 * A unix-domain client is known by its credentials, which the kernel
 * keeps for the socket (SO_PEERCRED): kept where its address would be,
 * for allow/deny, max-per-source and the logs.  Without them (they are
 * always there on Linux), the client matches no uid or gid rule and is
 * not counted.
 */
static void
svc_peercred(int fd, struct sockaddr_storage *ss)
{
	struct ucred	cred;
	socklen_t	len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		addr_set_cred(ss, cred.uid, cred.gid, cred.pid);
	else {
		/* Unnamed: no path to carry where no path fits. */
		memset(ss, 0, sizeof(*ss));
		ss->ss_family = AF_UNIX;
	}
}

/*
 * Out of descriptors or memory: stop accepting everywhere for a moment,
 * the clients waiting in the backlog.  Logged once until it is over.
 */
static void
svc_starve(struct server *srv, struct svc *svc, struct listener *l,
    const char *what, uint64_t now)
{
	if (srv->starved++ == 0)
		log_warn("service %s: %s on %s, pausing", svc->name, what,
		    l->text);
	svc->n[COUNT_EMFILE]++;
	srv->resume_at = now + BACKOFF_MS;
	server_update(srv);
}

/*
 * allow/deny, client rules, then max-per-source: decided here, before
 * any fork.  With proxy-protocol the peer is a balancer: only proxy-from
 * applies to it, and the rest to the original client once the child has
 * its header.  With =name rules to match, allow/deny here, and the rest
 * once the child has the client's name.
 */
static enum refusal
svc_check(const struct svc *svc, const struct sockaddr *sa,
    const struct rule **rp)
{
	const struct conf_settings	*s = &svc->conf->s;
	size_t				 i;

	*rp = NULL;
	if (s->proxy == CONF_PROXY_OFF && !svc_reports(svc))
		return svc_check_client(svc, sa, NULL, rp);
	if (s->proxy == CONF_PROXY_OFF)
		return cidr_rules_allow(s->acl, s->nacl, sa) ? REFUSE_NONE :
		    REFUSE_ACL;
	if (s->nproxy_from == 0)
		return REFUSE_NONE;
	for (i = 0; i < s->nproxy_from; i++)
		if (cidr_match(&s->proxy_from[i], sa))
			return REFUSE_NONE;
	return REFUSE_PROXY;
}

/*
 * allow/deny first; then the most specific client rule, which may deny,
 * and whose max-per-source, if it has one, replaces the service's.
 * name is the client's, or NULL.  *rp is the rule, or NULL.
 */
enum refusal
svc_check_client(const struct svc *svc, const struct sockaddr *sa,
    const char *name, const struct rule **rp)
{
	const struct conf_settings	*s = &svc->conf->s;
	const struct rule		*r = NULL;
	unsigned int			 max = svc->max_per_source;

	*rp = NULL;
	if (!cidr_rules_allow(s->acl, s->nacl, sa))
		return REFUSE_ACL;
	if (svc->conf->rules != NULL &&
	    (r = ruleset_match_name(svc->conf->rules, sa, name)) != NULL) {
		*rp = r;
		if (r->action == RULE_DENY)
			return REFUSE_RULE;
		if (r->has_max_per_source)
			max = r->max_per_source;
	}
	if (max != 0 && srctab_count(svc->sources, sa) >= max)
		return REFUSE_SOURCE;
	return REFUSE_NONE;
}

void
svc_count_refusal(struct svc *svc, const struct sockaddr *sa,
    const struct sockaddr *via, enum refusal why)
{
	static const struct {
		enum counter	 counter;
		const char	*reason;
	} refusals[] = {
		[REFUSE_ACL] = { COUNT_REFUSED_ACL, "denied by allow/deny" },
		[REFUSE_RULE] = { COUNT_REFUSED_ACL, "denied by a client rule" },
		[REFUSE_SOURCE] = { COUNT_REFUSED_SOURCE,
		    "over max-per-source" },
		[REFUSE_PROXY] = { COUNT_REFUSED_PROXY,
		    "not a proxy-from peer" },
	};
	char	peer[ADDR_STRLEN], proxy[ADDR_STRLEN];

	svc->n[refusals[why].counter]++;
	if (!log_verbose())
		return;
	if (via != NULL)
		log_debug("service %s: refused %s via %s: %s", svc->name,
		    addr_str(sa, 0, peer), addr_str(via, 0, proxy),
		    refusals[why].reason);
	else
		log_debug("service %s: refused %s: %s", svc->name,
		    addr_str(sa, 0, peer), refusals[why].reason);
}

/*
 * Send the refuse-message, if any, and close.  The socket is new, so its
 * send buffer is empty and a message of any sensible size goes out at
 * once; MSG_DONTWAIT makes sure the master never waits on a client.
 * What the client sent is read away first, so that close(2) sends a FIN
 * after the message rather than a reset that could discard it.  A peer
 * that is not a proxy-from balancer gets no message: it is no client.
 * A client rule's refuse-message replaces the service's.
 */
static void
svc_refuse(struct svc *svc, int fd, const struct sockaddr *sa,
    enum refusal why, const struct rule *r)
{
	const char	*msg = svc->conf->s.refuse_message;
	char		 buf[512];
	int		 i;

	if (r != NULL && r->refuse_message != NULL)
		msg = r->refuse_message;
	svc_count_refusal(svc, sa, NULL, why);
	if (why != REFUSE_PROXY && msg != NULL && *msg != '\0')
		(void)send(fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)shutdown(fd, SHUT_WR);
	for (i = 0; i < 4; i++)
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) <= 0)
			break;
	close(fd);
}
