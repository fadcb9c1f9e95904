/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "child.h"
#include "fdpass.h"
#include "launch.h"
#include "log.h"
#include "sandbox.h"
#include "spawner.h"

/*
 * The words of one request, as a launch's slot holds them at most, and
 * its variables, a vector each beside the header and the banner.
 */
#define SPAWN_WORDS	(64 * 1024)
#define SPAWN_VARS	(IOV_MAX - 2)
/* How long the master waits for a pid before it gives up on a spawner. */
#define SPAWN_WAIT_MS	2000
/* How often a spawner looks for failed programs while some are starting. */
#define SPAWN_LOOK_MS	10
/* Where a spawner keeps its socket and the children's standard error. */
#define SPAWN_FD	3
#define SPAWN_ERRFD	4

struct spawn_req {
	uint32_t	 session;
	uint32_t	 bannerlen;
	uint32_t	 nenv;
	uint32_t	 len;		/* of the environment's strings */
};

struct spawn_rep {
	int32_t		 pid;
	int32_t		 error;
};

struct spawner {
	struct spawner	*next;
	char		*service;
	pid_t		 pid;
	int		 fd;		/* -1: let go, killed or ended */
	int		 released;	/* by the service: spawner_free() */
	int		 reaped;	/* by the master */
};

/* Every spawner not yet reaped: its end is recognized by its pid. */
static struct spawner	*spawners;

static void	spawner_main(int, const char *, const struct sandbox *,
		    const char *, char *const [], int) __attribute__((noreturn));
static void	spawner_serve(const char *, const char *, char *const [],
		    int);
static void	spawner_look(const char *);
static void	spawner_break(struct spawner *, const char *, int);
static void	spawner_forget(struct spawner *);

/* Failed programs, said by their path and why. */
static void
spawner_look(const char *service)
{
	const char	*path;
	int		 error;

	while ((error = launch_failed(&path)) != 0)
		log_warnx("service %s: exec %s: %s", service, path,
		    strerror(error));
}

/* The loop of the spawner: a request, a launch, an answer. */
static void
spawner_serve(const char *service, const char *path, char *const argv[],
    int errw)
{
	static char		 buf[sizeof(struct spawn_req) + SPAWN_WORDS];
	static char		*envp[SPAWN_VARS + 1];
	struct spawn_req	 req;
	struct spawn_rep	 rep;
	struct pollfd		 pfd;
	const char		*banner;
	char			*p, *end;
	ssize_t			 n;
	uint32_t		 i;
	int			 fd, slot, busy;

	for (;;) {
		/*
		 * A program that failed is said soon, not at the next
		 * request: looked for while any has yet to execute its own.
		 */
		busy = launch_busy();
		spawner_look(service);
		pfd.fd = SPAWN_FD;
		pfd.events = POLLIN;
		if (busy && poll(&pfd, 1, SPAWN_LOOK_MS) == 0)
			continue;
		if ((n = fdpass_recv(SPAWN_FD, buf, sizeof(buf), &fd)) == 0 ||
		    (n == -1 && errno != EMSGSIZE))
			return;
		rep.pid = -1;
		rep.error = EINVAL;
		if (fd == -1 || n < (ssize_t)sizeof(req))
			goto answer;
		memcpy(&req, buf, sizeof(req));
		if (req.nenv > SPAWN_VARS || req.bannerlen >= SPAWN_WORDS ||
		    (size_t)n != sizeof(req) + req.bannerlen + req.len)
			goto answer;
		/* The banner, then the variables, each with its NUL. */
		p = buf + sizeof(req);
		end = buf + n;
		banner = NULL;
		if (req.bannerlen > 0) {
			if (p[req.bannerlen - 1] != '\0')
				goto answer;
			banner = p;
			p += req.bannerlen;
		}
		for (i = 0; i < req.nenv; i++) {
			if (p >= end)
				goto answer;
			envp[i] = p;
			if ((p = memchr(p, '\0', (size_t)(end - p))) == NULL)
				goto answer;
			p++;
		}
		if (p != end)
			goto answer;
		envp[req.nenv] = NULL;
		if ((rep.pid = launch(path, argv, envp, banner, fd, errw,
		    req.session != 0, LAUNCH_SIBLING, NULL, &slot)) == -1)
			rep.error = errno;
		else
			rep.error = 0;
answer:
		if (fd != -1)
			close(fd);
		if (send(SPAWN_FD, &rep, sizeof(rep), MSG_NOSIGNAL) !=
		    sizeof(rep))
			return;
	}
}

