/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "conf.h"
#include "listener.h"

static int	listener_socket(const struct sockaddr *, socklen_t, int, int,
		    int, const struct conf_sockopts *, const char **);
static int	listener_set(int, int, int, int, const char *, const char **);
static int	listener_unix(const struct addr *, int,
		    const struct conf_settings *, const char **, int *);

/* One option; on failure, -1 with errno and *what set to name. */
static int
listener_set(int fd, int level, int name, int value, const char *what,
    const char **whatp)
{
	if (setsockopt(fd, level, name, &value, sizeof(value)) == -1) {
		*whatp = what;
		return -1;
	}
	return 0;
}

int
listener_options(int fd, int family, const struct conf_sockopts *so,
    int reuseport, int bound, const char **what)
{
	const long long	*v = so->v;
	uint32_t	 set = so->set;
	int		 ip6 = family == AF_INET6;

#define GIVEN(o)	(set & (1U << (o)))
	*what = NULL;
	/* Of a unix-domain socket, the buffers only. */
	if (family == AF_UNIX)
		set &= (1U << CONF_SO_SNDBUF) | (1U << CONF_SO_RCVBUF);
	else if (listener_set(fd, SOL_SOCKET, SO_REUSEPORT, reuseport,
	    "reuseport", what) == -1)
		return -1;
	if (GIVEN(CONF_SO_NODELAY) && listener_set(fd, IPPROTO_TCP,
	    TCP_NODELAY, (int)v[CONF_SO_NODELAY], "tcp-nodelay", what) == -1)
		return -1;
	if (GIVEN(CONF_SO_KEEPALIVE) && listener_set(fd, SOL_SOCKET,
	    SO_KEEPALIVE, (int)v[CONF_SO_KEEPALIVE], "keepalive", what) == -1)
		return -1;
	if (GIVEN(CONF_SO_KEEPIDLE) && listener_set(fd, IPPROTO_TCP,
	    TCP_KEEPIDLE, (int)(v[CONF_SO_KEEPIDLE] / 1000), "keepalive-idle",
	    what) == -1)
		return -1;
	if (GIVEN(CONF_SO_KEEPINTVL) && listener_set(fd, IPPROTO_TCP,
	    TCP_KEEPINTVL, (int)(v[CONF_SO_KEEPINTVL] / 1000),
	    "keepalive-interval", what) == -1)
		return -1;
	if (GIVEN(CONF_SO_KEEPCNT) && listener_set(fd, IPPROTO_TCP,
	    TCP_KEEPCNT, (int)v[CONF_SO_KEEPCNT], "keepalive-count",
	    what) == -1)
		return -1;
	if (GIVEN(CONF_SO_SNDBUF) && listener_set(fd, SOL_SOCKET, SO_SNDBUF,
	    (int)v[CONF_SO_SNDBUF], "send-buffer", what) == -1)
		return -1;
	if (GIVEN(CONF_SO_RCVBUF) && listener_set(fd, SOL_SOCKET, SO_RCVBUF,
	    (int)v[CONF_SO_RCVBUF], "receive-buffer", what) == -1)
		return -1;
	if (GIVEN(CONF_SO_DEFER) && listener_set(fd, IPPROTO_TCP,
	    TCP_DEFER_ACCEPT, (int)((v[CONF_SO_DEFER] + 999) / 1000),
	    "defer-accept", what) == -1)
		return -1;
	if (GIVEN(CONF_SO_TOS) && listener_set(fd, ip6 ? IPPROTO_IPV6 :
	    IPPROTO_IP, ip6 ? IPV6_TCLASS : IP_TOS, (int)v[CONF_SO_TOS],
	    "ip-tos", what) == -1)
		return -1;
	if (GIVEN(CONF_SO_MARK) && listener_set(fd, SOL_SOCKET, SO_MARK,
	    (int)(unsigned int)v[CONF_SO_MARK], "mark", what) == -1)
		return -1;
	if (GIVEN(CONF_SO_INTERFACE) && setsockopt(fd, SOL_SOCKET,
	    SO_BINDTODEVICE, so->interface, strlen(so->interface)) == -1) {
		*what = "interface";
		return -1;
	}
	/* What decides where the socket binds: before bind(2) only. */
	if (bound)
		return 0;
	if (GIVEN(CONF_SO_FREEBIND) && listener_set(fd, ip6 ? IPPROTO_IPV6 :
	    IPPROTO_IP, ip6 ? IPV6_FREEBIND : IP_FREEBIND,
	    (int)v[CONF_SO_FREEBIND], "freebind", what) == -1)
		return -1;
	if (GIVEN(CONF_SO_TRANSPARENT) && listener_set(fd, ip6 ?
	    IPPROTO_IPV6 : IPPROTO_IP, ip6 ? IPV6_TRANSPARENT :
	    IP_TRANSPARENT, (int)v[CONF_SO_TRANSPARENT], "transparent",
	    what) == -1)
		return -1;
#undef GIVEN
	return 0;
}

