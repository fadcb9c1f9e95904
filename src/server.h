/*
 * The master: services, their listeners, the children, and the loop that
 * accepts, forks and reaps.
 */

#ifndef FORKD_SERVER_H
#define FORKD_SERVER_H

#include <sys/queue.h>

#include <stdint.h>

#include <forkd/handler.h>

#include "addr.h"
#include "module.h"
#include "rate.h"

struct childtab;
struct conf;
struct conf_service;
struct srctab;

struct listener {
	int		 fd;
	struct svc	*svc;
	struct addr	 addr;
	char		 text[ADDR_STRLEN];
	int		 armed;		/* in the epoll set */
	int		 named;		/* passed under its service's name */
	int		 local;		/* connections arrive on addr */
	struct listener	*from;		/* taken over on reload */
};

/*
 * Every counter of a service; the SIGUSR1 dump and the status and metrics
 * handlers report them all.
 */
struct svc_counters {
	uint64_t	accepted;	/* handed to a child (or to fork) */
	uint64_t	refused_acl;	/* by allow/deny */
	uint64_t	refused_source;	/* over max-per-source */
	uint64_t	refused_proxy;	/* proxy-from, or no valid header */
	uint64_t	fork_failed;	/* closed: fork(2) failed */
	uint64_t	rate_delayed;	/* clients that waited for the rate */
	uint64_t	emfile;		/* accept(2) out of descriptors */
	uint64_t	exec_failed;	/* exec children that exited 127 */
	uint64_t	timeout_killed;
	uint64_t	exit_ok;	/* children that exited 0 */
	uint64_t	exit_error;	/* non-zero exit or a signal */
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
	struct listener		*listeners;
	size_t			 nlisteners;
	unsigned int		 nchildren;
	struct srctab		*sources;	/* with max_per_source */
	struct rate		 rate;
	int			 rated;		/* has a rate */
	int			 rate_paused;	/* since the bucket ran dry */
	unsigned int		 accept_failed;	/* accept errors in a row */
	uint64_t		 paused_until;	/* rate or fork back-off */
	struct svc_counters	 n;
};

TAILQ_HEAD(svcs, svc);

struct server {
	struct conf		*conf;
	const char		*conf_path;	/* NULL in one-shot mode */
	struct svcs		 svcs;
	struct svcs		 retired;	/* removed, children live on */
	struct childtab		*children;
	int			 epfd;
	int			 sigfd;
	int			 ctlfd;		/* epoll of children's reports */
	int			 errfd;		/* children's stderr, or -1 */
	int			 errw;		/* its write end, their fd 2 */
	int			 spare[2];	/* a report pair, made ahead */
	char			 errbuf[1024];	/* a partial line of it */
	size_t			 errlen;
	uint64_t		 resume_at;	/* descriptor back-off */
	unsigned int		 starved;	/* such back-offs in a row */
	unsigned int		 nfull;		/* services at max-children */
	int			 chld_wake;	/* SIGCHLD in the signalfd */
	uint64_t		 svc_resume_at;	/* earliest svc paused_until */
	uint64_t		 next_deadline;	/* earliest child timeout */
	uint64_t		 started;
	int			 stopping;
};

/*
 * Take over conf, prepare every service's handler and bind every listener.
 * On failure the reason is logged and the exit status returned (71 for a
 * socket that cannot be bound, 78 for a handler that fails to start).
 */
int	server_init(struct server *, struct conf *, const char *conf_path);

/*
 * Detached: make descriptor 2, which every child inherits, a pipe whose
 * lines the master logs, so handlers' standard error reaches syslog.
 */
int	server_capture_stderr(struct server *);

/* Serve until SIGTERM or SIGINT; returns the exit status. */
int	server_run(struct server *);

/* Release everything, the configuration included. */
void	server_free(struct server *);

/* Monotonic clock in milliseconds. */
uint64_t now_ms(void);

#endif /* FORKD_SERVER_H */
