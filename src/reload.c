/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "activate.h"
#include "addr.h"
#include "child.h"
#include "children.h"
#include "childtab.h"
#include "clock.h"
#include "conf.h"
#include "listener.h"
#include "log.h"
#include "notify.h"
#include "pages.h"
#include "reload.h"
#include "srctab.h"
#include "svc.h"
#include "tls.h"
#include "watch.h"

static int	reload_listen_kept(struct server *, struct svc *);
static void	reload_commit(struct server *, struct conf *, struct svcs *);
static void	reload_failed(const char *);

/*
 * On reload, an address the running configuration already listens on is
 * only noted (l->from) and taken over when the reload commits; addresses
 * are unique within a configuration, so at start nothing matches.
 */
int
reload_listen(struct server *srv, struct svc *svc)
{
	struct conf_service	*cs = svc->conf;
	struct listener		*l, *ol;
	struct svc		*old;
	const char		*what;
	size_t			 i, j;

	if (cs->nlisten > 0 && (svc->listeners = pages_alloc(cs->nlisten,
	    sizeof(*svc->listeners))) == NULL) {
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
		l->fd = listener_open(&l->addr, cs->s.backlog, cs->s.reuseport,
		    &cs->s, &what, &l->made);
		if (l->fd == -1 && what != NULL &&
		    l->addr.ss.ss_family == AF_UNIX) {
			log_warn("service %s: cannot listen on %s: %s",
			    svc->name, l->text, what);
			return -1;
		}
		if (l->fd == -1 && what != NULL) {
			log_warn("service %s: cannot listen on %s: cannot set "
			    "%s%s", svc->name, l->text, what, errno == EPERM &&
			    (strcmp(what, "transparent") == 0 ||
			    strcmp(what, "mark") == 0 ||
			    strcmp(what, "interface") == 0) ?
			    " (it takes CAP_NET_ADMIN or CAP_NET_RAW)" : "");
			return -1;
		}
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
		l->own_addr = !l->addr.wildcard &&
		    !addr_unspecified((struct sockaddr *)&l->addr.ss);
		log_info("service %s: listening on %s", svc->name, l->text);
	}
	return 0;
}

/*
 * Sockets the service manager passed under a service's name serve that
 * service, whatever their address.
 */
int
reload_listen_named(struct svc *svc)
{
	struct listener	*l;
	socklen_t	 len;
	int		 fd;

	while ((fd = activate_take_named(svc->name)) != -1) {
		l = pages_resize(svc->listeners, svc->nlisteners,
		    svc->nlisteners + 1, sizeof(*l));
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
 * The sockets passed under a service's name stay with the service of
 * that name, taken over at commit as unchanged addresses are.
 */
static int
reload_listen_kept(struct server *srv, struct svc *svc)
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
		l = pages_resize(svc->listeners, svc->nlisteners,
		    svc->nlisteners + 1, sizeof(*l));
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

/*
 * A listener whose address is unchanged moves to the new configuration
 * as it is, the same descriptor, so no client knocking during the reload
 * is refused.  Children keep running; those of a service that stays
 * count against its new limits.
 */
void
reload_run(struct server *srv)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;
	struct conf_service	*cs;
	struct svcs		 fresh;
	struct svc		*svc;
	size_t			 i, oldcap = srv->conf->max_children;
	char			 status[128];

	if (srv->conf_path == NULL) {
		log_warnx("reload: no configuration file in one-shot mode");
		return;
	}
	notify_reloading();
	if ((conf = conf_parse_file(srv->conf_path, &errs)) == NULL ||
	    conf_check_credentials(conf, geteuid(), getegid(), &errs) == -1) {
		for (i = 0; i < errs.n; i++)
			log_warnx("%s", errs.msg[i]);
		reload_failed(errs.n > 0 ? errs.msg[0] : "out of memory");
		conf_errors_free(&errs);
		conf_free(conf);
		return;
	}
	for (i = 0; i < conf->warnings.n; i++)
		log_warnx("%s", conf->warnings.msg[i]);
	if (child_nnp_master() && !child_nnp_needed(conf)) {
		log_warnx("no-new-privileges no: forkd started with every "
		    "service under the flag and carries it itself, for good; "
		    "this takes a restart");
		conf_free(conf);
		reload_failed("no-new-privileges no takes a restart");
		return;
	}
	/* A socket passed under one service's name on another's address. */
	if (activate_check(conf) > 0) {
		conf_free(conf);
		reload_failed("a passed socket on another service's address");
		return;
	}
	TAILQ_INIT(&fresh);
	children_budget(conf);
	tls_rotate();
	/* A key process, forked for a new TLS service, needs OpenSSL. */
	tls_libs(1);
	/* Room made ahead; should it fail, the heap grows when it must. */
	(void)deadlines_reserve(&srv->deadlines,
	    2 * (size_t)conf->max_children + 64);
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
		if (svc_prepare(svc) == -1 || reload_listen(srv, svc) == -1 ||
		    reload_listen_kept(srv, svc) == -1)
			goto fail;
	}
	reload_commit(srv, conf, &fresh);
	log_info("reloaded %s, %zu services", srv->conf_path,
	    conf->nservices);
	snprintf(status, sizeof(status), "READY=1\nSTATUS=reloaded, %zu "
	    "services", conf->nservices);
	notify_send(status);
	return;

fail:
	while ((svc = TAILQ_FIRST(&fresh)) != NULL) {
		TAILQ_REMOVE(&fresh, svc, entry);
		svc_release(srv, svc);
	}
	if (childtab_resize(srv->children, oldcap) == -1)
		log_warn("reload: child table");
	/* OpenSSL's mappings back as the running services need them. */
	svcs_share(srv);
	conf_free(conf);
	reload_failed("the new services could not be set up (see the log)");
}

