/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "log.h"
#include "notify.h"

#ifdef HAVE_LIBSYSTEMD
/*
 * sd_notify(3) reads NOTIFY_SOCKET at every call, so it stays in the
 * environment; exec children get an environment built from the
 * configuration and never see it.
 */
static int	notify_on;

int
notify_init(void)
{
	notify_on = getenv("NOTIFY_SOCKET") != NULL;
	return 0;
}

void
notify_send(const char *state)
{
	int	r;

	if (notify_on && (r = sd_notify(0, state)) < 0)
		log_warnx("notify %s: %s", state, strerror(-r));
}
#else
static struct sockaddr_un	notify_addr;
static socklen_t		notify_len;

int
notify_init(void)
{
	const char	*path;
	size_t		 len;

	if ((path = getenv("NOTIFY_SOCKET")) == NULL)
		return 0;
	len = strlen(path);
	/* A path, or "@name" for the abstract namespace. */
	if ((path[0] != '/' && path[0] != '@') || len < 2 ||
	    len >= sizeof(notify_addr.sun_path)) {
		errno = EINVAL;
		return -1;
	}
	memset(&notify_addr, 0, sizeof(notify_addr));
	notify_addr.sun_family = AF_UNIX;
	memcpy(notify_addr.sun_path, path, len);
	if (path[0] == '@')
		notify_addr.sun_path[0] = '\0';
	notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len +
	    (path[0] == '/'));
	unsetenv("NOTIFY_SOCKET");
	return 0;
}

void
notify_send(const char *state)
{
	int	fd;

	if (notify_len == 0)
		return;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1) {
		log_warn("notify socket");
		return;
	}
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL | MSG_DONTWAIT,
	    (struct sockaddr *)&notify_addr, notify_len) == -1)
		log_warn("notify %s", state);
	close(fd);
}
#endif

void
notify_reloading(void)
{
	struct timespec	ts;
	char		buf[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(buf, sizeof(buf), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000);
	notify_send(buf);
}
