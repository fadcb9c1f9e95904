/* SPDX-License-Identifier: ISC */
/*
 * The master's data: services, their listeners, and the server that
 * holds them with the children.  Types only: the functions that work on
 * them are declared in svc.h, children.h, reload.h and server.h.
 *
 * Whether a listener is polled is decided at two levels, each in one
 * place.  The listeners of a service are in the set listen_ep as
 * svc_update() decides from the service's state: paused (rate, fork
 * back-off, accept errors), and room for a child of it: its own
 * max-children, the share of the global one it may take, and for a PROXY
 * protocol service, how many children may wait for a header.  listen_ep
 * is in the master's set as server_update() decides from the server's:
 * stopping, starved of descriptors, or the global max-children reached.
 * So the global limit, reached and left at every connection under load,
 * costs one epoll_ctl(2), whatever the number of services.
 */

#ifndef FORKD_MASTER_H
#define FORKD_MASTER_H

#include <sys/types.h>
#include <sys/queue.h>

#include <stdint.h>

#include <forkd/handler.h>

#include "addr.h"
#include "counters.h"
#include "deadlines.h"
#include "handoff.h"
#include "module.h"
#include "rate.h"

struct childtab;
struct conf;
struct watch;
struct conf_service;
struct sandbox;
struct srctab;

struct listener {
	int		 fd;
	struct svc	*svc;
	struct addr	 addr;
	char		 text[ADDR_STRLEN];
	int		 armed;		/* in the epoll set */
	int		 named;		/* passed under its service's name */
	int		 own_addr;	/* addr is every connection's own */
	int		 made;		/* its socket file is forkd's */
	struct listener	*from;		/* taken over on reload */
};

struct svc {
	TAILQ_ENTRY(svc)	 entry;
	char			*name;
	struct conf_service	*conf;		/* NULL once retired */
	unsigned int		 max_children;	/* 0: no limit */
	unsigned int		 max_per_source; /* 0: no limit */
	const struct forkd_handler *handler;
	void			*state;
	struct module		 module;	/* a module service's */
	int			 exec;		/* an exec service */
	int			 spawn;		/* its children posix_spawn()ed */
	int			 filtered;	/* its children's: childtab.h */
	struct sandbox		*sb;		/* its children's, or NULL */
	struct tls		*tls;		/* a TLS service's, or NULL */
	struct listener		*listeners;
	size_t			 nlisteners;
	unsigned int		 nchildren;
	unsigned int		 nwaiting;	/* children yet to report */
	struct srctab		*sources;	/* with max_per_source */
	struct rate		 rate;
	int			 rated;		/* has a rate */
	int			 rate_paused;	/* since the bucket ran dry */
	unsigned int		 accept_failed;	/* accept errors in a row */
	uint64_t		 paused_until;	/* rate or fork back-off */
	uint64_t		 n[COUNT_MAX];	/* counters.h */
};

TAILQ_HEAD(svcs, svc);

struct server {
	struct conf		*conf;
	const char		*conf_path;	/* NULL in one-shot mode */
	struct svcs		 svcs;
	struct svcs		 retired;	/* removed, children live on */
	struct childtab		*children;
	int			 epfd;
	int			 listen_ep;	/* epoll of armed listeners */
	int			 listening;	/* listen_ep is in epfd */
	int			 sigfd;
	int			 report_ep;	/* epoll of PROXY reports */
	int			 exitfd;	/* children's exit signals wake */
	uint64_t		 sweep_soon;	/* for SIGCHLDs merged, or 0 */
	uint64_t		 sweep_at;	/* just in case */
	unsigned int		 reserve;	/* slots one service cannot take */
	int			 errfd;		/* children's stderr, or -1 */
	int			 errw;		/* its write end, their fd 2 */
	char			 errbuf[1024];	/* a partial line of it */
	size_t			 errlen;
	pid_t			 errpid;	/* who wrote errbuf */
	int			 spare[2];	/* a report pair, made ahead */
	struct handoff		 handoff;	/* forks that copy no table */
	int			 inotify;	/* rules files, or -1 */
	struct watch		*watches;	/* watch.c */
	size_t			 nwatches;
	size_t			 nlisteners;	/* of every service */
	uint64_t		 resume_at;	/* descriptor back-off */
	unsigned int		 starved;	/* such back-offs in a row */
	struct deadlines	 pauses;	/* services' paused_until */
	struct deadlines	 deadlines;	/* children's timeouts */
	unsigned int		 ntimed;	/* children with a deadline */
	uint64_t		 started;
	int			 stopping;
};

#endif /* FORKD_MASTER_H */
