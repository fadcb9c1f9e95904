/* SPDX-License-Identifier: ISC */
/*
 * A service in the master: its life from the configuration to the last
 * child, and admission: which connections it accepts, refuses or leaves
 * in the backlog.
 */

#ifndef FORKD_SVC_H
#define FORKD_SVC_H

#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#include "master.h"
#include "sandbox.h"

/* Why a connection is refused before it is served. */
enum refusal {
	REFUSE_NONE,
	REFUSE_ACL,
	REFUSE_RULE,
	REFUSE_SOURCE,
	REFUSE_PROXY,
};

/*
 * A service as its configuration says; sources is how many clients its
 * per-source table must hold at most.  NULL, logged, when out of memory.
 */
struct svc	*svc_new(struct conf_service *, size_t sources);

/* Log a message about a service's handler, as file:line: message. */
void		 svc_warnx(const struct conf_service *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));

/* How the sandbox of the service's children is to be made. */
enum sandbox_kind svc_sandbox_kind(const struct conf_service *);

/* Start the service's handler; -1, logged, when it cannot. */
int		 svc_prepare(struct svc *);

/*
 * Close the listeners and let the handler go; what is left is the
 * bookkeeping of the children still running, freed by svc_release().
 */
void		 svc_retire(struct server *, struct svc *);
void		 svc_release(struct server *, struct svc *);

struct svc	*svcs_find(struct svcs *, const char *name);

/*
 * Put the service's listeners in the epoll set or take them out, as the
 * state of the server and the service says now: the one place that
 * decides it.  A service that cannot take a child leaves its clients in
 * the kernel's backlog instead of refusing them.
 */
void		 svc_update(struct server *, struct svc *, uint64_t now);
void		 svcs_update(struct server *, uint64_t now);

/*
 * The share of the global max-children one service may take: all of it
 * but a reserve for the others, when there are others; and the count of
 * listeners, which decides how children are forked (handoff.h).
 */
void		 svcs_share(struct server *);

/* Stop accepting on one service until the given time. */
void		 svc_pause(struct server *, struct svc *, uint64_t until);

/* Services whose pause is over accept again. */
void		 svcs_resume(struct server *, uint64_t now);

/* When svcs_resume() has work next, or 0 for never. */
uint64_t	 svcs_next_resume(const struct server *);

/*
 * Put listen_ep, the set of every armed listener, in the master's epoll
 * set or take it out, as the state of the server says now: the one place
 * that decides it.
 */
void		 server_update(struct server *);

/* Accept what waits on the armed listeners, up to a batch each. */
void		 svcs_accept(struct server *);

/*
 * allow/deny, client rules and max-per-source for a client (the original
 * one), whose name is given or NULL; *rp is the rule that matched, or
 * NULL.
 */
enum refusal	 svc_check_client(const struct svc *,
		    const struct sockaddr *, const char *name,
		    const struct rule **rp);

/*
 * Whether the service's children report to the master before their
 * handler runs: the PROXY protocol header's client, or the client's name
 * for =name rules.
 */
int		 svc_reports(const struct svc *);

/* Count and log a refusal; via is the balancer in front, or NULL. */
void		 svc_count_refusal(struct svc *, const struct sockaddr *,
		    const struct sockaddr *via, enum refusal);

#endif /* FORKD_SVC_H */
