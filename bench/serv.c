/* SPDX-License-Identifier: ISC */
/*
 * The reference servers' helpers: tcp_listen() and str_echo() of the
 * socket-programming literature.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <err.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "serv.h"

#define ECHO_BUF	16384

static int	serv_writen(int, const char *, size_t);

/*
 * A listening socket on the first address of host that binds, IPv4 or
 * IPv6.  A server that cannot listen has nothing to do: it exits.
 */
int
serv_listen(const char *host, const char *port, int backlog)
{
	struct addrinfo	 hints, *res, *ai;
	const char	*cause = "socket";
	int		 fd = -1, on = 1, error, save;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0)
		errx(EX_NOHOST, "%s port %s: %s", host, port,
		    gai_strerror(error));
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		if ((fd = socket(ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol)) == -1) {
			cause = "socket";
			continue;
		}
		/* A restarted server must not wait for old TIME_WAITs. */
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
		    sizeof(on)) == -1)
			cause = "SO_REUSEADDR";
		else if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1)
			cause = "bind";
		else if (listen(fd, backlog) == -1)
			cause = "listen";
		else
			break;
		save = errno;
		close(fd);
		fd = -1;
		errno = save;
	}
	freeaddrinfo(res);
	if (fd == -1)
		err(EX_OSERR, "%s port %s: %s", host, port, cause);
	return fd;
}

/* Write all of buf, over short counts: writen() of the textbooks. */
static int
serv_writen(int fd, const char *buf, size_t len)
{
	ssize_t	w;

	while (len > 0) {
		if ((w = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Echo until end of file: 0, or -1 on an error (a reset connection). */
int
serv_echo(int fd)
{
	char	buf[ECHO_BUF];
	ssize_t	n;

	for (;;) {
		if ((n = read(fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			return 0;
		if (serv_writen(fd, buf, (size_t)n) == -1)
			return -1;
	}
}

int
serv_backlog(const char *s)
{
	const char	*errstr;
	int		 v;

	v = (int)strtonum(s, 1, INT_MAX, &errstr);
	if (errstr != NULL)
		errx(EX_USAGE, "-b %s: %s", s, errstr);
	return v;
}