/*
 * The process: the sandbox, once, on what a launched child would have
 * taken it on in each (launch.h), then the loop until the master lets
 * it go.
 */
static void
spawner_main(int sock, const char *service, const struct sandbox *sb,
    const char *path, char *const argv[], int errw)
{
	int	first;

	prctl(PR_SET_NAME, "forkd-spawner", 0, 0, 0);
	/* syslog(3)'s socket is the master's, and its number may be reused. */
	closelog();
	/* The ring, while mmap(2) and madvise(2) may still be made. */
	launch_forked();
	/* Its namespaces first, while their descriptors are open. */
	if (sandbox_enter(sb, service) == -1)
		_exit(1);
	/*
	 * Above both places first, as either may be the other's; close on
	 * exec, as a launched child's close_range(2) may be refused.
	 */
	if ((sock = fcntl(sock, F_DUPFD_CLOEXEC, SPAWN_ERRFD + 1)) == -1 ||
	    (errw != -1 && (errw = fcntl(errw, F_DUPFD_CLOEXEC,
	    SPAWN_ERRFD + 1)) == -1) ||
	    dup3(sock, SPAWN_FD, O_CLOEXEC) == -1 ||
	    (errw != -1 && dup3(errw, SPAWN_ERRFD, O_CLOEXEC) == -1)) {
		log_warn("service %s: spawner: dup3", service);
		_exit(1);
	}
	first = errw != -1 ? SPAWN_ERRFD + 1 : SPAWN_FD + 1;
#ifdef HAVE_CLOSE_RANGE
	if (close_range((unsigned int)first, ~0U, 0) == -1)
		closefrom(first);
#else
	closefrom(first);
#endif
	if (sandbox_caps(sb, service) == -1 || sandbox_seal(sb, service) == -1)
		_exit(1);
	spawner_serve(service, path, argv, errw != -1 ? SPAWN_ERRFD : -1);
	/* Its last programs' failures, once they are known. */
	while (launch_busy())
		(void)poll(NULL, 0, SPAWN_LOOK_MS);
	spawner_look(service);
	_exit(0);
}

struct spawner *
spawner_new(const char *service, const struct sandbox *sb, const char *path,
    char *const argv[], int errw)
{
	struct spawner	*sp;
	struct timeval	 tv;
	int		 sv[2];

	if ((sp = calloc(1, sizeof(*sp))) == NULL ||
	    (sp->service = strdup(service)) == NULL) {
		log_warn("service %s: spawner", service);
		free(sp);
		return NULL;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("service %s: spawner: socketpair", service);
		goto fail;
	}
	/* The master waits for a pid, and no longer than this. */
	tv.tv_sec = SPAWN_WAIT_MS / 1000;
	tv.tv_usec = (SPAWN_WAIT_MS % 1000) * 1000;
	if (setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ==
	    -1) {
		log_warn("service %s: spawner: SO_RCVTIMEO", service);
		close(sv[0]);
		close(sv[1]);
		goto fail;
	}
	/*
	 * Its children are the master's, with its own exit signal: forked
	 * as a child is, with forkd's, which says which child ended.
	 */
	switch (sp->pid = child_fork()) {
	case -1:
		log_warn("service %s: spawner: fork", service);
		close(sv[0]);
		close(sv[1]);
		goto fail;
	case 0:
		close(sv[0]);
		/* The service's name is in the master's records (pages.h). */
		spawner_main(sv[1], sp->service, sb, path, argv, errw);
	}
	close(sv[1]);
	sp->fd = sv[0];
	sp->next = spawners;
	spawners = sp;
	return sp;
fail:
	free(sp->service);
	free(sp);
	return NULL;
}

/* Gone for good: killed if it may still run, its programs the master's. */
static void
spawner_break(struct spawner *sp, const char *why, int error)
{
	if (error != 0)
		log_warnx("service %s: spawner %ld: %s: %s; the programs start "
		    "without it", sp->service, (long)sp->pid, why,
		    strerror(error));
	else
		log_warnx("service %s: spawner %ld: %s; the programs start "
		    "without it", sp->service, (long)sp->pid, why);
	(void)kill(sp->pid, SIGKILL);
	close(sp->fd);
	sp->fd = -1;
}

