/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <paths.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <forkd/handler.h>

#include "addr.h"
#include "builtin.h"
#include "child.h"
#include "conf.h"
#include "log.h"
#include "proxy.h"
#include "resolve.h"
#include "sandbox.h"
#include "ticket.h"
#include "tls.h"
#include "master.h"

/* A child refused once its PROXY protocol header named the client. */
#define CHILD_REFUSED		125

/* The master's end of the PROXY protocol report, in the child. */
#define CTL_FD			3

static const int rlimit_resource[CONF_RLIMIT_MAX] = {
	[CONF_RLIMIT_CPU] = RLIMIT_CPU,
	[CONF_RLIMIT_AS] = RLIMIT_AS,
	[CONF_RLIMIT_DATA] = RLIMIT_DATA,
	[CONF_RLIMIT_FSIZE] = RLIMIT_FSIZE,
	[CONF_RLIMIT_CORE] = RLIMIT_CORE,
	[CONF_RLIMIT_STACK] = RLIMIT_STACK,
	[CONF_RLIMIT_NOFILE] = RLIMIT_NOFILE,
	[CONF_RLIMIT_NPROC] = RLIMIT_NPROC,
};

static int	child_limits(const struct svc *);
static int	child_credentials(const struct svc *);
static int	child_strict_io(const struct svc *, struct forkd_conn *);
static void	child_report(const struct svc *, const struct sockaddr *,
		    struct sockaddr_storage *, struct sockaddr_storage *,
		    struct resolved *, char *, size_t, struct ticket *);

/*
 * Limits, niceness and umask: with the master's privileges still, which
 * a negative nice needs.
 */
static int
child_limits(const struct svc *svc)
{
	const struct conf_settings *s = &svc->conf->s;
	struct rlimit	rl;
	int		i;

	if (s->set & CONF_SET_UMASK)
		umask(s->umask);
	if ((s->set & CONF_SET_NICE) && s->nice != 0) {
		errno = 0;
		if (nice(s->nice) == -1 && errno != 0) {
			log_warn("service %s: nice %d", svc->name, s->nice);
			return -1;
		}
	}

	for (i = 0; i < CONF_RLIMIT_MAX; i++) {
		if (!s->rlimit[i].set)
			continue;
		rl.rlim_cur = rl.rlim_max = s->rlimit[i].value;
		if (setrlimit(rlimit_resource[i], &rl) == -1) {
			log_warn("service %s: setrlimit", svc->name);
			return -1;
		}
	}
	return 0;
}

/*
 * Supplementary groups are read before chroot, while /etc/group is still
 * in sight; the user and group ids were resolved when the configuration
 * was parsed.
 */
static int
child_credentials(const struct svc *svc)
{
	const struct conf_settings *s = &svc->conf->s;
	gid_t	gid;

	if (s->user == NULL && s->group == NULL && s->chroot == NULL &&
	    s->ngroups == 0)
		return 0;
	gid = s->group != NULL ? s->group_gid : s->gid;
	if (s->ngroups > 0) {
		if (setgroups(s->ngroups, s->groups) == -1) {
			log_warn("service %s: setgroups", svc->name);
			return -1;
		}
	} else if (s->user != NULL && initgroups(s->user, gid) == -1) {
		log_warn("service %s: initgroups %s", svc->name, s->user);
		return -1;
	}
	if (s->user == NULL && s->group != NULL && s->ngroups == 0 &&
	    setgroups(1, &gid) == -1) {
		log_warn("service %s: setgroups", svc->name);
		return -1;
	}
	if (s->chroot != NULL &&
	    (chroot(s->chroot) == -1 || chdir("/") == -1)) {
		log_warn("service %s: chroot %s", svc->name, s->chroot);
		return -1;
	}
	if ((s->user != NULL || s->group != NULL) &&
	    setresgid(gid, gid, gid) == -1) {
		log_warn("service %s: setresgid %lu", svc->name,
		    (unsigned long)gid);
		return -1;
	}
	if (s->user != NULL && setresuid(s->uid, s->uid, s->uid) == -1) {
		log_warn("service %s: setresuid %lu", svc->name,
		    (unsigned long)s->uid);
		return -1;
	}
	return 0;
}

