/* SPDX-License-Identifier: ISC */
/*
 * forkd handler interface.
 *
 * A handler module is a shared object that exports one symbol,
 * "forkd_handler", of type struct forkd_handler.  The built-in handlers
 * of forkd are written against the same interface.  See forkd-handler(3).
 *
 * This header is self-contained: the helpers below are static inline, so
 * a module needs no symbol of the forkd binary.
 */

#ifndef FORKD_HANDLER_H
#define FORKD_HANDLER_H

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <stddef.h>
#include <unistd.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever struct forkd_handler or struct forkd_conn changes. */
#define FORKD_HANDLER_ABI	4

/* struct forkd_handler's flags. */
#define FORKD_HANDLER_NETWORK	0x1	/* makes connections of its own */

struct forkd_conn {
	int		 fd;		/* the connected socket */
	const char	*service;	/* the service's name */
	const char	*remote_ip;	/* numeric, after PROXY protocol */
	const char	*remote_port;
	const char	*local_ip;
	const char	*local_port;
	const char	*proxy_ip;	/* the balancer, or NULL */
	const char	*proxy_port;
	const struct sockaddr *remote_addr;
	socklen_t	 remote_addrlen;
	const struct sockaddr *local_addr;
	socklen_t	 local_addrlen;
	int		 idle_timeout;	/* milliseconds, 0 for none */
	/* Since ABI 2. */
	const char *const *env;		/* the client rule's NAME=VALUE */
	unsigned int	 connnum;	/* this client's connections */
	const char	*remote_host;	/* resolve-names, or NULL */
	const char	*local_host;
	/* A unix-domain connection: the *_ip and *_port above are "". */
	const char	*local_path;	/* "/path" or "@name", or NULL */
	long		 peer_uid;	/* SO_PEERCRED, or -1 */
	long		 peer_gid;
	long		 peer_pid;
	/*
	 * Since ABI 4: a TLS service's session, as the SSL_* variables of
	 * exec programs say it; NULL when not TLS, or not known.  fd then
	 * carries plain text all the same.
	 */
	const char	*tls_protocol;	/* SSL_PROTOCOL: "TLSv1.3" */
	const char	*tls_cipher;	/* SSL_CIPHER */
	const char	*tls_sni;	/* SSL_TLS_SNI */
	const char	*tls_alpn;	/* SSL_ALPN */
	const char	*tls_client_verify; /* SUCCESS, NONE, FAILED:why */
	const char	*tls_client_s_dn; /* RFC 2253 */
	const char	*tls_client_i_dn;
	const char	*tls_client_serial; /* hex */
	const char	*tls_client_sha256; /* hex */
};

struct forkd_handler {
	int		 abi;		/* FORKD_HANDLER_ABI */
	const char	*name;
	int		(*init)(int argc, char *argv[], void **state);
	int		(*handle)(const struct forkd_conn *conn, void *state);
	void		(*fini)(void *state);
	/* Since ABI 3. */
	unsigned int	 flags;		/* FORKD_HANDLER_* */
};

/*
 * Wait until conn->fd is readable (POLLIN) or writable (POLLOUT) for at
 * most the idle timeout.  Returns 1 when ready, 0 on timeout, -1 on error.
 */
static inline int
forkd_wait(const struct forkd_conn *conn, short events)
{
	struct pollfd	pfd;
	int		n;

	if (conn->idle_timeout <= 0)
		return 1;
	pfd.fd = conn->fd;
	pfd.events = events;
	do {
		n = poll(&pfd, 1, conn->idle_timeout);
	} while (n == -1 && errno == EINTR);
	return n;
}

/*
 * Read at most len bytes, honouring the idle timeout.  Returns the byte
 * count, 0 at end of file, -1 on error or timeout (errno ETIMEDOUT).
 */
static inline ssize_t
forkd_read(const struct forkd_conn *conn, void *buf, size_t len)
{
	ssize_t	n;

	for (;;) {
		switch (forkd_wait(conn, POLLIN)) {
		case -1:
			return -1;
		case 0:
			errno = ETIMEDOUT;
			return -1;
		}
		n = read(conn->fd, buf, len);
		if (n == -1 && errno == EINTR)
			continue;
		return n;
	}
}

/*
 * Write all of buf, honouring the idle timeout.  A closed peer is an
 * error (EPIPE), not a signal.  Returns 0 or -1.
 */
static inline int
forkd_write(const struct forkd_conn *conn, const void *buf, size_t len)
{
	const char	*p = (const char *)buf;
	ssize_t		 n;

	while (len > 0) {
		switch (forkd_wait(conn, POLLOUT)) {
		case -1:
			return -1;
		case 0:
			errno = ETIMEDOUT;
			return -1;
		}
		n = send(conn->fd, p, len, MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

#ifdef __cplusplus
}
#endif

#endif /* FORKD_HANDLER_H */
