/* SPDX-License-Identifier: ISC */
/*
 * iterative: the ceiling reference for forkd's benchmarks.  One process
 * serves one connection at a time: accept, echo until end of file,
 * close, next.  No fork and no poll: per connection it pays only what
 * every TCP server pays (accept, read, write, close), so with short
 * connections its rate is the most a server on this host can reach, and
 * what a forking server adds shows as the difference.
 *
 * It runs until SIGTERM or SIGINT, whose default action ends it: there
 * is nothing to clean up.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include "serv.h"

__attribute__((noreturn))
static void	usage(void);

static void
usage(void)
{
	fprintf(stderr, "usage: iterative [-b backlog] host port\n");
	exit(EX_USAGE);
}

int
main(int argc, char *argv[])
{
	int	ch, lfd, fd, backlog = SOMAXCONN;

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

	/* A client that resets must cost an EPIPE, not the server. */
	signal(SIGPIPE, SIG_IGN);
	lfd = serv_listen(argv[0], argv[1], backlog);
	for (;;) {
		if ((fd = accept(lfd, NULL, NULL)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			/* Out of descriptors or memory: back off, never spin. */
			warn("accept");
			poll(NULL, 0, 100);
			continue;
		}
		(void)serv_echo(fd);
		close(fd);
	}
}
