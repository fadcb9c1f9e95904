/* SPDX-License-Identifier: ISC */
/*
 * The event loop's pieces shared by the load and hold runs: a monotonic
 * clock in microseconds, and an epoll set that also hears SIGINT and
 * SIGTERM, through a signalfd, so that an interrupted run still reports
 * what it measured; a hold also hears SIGUSR1, which ends it in order.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

/* The signalfd, made once: every epoll set of the process hears it. */
static int	loop_sfd = -1;

uint64_t
clock_us(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		err(1, "clock_gettime");
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * An epoll set with the signalfd in it, registered with a NULL pointer:
 * every other registration points to a connection.  With release,
 * SIGUSR1 is heard as well.  Exits on failure: without it there is no
 * run.
 */
int
loop_open(int release)
{
	struct epoll_event	ev;
	sigset_t		set;
	int			ep;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (release)
		sigaddset(&set, SIGUSR1);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		err(1, "sigprocmask");
	/* Given the descriptor of a signalfd, signalfd() sets its mask. */
	if ((loop_sfd = signalfd(loop_sfd, &set,
	    SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		err(1, "signalfd");
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		err(1, "epoll_create1");
	ev.events = EPOLLIN;
	ev.data.ptr = NULL;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, loop_sfd, &ev) == -1)
		err(1, "epoll_ctl");
	return ep;
}

/*
 * Wait up to ms for events.  The signals are read and taken out of the
 * array: SIGUSR1 sets *released (when released is not NULL), the others
 * *interrupted; the connections' events are returned.
 */
int
loop_wait(int ep, struct epoll_event *evs, int nevs, int ms,
    int *interrupted, int *released)
{
	struct signalfd_siginfo	si;
	int			n, i, j;

	if ((n = epoll_wait(ep, evs, nevs, ms)) == -1) {
		if (errno == EINTR)
			return 0;
		err(1, "epoll_wait");
	}
	for (i = j = 0; i < n; i++) {
		if (evs[i].data.ptr != NULL) {
			evs[j++] = evs[i];
			continue;
		}
		while (read(loop_sfd, &si, sizeof(si)) ==
		    (ssize_t)sizeof(si)) {
			if (si.ssi_signo != SIGUSR1)
				*interrupted = 1;
			else if (released != NULL)
				*released = 1;
		}
	}
	return j;
}
