/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "childtab.h"
#include "log.h"
#include "stderr.h"

/* Reads per call: chatty children cannot starve the loop. */
#define READS_MAX	16

static void	stderr_line(struct server *, const char *, size_t);
static void	stderr_take(struct server *, pid_t, const char *, size_t);

int
stderr_capture(struct server *srv)
{
	struct epoll_event	ev;
	int			fds[2], on = 1;

	if (srv->errfd != -1)
		return 0;
	/*
	 * A stream socket rather than a pipe: with SO_PASSCRED on the
	 * master's end, the kernel tags what each process writes with its
	 * process ID and never joins two writers' bytes in one read.  The
	 * children's end blocks as a stderr would; the master's own
	 * standard error is never this socket, so that it never waits on
	 * what only it reads.
	 */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == -1) {
		log_warn("socketpair");
		return -1;
	}
	if (setsockopt(fds[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) ==
	    -1 || fcntl(fds[0], F_SETFL, O_NONBLOCK) == -1 ||
	    shutdown(fds[0], SHUT_WR) == -1 ||
	    shutdown(fds[1], SHUT_RD) == -1) {
		log_warn("standard error socket");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = &srv->errfd;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fds[0], &ev) == -1) {
		log_warn("epoll_ctl");
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	srv->errfd = fds[0];
	srv->errw = fds[1];
	return 0;
}

/*
 * One line of a child's: named after the child's service, found by the
 * writer's process ID or, for what a handler started, its process group.
 * forkd's own messages from a child (with -d; detached, children log to
 * syslog themselves) already name the service, and pass as they are.
 */
static void
stderr_line(struct server *srv, const char *line, size_t len)
{
	const struct child	*c;
	const struct svc	*svc;
	size_t			 n;
	pid_t			 pgid;

	if ((c = childtab_find(srv->children, srv->errpid)) == NULL &&
	    (pgid = getpgid(srv->errpid)) != -1)
		c = childtab_find(srv->children, pgid);
	if (c == NULL) {
		log_warnx("pid %ld: %.*s", (long)srv->errpid, (int)len, line);
		return;
	}
	svc = c->svc;
	n = strlen(svc->name);
	if (len > n + 10 && strncmp(line, "service ", 8) == 0 &&
	    strncmp(line + 8, svc->name, n) == 0 &&
	    strncmp(line + 8 + n, ": ", 2) == 0)
		log_warnx("%.*s", (int)len, line);
	else
		log_warnx("service %s: pid %ld: %.*s", svc->name,
		    (long)srv->errpid, (int)len, line);
}

/* Bytes one process wrote: complete lines are logged, the rest kept. */
static void
stderr_take(struct server *srv, pid_t pid, const char *buf, size_t len)
{
	const char	*nl;
	size_t		 n;

	if (srv->errlen > 0 && pid != srv->errpid)
		stderr_flush(srv);
	srv->errpid = pid;
	while (len > 0) {
		nl = memchr(buf, '\n', len);
		n = nl != NULL ? (size_t)(nl - buf) : len;
		if (n > sizeof(srv->errbuf) - srv->errlen)
			n = sizeof(srv->errbuf) - srv->errlen;
		memcpy(srv->errbuf + srv->errlen, buf, n);
		srv->errlen += n;
		buf += n;
		len -= n;
		if (len > 0 && *buf == '\n') {
			buf++;
			len--;
			stderr_flush(srv);
			srv->errpid = pid;
		} else if (srv->errlen == sizeof(srv->errbuf)) {
			stderr_flush(srv);
			srv->errpid = pid;
		}
	}
}

void
stderr_flush(struct server *srv)
{
	if (srv->errlen == 0)
		return;
	stderr_line(srv, srv->errbuf, srv->errlen);
	srv->errlen = 0;
}

void
stderr_read(struct server *srv)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(struct ucred))];
	} cmsg;
	struct msghdr	 msg;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	struct ucred	 cred;
	char		 buf[4096];
	ssize_t		 n;
	int		 i;

	if (srv->errfd == -1)
		return;
	for (i = 0; i < READS_MAX; i++) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = buf;
		iov.iov_len = sizeof(buf);
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cmsg.buf;
		msg.msg_controllen = sizeof(cmsg.buf);
		if ((n = recvmsg(srv->errfd, &msg, MSG_DONTWAIT)) <= 0)
			break;
		cred.pid = 0;
		for (cm = CMSG_FIRSTHDR(&msg); cm != NULL;
		    cm = CMSG_NXTHDR(&msg, cm))
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SCM_CREDENTIALS &&
			    cm->cmsg_len == CMSG_LEN(sizeof(cred)))
				memcpy(&cred, CMSG_DATA(cm), sizeof(cred));
		stderr_take(srv, cred.pid, buf, (size_t)n);
	}
}