/*
 * Say so in the log, and to the service manager, whose status shows it
 * until the next reload (systemctl status forkd).
 */
static void
reload_failed(const char *why)
{
	char	status[512];
	int	n;

	log_warnx("reload failed, configuration unchanged");
	/* One line: cut at a newline, which a parser message never has. */
	n = (int)strcspn(why, "\n");
	snprintf(status, sizeof(status), "READY=1\nSTATUS=reload failed, "
	    "configuration unchanged: %.*s", n, why);
	notify_send(status);
}

/* Swap in the new services; nothing here can fail. */
static void
reload_commit(struct server *srv, struct conf *conf, struct svcs *fresh)
{
	struct svc	*svc, *old;
	struct listener	*l;
	struct child	*c = NULL;
	const char	*what;
	size_t		 i;

	TAILQ_FOREACH(svc, fresh, entry)
		for (i = 0; i < svc->nlisteners; i++) {
			l = &svc->listeners[i];
			if (l->from == NULL)
				continue;
			if (l->from->armed)
				epoll_ctl(srv->listen_ep, EPOLL_CTL_DEL,
				    l->from->fd, NULL);
			l->fd = l->from->fd;
			l->own_addr = l->from->own_addr;
			l->made = l->from->made;
			l->from->made = 0;
			l->from->fd = -1;
			l->from->armed = 0;
			l->from = NULL;
			/* listen(2) again sets the new backlog. */
			listen(l->fd, svc->conf->s.backlog);
			/*
			 * And the options as they are now, on the socket
			 * itself: children of connections to come inherit
			 * them.  What decides where it is bound takes a new
			 * address (or a restart).
			 */
			if (listener_options(l->fd, l->addr.ss.ss_family,
			    &svc->conf->s.sock, svc->conf->s.reuseport, 1,
			    &what) == -1)
				log_warn("service %s: %s: %s", svc->name,
				    l->text, what);
		}
	while ((c = childtab_next(srv->children, c)) != NULL) {
		old = c->svc;
		if (old->conf == NULL ||
		    (svc = svcs_find(fresh, old->name)) == NULL)
			continue;
		c->svc = svc;
		old->nchildren--;
		if (c->counted)
			srctab_del(old->sources, (struct sockaddr *)&c->client);
		svc->nchildren++;
		if (c->report != -1) {
			old->nwaiting--;
			svc->nwaiting++;
		}
		/* Those still to report their client are counted then. */
		c->counted = svc->sources != NULL && c->report == -1 &&
		    srctab_add(svc->sources,
		    (struct sockaddr *)&c->client) != 0;
	}
	while ((old = TAILQ_FIRST(&srv->svcs)) != NULL) {
		TAILQ_REMOVE(&srv->svcs, old, entry);
		for (i = 0; i < old->nlisteners; i++)
			if (old->listeners[i].fd != -1)
				log_info("service %s: no longer listening on "
				    "%s", old->name, old->listeners[i].text);
		if ((svc = svcs_find(fresh, old->name)) != NULL) {
			memcpy(svc->n, old->n, sizeof(svc->n));
			/* The children it adopts count their handshakes. */
			if (svc->tls != NULL && old->tls != NULL)
				tls_adopt(svc->tls, old->tls);
			/* A reload does not refill the bucket. */
			if (svc->rated && old->rated)
				svc->rate.tat = old->rate.tat;
		}
		/* Its listeners leave the epoll set before they close. */
		svc_retire(srv, old);
		if (old->nchildren == 0)
			svc_release(srv, old);
		else
			TAILQ_INSERT_TAIL(&srv->retired, old, entry);
	}
	TAILQ_CONCAT(&srv->svcs, fresh, entry);
	conf_free(srv->conf);
	srv->conf = conf;
	svcs_share(srv);
	svcs_update(srv, clock_ms());
	server_update(srv);
	watch_reset(srv);
}