/*
 * Read the PROXY protocol header, if the service takes one, look up the
 * names, if it wants them, report both, and wait for the master's
 * verdict.  A missing or bad header, or a refusal, ends the child here,
 * before the handler.  On return, *client and *dest are the original
 * connection's addresses (the socket's own for v1 UNKNOWN, v2 LOCAL,
 * and without PROXY protocol), and *names what was found of them.
 */
static void
child_report(const struct svc *svc, const struct sockaddr *peer,
    struct sockaddr_storage *client, struct sockaddr_storage *dest,
    struct resolved *names, char *verdict, size_t vsize, struct ticket *t)
{
	const struct conf_settings *s = &svc->conf->s;
	struct ctl_report	 r;
	struct proxy_hdr	 h;
	const char		*errstr, *msg = s->refuse_message;
	char			 peerstr[ADDR_STRLEN], buf[512];
	struct pollfd		 pfd;
	int			 i;
	int			 accept = 0;
	ssize_t			 n;

	if (s->proxy == CONF_PROXY_V1 || s->proxy == CONF_PROXY_ANY)
		accept |= PROXY_V1;
	if (s->proxy == CONF_PROXY_V2 || s->proxy == CONF_PROXY_ANY)
		accept |= PROXY_V2;
	memset(&r, 0, sizeof(r));
	if (accept != 0 && proxy_read(STDIN_FILENO, accept,
	    s->proxy_timeout > INT_MAX ? INT_MAX : (int)s->proxy_timeout, &h,
	    &errstr) == -1) {
		log_warnx("service %s: %s: PROXY protocol: %s", svc->name,
		    addr_str(peer, 0, peerstr), errstr);
		(void)send(CTL_FD, &r, sizeof(r), MSG_NOSIGNAL);
		_exit(CHILD_SETUP_FAILED);
	}
	r.ok = 1;
	r.local = accept == 0 || h.local;
	if (!r.local) {
		r.src = h.src;
		r.dst = h.dst;
		*client = h.src;
		*dest = h.dst;
	}
	if (s->resolve != CONF_RESOLVE_NO) {
		resolve_names((struct sockaddr *)client, (struct sockaddr *)dest,
		    s->resolve == CONF_RESOLVE_PARANOID, s->resolve_timeout,
		    names);
		if (names->has_remote)
			strlcpy(r.name, names->remote, sizeof(r.name));
	}
	while ((n = send(CTL_FD, &r, sizeof(r), MSG_NOSIGNAL)) == -1 &&
	    errno == EINTR)
		;
	if (n == (ssize_t)sizeof(r))
		while ((n = recv(CTL_FD, verdict, vsize, 0)) == -1 &&
		    errno == EINTR)
			;
	if (n < 1)
		_exit(CHILD_SETUP_FAILED);	/* the master is gone */
	close(CTL_FD);
	if (ticket_unpack(verdict + 1, (size_t)n - 1, t) == -1) {
		log_warnx("service %s: bad verdict from the master",
		    svc->name);
		_exit(CHILD_SETUP_FAILED);
	}
	if (verdict[0] == CTL_ALLOW)
		return;
	if (t->refuse != NULL)
		msg = t->refuse;
	/*
	 * The message, then FIN; the child, unlike the master, can wait a
	 * moment for the client to close, so that what it still sends does
	 * not make close(2) reset the connection over the message.
	 */
	if (msg != NULL && *msg != '\0')
		(void)send(STDOUT_FILENO, msg, strlen(msg),
		    MSG_DONTWAIT | MSG_NOSIGNAL);
	(void)shutdown(STDOUT_FILENO, SHUT_WR);
	pfd.fd = STDIN_FILENO;
	pfd.events = POLLIN;
	for (i = 0; i < 16 && poll(&pfd, 1, 1000) == 1; i++)
		if (recv(STDIN_FILENO, buf, sizeof(buf), 0) <= 0)
			break;
	_exit(CHILD_REFUSED);
}

/* The empty signal mask of children, made once in the master. */
static sigset_t	child_sigmask;

/* Children start sessions, not process groups: forkd has a terminal. */
static int	child_setsid;

