#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <forkd/handler.h>

#include "addr.h"
#include "child.h"
#include "conf.h"
#include "log.h"
#include "server.h"

/* Exit status of a child that could not get as far as its handler. */
#define CHILD_SETUP_FAILED	126

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

static int
child_limits(const struct svc *svc)
{
	const struct conf_settings *s = &svc->conf->s;
	struct rlimit	rl;
	int		i;

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

	if (s->user == NULL && s->group == NULL && s->chroot == NULL)
		return 0;
	gid = s->group != NULL ? s->group_gid : s->gid;
	if (s->user != NULL && initgroups(s->user, gid) == -1) {
		log_warn("service %s: initgroups %s", svc->name, s->user);
		return -1;
	}
	if (s->user == NULL && s->group != NULL && setgroups(1, &gid) == -1) {
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

void
child_run(const struct svc *svc, int fd, const struct sockaddr *peer)
{
	struct sockaddr_storage	 local;
	socklen_t		 locallen = sizeof(local);
	struct forkd_conn	 conn;
	char			 rip[INET6_ADDRSTRLEN], rport[ADDR_PORTLEN];
	char			 lip[INET6_ADDRSTRLEN], lport[ADDR_PORTLEN];
	char			 peerstr[ADDR_STRLEN];
	sigset_t		 none;

	/*
	 * A session of its own, so a timeout or a shutdown signals the
	 * handler and whatever it started.
	 */
	setsid();
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (getsockname(fd, (struct sockaddr *)&local, &locallen) == -1) {
		log_warn("service %s: getsockname", svc->name);
		_exit(CHILD_SETUP_FAILED);
	}
	addr_numeric(peer, rip, rport);
	addr_numeric((struct sockaddr *)&local, lip, lport);
	setproctitle("%s [%s]", svc->name, addr_str(peer, 0, peerstr));

	if (dup2(fd, STDIN_FILENO) == -1 || dup2(fd, STDOUT_FILENO) == -1) {
		log_warn("service %s: dup2", svc->name);
		_exit(CHILD_SETUP_FAILED);
	}
	closefrom(STDERR_FILENO + 1);

	if (child_limits(svc) == -1 || child_credentials(svc) == -1)
		_exit(CHILD_SETUP_FAILED);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("service %s: PR_SET_NO_NEW_PRIVS", svc->name);
		_exit(CHILD_SETUP_FAILED);
	}

	memset(&conn, 0, sizeof(conn));
	conn.fd = STDIN_FILENO;
	conn.service = svc->name;
	conn.remote_ip = rip;
	conn.remote_port = rport;
	conn.local_ip = lip;
	conn.local_port = lport;
	conn.remote_addr = peer;
	conn.remote_addrlen = peer->sa_family == AF_INET6 ?
	    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
	conn.local_addr = (struct sockaddr *)&local;
	conn.local_addrlen = locallen;
	conn.idle_timeout = (int)svc->conf->s.idle_timeout;
	_exit(svc->handler->handle(&conn, svc->state) & 0xff);
}