pid_t
spawner_launch(struct spawner *sp, char *const envp[], const char *banner,
    int fd, int session)
{
	struct spawn_req	 req;
	struct spawn_rep	 rep;
	struct iovec		 iov[2 + SPAWN_VARS];
	size_t			 len, total;
	ssize_t			 n;
	int			 i;

	if (sp->fd == -1) {
		errno = EPIPE;
		return -1;
	}
	memset(&req, 0, sizeof(req));
	req.session = session != 0;
	if (banner != NULL && *banner != '\0')
		req.bannerlen = (uint32_t)strlen(banner) + 1;
	iov[0].iov_base = &req;
	iov[0].iov_len = sizeof(req);
	iov[1].iov_base = (void *)(uintptr_t)banner;
	iov[1].iov_len = req.bannerlen;
	total = req.bannerlen;
	/* One vector each, as many as sendmsg(2) takes. */
	for (i = 0; envp[i] != NULL; i++) {
		if (i == SPAWN_VARS) {
			errno = EAGAIN;
			return -1;
		}
		len = strlen(envp[i]) + 1;
		iov[2 + i].iov_base = envp[i];
		iov[2 + i].iov_len = len;
		req.len += (uint32_t)len;
		total += len;
	}
	req.nenv = (uint32_t)i;
	/* What no slot of a launch would hold: the master launches it. */
	if (total > SPAWN_WORDS) {
		errno = EAGAIN;
		return -1;
	}
	n = fdpass_send(sp->fd, iov, (size_t)(2 + i), fd);
	if (n == -1 && errno == EMSGSIZE) {
		errno = EAGAIN;
		return -1;
	}
	if (n == -1) {
		spawner_break(sp, "sendmsg", errno);
		errno = EPIPE;
		return -1;
	}
	while ((n = recv(sp->fd, &rep, sizeof(rep), 0)) == -1 &&
	    errno == EINTR)
		;
	if (n != sizeof(rep)) {
		/*
		 * It may have started the program all the same: not a
		 * second one on the same client.
		 */
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			spawner_break(sp, "no answer", 0);
			errno = ETIMEDOUT;
			return -1;
		}
		if (n == -1)
			spawner_break(sp, "recv", errno);
		else
			spawner_break(sp, "gone", 0);
		errno = EPIPE;
		return -1;
	}
	if (rep.pid <= 0) {
		errno = rep.error != 0 ? rep.error : EINVAL;
		return -1;
	}
	return (pid_t)rep.pid;
}

void
spawner_free(struct spawner *sp)
{
	if (sp == NULL)
		return;
	if (sp->fd != -1)
		close(sp->fd);
	sp->fd = -1;
	sp->released = 1;
	if (sp->reaped)
		spawner_forget(sp);
}

/* Out of the list, once reaped and let go. */
static void
spawner_forget(struct spawner *sp)
{
	struct spawner	**pp;

	for (pp = &spawners; *pp != NULL; pp = &(*pp)->next)
		if (*pp == sp) {
			*pp = sp->next;
			break;
		}
	free(sp->service);
	free(sp);
}

int
spawner_ended(pid_t pid, int status)
{
	struct spawner	*sp;

	for (sp = spawners; sp != NULL; sp = sp->next)
		if (sp->pid == pid && !sp->reaped)
			break;
	if (sp == NULL)
		return 0;
	sp->reaped = 1;
	if (sp->released) {
		spawner_forget(sp);
		return 1;
	}
	/* Killed by the master, its end is no news; any other is. */
	if (sp->fd != -1) {
		if (WIFSIGNALED(status))
			log_warnx("service %s: spawner %ld killed by signal "
			    "%d; the programs start without it", sp->service,
			    (long)pid, WTERMSIG(status));
		else
			log_warnx("service %s: spawner %ld exited %d; the "
			    "programs start without it", sp->service,
			    (long)pid, WEXITSTATUS(status));
		close(sp->fd);
		sp->fd = -1;
	}
	return 1;
}