/* The descriptor limit forkd started with, if the master raised it. */
static struct rlimit	child_nofile;
static int		child_nofile_raised;

void
child_init(void)
{
	int	fd;

	sigemptyset(&child_sigmask);
	if (getrlimit(RLIMIT_NOFILE, &child_nofile) == -1)
		child_nofile.rlim_cur = child_nofile.rlim_max = RLIM_INFINITY;
	if ((fd = open(_PATH_TTY, O_RDWR | O_NOCTTY | O_CLOEXEC)) != -1) {
		child_setsid = 1;
		close(fd);
	}
}

void
child_conn(struct forkd_conn *conn, struct child_addrs *a,
    const char *service, const struct sockaddr *remote,
    const struct sockaddr *local)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)local;

	memset(conn, 0, sizeof(*conn));
	conn->peer_uid = conn->peer_gid = conn->peer_pid = -1;
	if (local->sa_family == AF_UNIX) {
		/* "@name" for an abstract socket, as it is written. */
		if (sun->sun_path[0] == '\0') {
			a->local_path[0] = '@';
			memcpy(a->local_path + 1, sun->sun_path + 1,
			    sizeof(sun->sun_path) - 1);
		} else
			memcpy(a->local_path, sun->sun_path,
			    sizeof(sun->sun_path));
		a->local_path[sizeof(sun->sun_path)] = '\0';
		conn->local_path = a->local_path;
	}
	addr_numeric(remote, a->remote_ip, a->remote_port);
	addr_numeric(local, a->local_ip, a->local_port);
	conn->fd = STDIN_FILENO;
	conn->service = service;
	conn->remote_ip = a->remote_ip;
	conn->remote_port = a->remote_port;
	conn->local_ip = a->local_ip;
	conn->local_port = a->local_port;
	conn->remote_addr = remote;
	conn->remote_addrlen = addr_len(remote);
	conn->local_addr = local;
	conn->local_addrlen = addr_len(local);
}

void
child_peercred(struct forkd_conn *conn, int fd)
{
	struct ucred	cred;
	socklen_t	len = sizeof(cred);

	if (conn->local_path == NULL ||
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == -1)
		return;
	conn->peer_uid = (long)cred.uid;
	conn->peer_gid = (long)cred.gid;
	conn->peer_pid = (long)cred.pid;
}

/* The sandbox a child's handler is to be sealed in, and its name. */
static const struct sandbox *child_sb;
static const char *child_sbname;
static int	child_nnp;	/* the master has set PR_SET_NO_NEW_PRIVS */
static int	child_nnp_decided;

int
child_nnp_needed(const struct conf *conf)
{
	const struct conf_service	*cs;
	int				 all = 1;

	TAILQ_FOREACH(cs, &conf->services, entry)
		all &= cs->s.nnp != 0;
	if (!child_nnp_decided) {
		child_nnp_decided = 1;
		child_nnp = all;
	}
	return all;
}

int
child_nnp_master(void)
{
	return child_nnp;
}

/*
 * echo, discard and chargen read and write the socket with read(2) and
 * write(2) alone (builtin.h): the idle timeout on the socket, and no
 * SIGPIPE, which send(2) would have spared them.
 */
static int
child_strict_io(const struct svc *svc, struct forkd_conn *conn)
{
	struct sigaction	sa;
	struct timeval		tv;

	if (conn->idle_timeout > 0) {
		tv.tv_sec = conn->idle_timeout / 1000;
		tv.tv_usec = (conn->idle_timeout % 1000) * 1000;
		if (setsockopt(conn->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
		    sizeof(tv)) == -1 || setsockopt(conn->fd, SOL_SOCKET,
		    SO_SNDTIMEO, &tv, sizeof(tv)) == -1) {
			log_warn("service %s: idle-timeout", svc->name);
			return -1;
		}
		conn->idle_timeout = 0;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) == -1) {
		log_warn("service %s: sigaction", svc->name);
		return -1;
	}
	return 0;
}

int
child_seal(void)
{
	return sandbox_seal(child_sb, child_sbname);
}

int
child_session(void)
{
	return child_setsid;
}

int
child_exit_signal(void)
{
	/* Clear of glibc's own (32, 33) and of SIGRTMIN, which others use. */
	return SIGRTMIN + 4;
}