static int
listener_socket(const struct sockaddr *sa, socklen_t len, int v6only,
    int backlog, int reuseport, const struct conf_sockopts *so,
    const char **what)
{
	int	fd, on = 1, saved;

	*what = NULL;
	fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (fd == -1)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) == -1)
		goto fail;
	if (listener_options(fd, sa->sa_family, so, reuseport, 0, what) == -1)
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

/*
 * A unix-domain socket: a file left by a forkd that is gone is replaced,
 * one someone listens on, or a file that is no socket, is left alone and
 * the bind fails.  *made says whether a file was made, for whoever
 * closes the socket to remove.
 */
static int
listener_unix(const struct addr *a, int backlog,
    const struct conf_settings *s, const char **what, int *made)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&a->ss;
	const char		*path = sun->sun_path;
	struct stat		 st;
	int			 fd, probe, saved;

	*made = 0;
	if (path[0] != '\0' && lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			*what = "a file that is not a socket is in the way";
			errno = EEXIST;
			return -1;
		}
		if ((probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0)) == -1)
			return -1;
		if (connect(probe, (const struct sockaddr *)&a->ss,
		    a->len) == 0 || errno == EAGAIN || errno == EINPROGRESS) {
			close(probe);
			*what = "someone listens on it";
			errno = EADDRINUSE;
			return -1;
		}
		saved = errno;
		close(probe);
		if (saved != ECONNREFUSED) {
			errno = saved;
			return -1;
		}
		/* No one listens: what a forkd that died left. */
		if (unlink(path) == -1 && errno != ENOENT)
			return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		return -1;
	if (listener_options(fd, AF_UNIX, &s->sock, 0, 0, what) == -1 ||
	    bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1)
		goto fail;
	if (path[0] != '\0') {
		*made = 1;
		if (chmod(path, s->socket_mode) == -1 ||
		    ((s->set & (CONF_SET_SOCKET_USER | CONF_SET_SOCKET_GROUP)) &&
		    chown(path, s->set & CONF_SET_SOCKET_USER ? s->socket_uid :
		    (uid_t)-1, s->set & CONF_SET_SOCKET_GROUP ? s->socket_gid :
		    (gid_t)-1) == -1)) {
			*what = "socket-mode, socket-user or socket-group";
			goto fail;
		}
	}
	if (listen(fd, backlog) == -1)
		goto fail;
	return fd;
fail:
	saved = errno;
	if (*made)
		(void)unlink(path);
	*made = 0;
	close(fd);
	errno = saved;
	return -1;
}

void
listener_close(int fd, const struct addr *a, int made)
{
	const struct sockaddr_un *sun = (const struct sockaddr_un *)&a->ss;

	if (fd != -1)
		close(fd);
	if (made && a->ss.ss_family == AF_UNIX && sun->sun_path[0] != '\0')
		(void)unlink(sun->sun_path);
}

int
listener_open(const struct addr *a, int backlog, int reuseport,
    const struct conf_settings *s, const char **what, int *made)
{
	const struct conf_sockopts *so = &s->sock;
	struct sockaddr_in	sin;
	int			fd, v6only;

	*made = 0;
	*what = NULL;
	if (a->ss.ss_family == AF_UNIX)
		return listener_unix(a, backlog, s, what, made);
	/* An explicit IPv6 address is IPv6 only, unless ipv6-only no. */
	if (!a->wildcard) {
		v6only = so->set & (1U << CONF_SO_V6ONLY) ?
		    (int)so->v[CONF_SO_V6ONLY] : 1;
		return listener_socket((const struct sockaddr *)&a->ss, a->len,
		    v6only, backlog, reuseport, so, what);
	}

	fd = listener_socket((const struct sockaddr *)&a->ss, a->len, 0,
	    backlog, reuseport, so, what);
	if (fd != -1 || *what != NULL ||
	    (errno != EAFNOSUPPORT && errno != EADDRNOTAVAIL))
		return fd;

	/* No IPv6 on this host: every IPv4 address will do. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_ANY);
	sin.sin_port = htons(addr_port((const struct sockaddr *)&a->ss));
	return listener_socket((const struct sockaddr *)&sin, sizeof(sin), 0,
	    backlog, reuseport, so, what);
}
