/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "listener.h"

static int	listener_socket(const struct sockaddr *, socklen_t, int, int,
		    int);

static int
listener_socket(const struct sockaddr *sa, socklen_t len, int v6only,
    int backlog, int reuseport)
{
	int	fd, on = 1, saved;

	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (reuseport &&
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) == -1)
		goto fail;
	if (sa->sa_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &v6only, sizeof(v6only)) == -1)
		goto fail;
	if (bind(fd, sa, len) == -1 || listen(fd, backlog) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

int
listener_open(const struct addr *a, int backlog, int reuseport)
{
	struct sockaddr_in	sin;
	int			fd;

	if (!a->wildcard)
		return listener_socket((const struct sockaddr *)&a->ss, a->len,
		    1, backlog, reuseport);

	fd = listener_socket((const struct sockaddr *)&a->ss, a->len, 0,
	    backlog, reuseport);
	if (fd != -1 || (errno != EAFNOSUPPORT && errno != EADDRNOTAVAIL))
		return fd;

	/* No IPv6 on this host: every IPv4 address will do. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	sin.sin_port = htons(addr_port((const struct sockaddr *)&a->ss));
	return listener_socket((const struct sockaddr *)&sin, sizeof(sin), 0,
	    backlog, reuseport);
}