/* struct clone_args of <linux/sched.h>, as of its first version. */
struct child_clone_args {
	uint64_t	flags;
	uint64_t	pidfd;
	uint64_t	child_tid;
	uint64_t	parent_tid;
	uint64_t	exit_signal;
	uint64_t	stack;
	uint64_t	stack_size;
	uint64_t	tls;
};

pid_t
child_clone(uint64_t flags)
{
#ifdef SYS_clone3
	static int		 no_clone3;
	struct child_clone_args	 args;
	long			 pid;

	if (!no_clone3) {
		memset(&args, 0, sizeof(args));
		args.flags = flags;
		args.exit_signal = (uint64_t)child_exit_signal();
		/*
		 * Like fork(2) but for the exit signal; what glibc's fork
		 * adds (atfork handlers, the thread's cached id) concerns
		 * threads, and the master has none.
		 */
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid != -1 || errno != ENOSYS)
			return (pid_t)pid;
		no_clone3 = 1;
		log_warnx("no clone3(2): children's exits are SIGCHLDs, "
		    "found by sweeps of every child");
	}
#else
	(void)flags;
#endif
	errno = ENOSYS;
	return -1;
}

pid_t
child_fork(void)
{
	pid_t	pid;

	if ((pid = child_clone(0)) != -1 || errno != ENOSYS)
		return pid;
	return fork();
}

int
child_raise_nofile(rlim_t need)
{
	struct rlimit	rl;
	rlim_t		want = need;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
		return 0;
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		want = rl.rlim_max;
	if (want > rl.rlim_cur) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			return -1;
		child_nofile_raised = 1;
	}
	return want >= need ? 0 : -1;
}

