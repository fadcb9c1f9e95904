/* SPDX-License-Identifier: ISC */
/*
 * forkserver: the textbook concurrent server of the socket-programming
 * literature (Stevens, UNIX Network Programming, the tcpserv04 echo
 * server): accept, fork, the child echoes until end of file and exits,
 * the parent closes the connected socket and goes back to accept.  A
 * SIGCHLD handler reaps the children.  It is the baseline forkd is
 * measured against: everything forkd adds (limits, backpressure, a
 * child table, logging) should cost little next to it.
 *
 * No epoll and no tricks on purpose.  It runs until SIGTERM or SIGINT,
 * whose default action ends it; children finish with their clients.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "serv.h"

__attribute__((noreturn))
static void	usage(void);
static void	sig_chld(int);

static void
usage(void)
{
	fprintf(stderr, "usage: forkserver [-b backlog] host port\n");
	exit(EX_USAGE);
}

/*
 * One SIGCHLD may stand for several children, as signals do not queue:
 * reap until none is left.  waitpid() is async-signal-safe, and errno is
 * kept for the code the signal interrupted.
 */
static void
sig_chld(int signo)
{
	int	save_errno = errno;

	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = save_errno;
}

int
main(int argc, char *argv[])
{
	struct sigaction	sa;
	int			ch, lfd, fd, backlog = SOMAXCONN;

	while ((ch = getopt(argc, argv, "b:")) != -1) {
		switch (ch) {
		case 'b':
			backlog = serv_backlog(optarg);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		usage();

	lfd = serv_listen(argv[0], argv[1], backlog);
	/* A child whose client resets gets EPIPE and exits, as any error. */
	signal(SIGPIPE, SIG_IGN);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_chld;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
	if (sigaction(SIGCHLD, &sa, NULL) == -1)
		err(EX_OSERR, "sigaction");

	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* Out of descriptors or memory: back off, never spin. */
			warn("accept");
			poll(NULL, 0, 100);
			continue;
		}
		switch (fork()) {
		case -1:
			/* This client loses; the next may find a process. */
			warn("fork");
			break;
		case 0:
			close(lfd);
			_exit(serv_echo(fd) == 0 ? 0 : 1);
		default:
			break;
		}
		close(fd);
	}
}
