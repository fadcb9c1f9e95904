/* SPDX-License-Identifier: ISC */
/*
 * The child's side of a connection: from fork to the handler.
 */

#ifndef FORKD_CHILD_H
#define FORKD_CHILD_H

#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdint.h>

#include <forkd/handler.h>

#include "addr.h"

struct conf;
struct svc;

/* The text of a connection's addresses, which struct forkd_conn points to. */
struct child_addrs {
	char	remote_ip[INET6_ADDRSTRLEN];
	char	remote_port[ADDR_PORTLEN];
	char	local_ip[INET6_ADDRSTRLEN];
	char	local_port[ADDR_PORTLEN];
	char	local_path[109];	/* sun_path, and a NUL */
};

/* The peer's credentials of a unix-domain connection on fd, into conn. */
void	child_peercred(struct forkd_conn *, int fd);

/*
 * With proxy-protocol, the child reads the header and reports it to the
 * master over a socket pair made for the connection; with =name client
 * rules and resolve-names, it reports the client's name.  The master,
 * which holds the per-source counts and the rules, applies allow/deny,
 * the rules and max-per-source to the original client and answers with
 * one byte, and a ticket (ticket.h).
 */
#define CTL_NAME_MAX	1025		/* NI_MAXHOST */
struct ctl_report {
	int			 ok;		/* 0: no valid header */
	int			 local;		/* addresses of the socket */
	struct sockaddr_storage	 src;		/* the original client */
	struct sockaddr_storage	 dst;
	char			 name[CTL_NAME_MAX]; /* its name, or "" */
};

/* Exit status of a child that could not get as far as its handler. */
#define CHILD_SETUP_FAILED	126

#define CTL_ALLOW	'y'
#define CTL_REFUSE	'n'

/*
 * Set up the child for the connection on fd (new process group, signals
 * back to default, the socket on 0 and 1, every other descriptor but 2
 * closed, limits, chroot, credentials), read the PROXY protocol header
 * when ctl is not -1, and run the service's handler, with errw, unless
 * -1, as its standard error.  local is the connection's own address,
 * or NULL to ask the socket.  ticket (ticket.h, tlen bytes) is what the
 * master decided for the connection; with ctl, it comes with the
 * master's verdict instead.  Never returns.
 */
__attribute__((noreturn))
void	child_run(const struct svc *, int fd,
	    const struct sockaddr_storage *peer,
	    const struct sockaddr_storage *local, int ctl, int errw,
	    const char *ticket, size_t tlen);

/*
 * What a handler is told of its connection, on descriptor 0: the
 * service, both ends as addresses and as text (in a), everything else
 * zero.  Used by forked children and, for the environment, by the spawn
 * path.
 */
void	child_conn(struct forkd_conn *, struct child_addrs *a,
	    const char *service, const struct sockaddr *remote,
	    const struct sockaddr *local);

/*
 * In the master, once, before the first child: children get a session of
 * their own when forkd has a controlling terminal (child_session() is 1),
 * a process group otherwise.
 */
void	child_init(void);

/*
 * Whether every service of conf keeps no-new-privileges on: the master
 * then sets the flag for itself, once, and children inherit it.  The
 * first call decides; later ones, on reload, say whether conf fits.
 */
int	child_nnp_needed(const struct conf *);

/* Whether the master carries the flag. */
int	child_nnp_master(void);

/*
 * In a child: install its service's system call filter, if it has one;
 * the last step before its handler runs or its program is exec'd.
 */
int	child_seal(void);
int	child_session(void);

/*
 * The signal a child's exit sends the master: a real-time one, which
 * the kernel queues, one for each exit, naming the child, where
 * SIGCHLDs merge.  So the master reaps each child it is told of, and
 * need not look for the ended ones among all that live.
 */
int	child_exit_signal(void);

/*
 * fork(2), but with child_exit_signal() as the child's exit signal, by
 * clone3(2).  Where there is none (a kernel before 5.3, a filter that
 * refuses it), a plain fork, whose child's exit is a SIGCHLD.  Either
 * way, a child that execs sends SIGCHLD: the kernel resets the exit
 * signal of a process that execs.
 */
pid_t	child_fork(void);

/*
 * clone3(2) with flags besides, and the same exit signal; -1 with errno
 * ENOSYS where there is none.
 */
pid_t	child_clone(uint64_t flags);

/*
 * Raise the master's soft limit on descriptors to need, or as far as the
 * hard limit allows; forked children get the limit forkd started with
 * back.  Returns 0, or -1 when need could not be reached.
 */
int	child_raise_nofile(rlim_t need);

#endif /* FORKD_CHILD_H */