void
child_run(const struct svc *svc, int fd, const struct sockaddr_storage *peer,
    const struct sockaddr_storage *local, int report, int errw,
    const char *ticket, size_t tlen)
{
	struct sockaddr_storage	 client, dest;
	socklen_t		 locallen = sizeof(dest);
	struct forkd_conn	 conn;
	struct child_addrs	 a;
	struct ticket		 t;
	struct resolved		 names;
	char			 pip[INET6_ADDRSTRLEN], pport[ADDR_PORTLEN];
	char			 verdict[1 + TICKET_MAX];
	int			 first, status, keyfd = -1;

	/*
	 * Every page a child touches is a page fault it pays for, code
	 * included, so nothing runs here that the handler does not need:
	 * no stdio, no process title.  PR_SET_NO_NEW_PRIVS comes from the
	 * master, and SIGPIPE, blocked there, has its default action.
	 *
	 * A process group of its own, so that a timeout or a shutdown
	 * signals the handler and whatever it started.  Not a session,
	 * unless forkd runs on a terminal, which the handler must not
	 * reach: setsid(2) also makes a scheduler autogroup, where the
	 * kernel has them, and that alone costs more than the rest of this.
	 */
	if (child_setsid)
		setsid();
	else
		setpgid(0, 0);
	/* glibc's sigprocmask(2) calls it, on another page. */
	pthread_sigmask(SIG_SETMASK, &child_sigmask, NULL);

	/* Copied whole, as structures: no call for a child to fault in. */
	if (local != NULL)
		dest = *local;
	else if (getsockname(fd, (struct sockaddr *)&dest, &locallen) == -1) {
		log_warn("service %s: getsockname", svc->name);
		_exit(CHILD_SETUP_FAILED);
	}

	/*
	 * dup2(2) onto itself keeps close-on-exec: a socket that already is
	 * descriptor 0 or 1 loses it here, or an exec'd program would find
	 * its standard input closed.
	 */
	if ((fd == STDIN_FILENO || fd == STDOUT_FILENO) &&
	    fcntl(fd, F_SETFD, 0) == -1) {
		log_warn("service %s: fcntl", svc->name);
		_exit(CHILD_SETUP_FAILED);
	}
	if (dup2(fd, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1 ||
	    (errw != -1 && dup2(errw, STDERR_FILENO) == -1) ||
	    (report != -1 && dup2(report, CTL_FD) == -1)) {
		log_warn("service %s: dup2", svc->name);
		_exit(CHILD_SETUP_FAILED);
	}
	/* Its namespaces, joined while their descriptors are still open. */
	if (sandbox_enter(svc->sb, svc->name) == -1)
		_exit(CHILD_SETUP_FAILED);
	first = report != -1 ? CTL_FD + 1 : STDERR_FILENO + 1;
	/* A TLS service's key channel, kept until the handshake is done. */
	if (svc->tls != NULL) {
		if (dup2(svc->tls->keyfd, first) == -1) {
			log_warn("service %s: dup2", svc->name);
			_exit(CHILD_SETUP_FAILED);
		}
		keyfd = first++;
	}
#ifdef HAVE_CLOSE_RANGE
	/* glibc's, next to dup2(2) and read(2): one page less than libbsd's. */
	if (close_range(first, ~0U, 0) == -1)	/* a kernel before 5.9 */
		closefrom(first);
#else
	closefrom(first);
#endif

	/* The master's raised limit is its own: the handler gets forkd's. */
	if (child_nofile_raised)
		(void)setrlimit(RLIMIT_NOFILE, &child_nofile);
	if (child_limits(svc) == -1 || child_credentials(svc) == -1 ||
	    sandbox_caps(svc->sb, svc->name) == -1)
		_exit(CHILD_SETUP_FAILED);

	/* The header is untrusted input: read with privileges dropped. */
	client = *peer;
	memset(&names, 0, sizeof(names));
	if (report != -1) {
		child_report(svc, (const struct sockaddr *)peer, &client, &dest,
		    &names, verdict, sizeof(verdict), &t);
		addr_numeric((const struct sockaddr *)peer, pip, pport);
	} else {
		if (ticket_unpack(ticket, tlen, &t) == -1) {
			log_warnx("service %s: bad ticket from the master",
			    svc->name);
			_exit(CHILD_SETUP_FAILED);
		}
		if (svc->conf->s.resolve != CONF_RESOLVE_NO)
			resolve_names((struct sockaddr *)&client,
			    (struct sockaddr *)&dest, svc->conf->s.resolve ==
			    CONF_RESOLVE_PARANOID, svc->conf->s.resolve_timeout,
			    &names);
	}
	child_conn(&conn, &a, svc->name, (struct sockaddr *)&client,
	    (struct sockaddr *)&dest);
	if (report != -1 && svc->conf->s.proxy != CONF_PROXY_OFF) {
		conn.proxy_ip = pip;
		conn.proxy_port = pport;
	}
	if (names.has_remote)
		conn.remote_host = names.remote;
	if (names.has_local)
		conn.local_host = names.local;
	conn.idle_timeout = svc->conf->s.idle_timeout > INT_MAX ? INT_MAX :
	    (int)svc->conf->s.idle_timeout;
	conn.env = t.env;
	conn.connnum = t.connnum;
	child_peercred(&conn, STDIN_FILENO);
	/* The master has none: the service wants it all the same. */
	if (svc->conf->s.nnp && !child_nnp &&
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("service %s: PR_SET_NO_NEW_PRIVS", svc->name);
		_exit(CHILD_SETUP_FAILED);
	}
	/*
	 * The handshake, with privileges dropped and after the PROXY
	 * header; what follows runs in the handler's own process.
	 */
	if (svc->tls != NULL)
		tls_child(svc->tls, &conn, keyfd);
	/* tcpserver -B: before the handler, after the PROXY header. */
	if (t.banner != NULL && *t.banner != '\0' &&
	    forkd_write(&conn, t.banner, strlen(t.banner)) == -1)
		_exit(CHILD_SETUP_FAILED);
	if (builtin_strict(svc->handler) && child_strict_io(svc, &conn) == -1)
		_exit(CHILD_SETUP_FAILED);
	/* The filter last: an exec service's, just before its execve. */
	child_sb = svc->sb;
	child_sbname = svc->name;
	if (!svc->exec && child_seal() == -1)
		_exit(CHILD_SETUP_FAILED);
	status = svc->handler->handle(&conn, svc->state) & 0xff;
	/* Strict mode has exit(2), not exit_group(2): one thread here. */
	if (sandbox_filtered(svc->sb) == 2)
		syscall(SYS_exit, status);
	_exit(status);
}
