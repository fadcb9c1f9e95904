/* SPDX-License-Identifier: ISC */
/*
 * redirect: relay every connection to a TCP backend, both ways, as
 * xinetd's "redirect" does.
 *
 *	service web {
 *		listen *:80
 *		module redirect.so 10.0.0.7:8080
 *	}
 *
 * The backend's name is resolved once, by init in the master: a child
 * neither waits on a name server nor needs resolv.conf in its chroot, it
 * only connects, to each address in turn.  Bytes move through a pipe per
 * direction with splice(2), never copied into the process, or through a
 * buffer where splice cannot be used.  An end of file from one side
 * becomes a shutdown of writing on the other, and the other direction
 * goes on until it ends too.
 */

#define _GNU_SOURCE		/* splice(2) */

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <forkd/handler.h>

/* Milliseconds a connection to the backend may take, without idle-timeout. */
#define CONNECT_TIMEOUT	10000
#define BUFSIZE		65536
/* As much as one splice may move: whatever the pipe or socket holds. */
#define SPLICE_MAX	(1 << 20)
#define ADDRSTRLEN	(NI_MAXHOST + NI_MAXSERV + 4)

/* One direction of the relay. */
struct half {
	const char	*from_name;	/* for messages */
	const char	*to_name;
	int		 from;
	int		 to;
	int		 pipe[2];	/* -1 once splice is given up */
	size_t		 inpipe;	/* bytes in the pipe */
	char		*buf;		/* without splice */
	size_t		 off;
	size_t		 len;
	int		 full;		/* the pipe took nothing more */
	int		 eof;		/* from has ended */
	int		 shut;		/* to has been shut down for writing */
};

static int	redirect_parse(const char *, struct addrinfo **);
static char	*redirect_addrstr(const struct addrinfo *, char *, size_t);
static int	redirect_open(const struct addrinfo *, int);
static int	redirect_connect(const struct addrinfo *, int, char *, size_t);
static void	half_init(struct half *, int, const char *, int,
		    const char *);
static void	half_free(struct half *);
static size_t	half_pending(const struct half *);
static int	half_wants_input(const struct half *);
static int	half_copy_mode(struct half *);
static int	half_fill(struct half *);
static int	half_drain(struct half *);
static int	half_step(struct half *, short, short);
static int	redirect_relay(const struct forkd_conn *, int, const char *);

/*
 * HOST:PORT, [IPv6]:PORT or IPv4:PORT, resolved to the list of addresses
 * a child will try.  The port is a number from 1 to 65535, as in listen.
 */
static int
redirect_parse(const char *arg, struct addrinfo **res)
{
	struct addrinfo	 hints;
	const char	*start, *end, *port;
	char		 host[NI_MAXHOST];
	size_t		 hostlen;
	long		 n;
	int		 error;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if (arg[0] == '[') {
		if ((end = strchr(arg, ']')) == NULL || end[1] != ':')
			goto bad;
		start = arg + 1;
		port = end + 2;
		hints.ai_family = AF_INET6;
		hints.ai_flags |= AI_NUMERICHOST;
	} else {
		/* An IPv6 address must be in brackets, or its port is lost. */
		if ((end = strrchr(arg, ':')) == NULL ||
		    memchr(arg, ':', (size_t)(end - arg)) != NULL)
			goto bad;
		start = arg;
		port = end + 1;
	}
	hostlen = (size_t)(end - start);
	if (hostlen == 0 || hostlen >= sizeof(host) ||
	    strspn(port, "0123456789") != strlen(port) || strlen(port) > 5 ||
	    (n = strtol(port, NULL, 10)) < 1 || n > 65535)
		goto bad;
	memcpy(host, start, hostlen);
	host[hostlen] = '\0';

	if ((error = getaddrinfo(host, port, &hints, res)) != 0) {
		fprintf(stderr, "redirect: %s: %s\n", host,
		    error == EAI_SYSTEM ? strerror(errno) :
		    gai_strerror(error));
		return -1;
	}
	return 0;
bad:
	fprintf(stderr, "redirect: \"%s\" is not HOST:PORT\n", arg);
	return -1;
}

static int
redirect_init(int argc, char *argv[], void **state)
{
	struct addrinfo	*res;

	if (argc != 2) {
		fprintf(stderr, "redirect: usage: %s HOST:PORT\n", argv[0]);
		return 1;
	}
	if (redirect_parse(argv[1], &res) == -1)
		return 1;
	*state = res;
	return 0;
}

/* An address as 192.0.2.1:80 or [2001:db8::1]:80, for messages. */
static char *
redirect_addrstr(const struct addrinfo *ai, char *buf, size_t len)
{
	char	host[NI_MAXHOST], port[NI_MAXSERV];

	if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host, sizeof(host),
	    port, sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(buf, len, "backend");
	else
		snprintf(buf, len, ai->ai_family == AF_INET6 ? "[%s]:%s" :
		    "%s:%s", host, port);
	return buf;
}

/*
 * A non-blocking socket connected to one address within timeout
 * milliseconds, or -1 with errno.
 */
static int
redirect_open(const struct addrinfo *ai, int timeout)
{
	struct pollfd	pfd;
	socklen_t	len = sizeof(int);
	int		fd, n, error;

	if ((fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol)) == -1)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return fd;
	if (errno != EINPROGRESS)
		goto fail;
	pfd.fd = fd;
	pfd.events = POLLOUT;
	while ((n = poll(&pfd, 1, timeout)) == -1 && errno == EINTR)
		;
	if (n == 0)
		errno = ETIMEDOUT;
	if (n <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) == -1)
		goto fail;
	if (error == 0)
		return fd;
	errno = error;
fail:
	error = errno;
	close(fd);
	errno = error;
	return -1;
}

/*
 * A socket connected to the first address of the list that answers, its
 * name in name; or -1 after logging the last address's failure.
 */
static int
redirect_connect(const struct addrinfo *res, int timeout, char *name,
    size_t len)
{
	const struct addrinfo	*ai;
	int			 fd;

	for (ai = res; ; ai = ai->ai_next) {
		redirect_addrstr(ai, name, len);
		if ((fd = redirect_open(ai, timeout)) != -1)
			return fd;
		if (ai->ai_next == NULL)
			break;
	}
	fprintf(stderr, "redirect: connect %s: %s\n", name, strerror(errno));
	return -1;
}

/* Out of descriptors for a pipe, the half relays through a buffer. */
static void
half_init(struct half *h, int from, const char *from_name, int to,
    const char *to_name)
{
	memset(h, 0, sizeof(*h));
	h->from = from;
	h->from_name = from_name;
	h->to = to;
	h->to_name = to_name;
	if (pipe2(h->pipe, O_CLOEXEC | O_NONBLOCK) == -1)
		h->pipe[0] = h->pipe[1] = -1;
}

static void
half_free(struct half *h)
{
	if (h->pipe[0] != -1) {
		close(h->pipe[0]);
		close(h->pipe[1]);
	}
	free(h->buf);
}

static size_t
half_pending(const struct half *h)
{
	return h->inpipe + (h->len - h->off);
}

/*
 * A pipe can be full of partly used pages with fewer bytes in it than
 * its size: after a splice that moved nothing, the source is not polled
 * again until some bytes have left, or poll would report it forever.
 * The buffer is read into only once empty.
 */
static int
half_wants_input(const struct half *h)
{
	if (h->eof)
		return 0;
	if (h->buf != NULL)
		return half_pending(h) == 0;
	return !h->full;
}

/* splice(2) does not work here: go on through a buffer. */
static int
half_copy_mode(struct half *h)
{
	if (h->buf == NULL && (h->buf = malloc(BUFSIZE)) == NULL) {
		fprintf(stderr, "redirect: %s\n", strerror(errno));
		return -1;
	}
	return 0;
}

/* Take what the source has.  Returns 0, or -1 after logging the error. */
static int
half_fill(struct half *h)
{
	ssize_t	n;

	if (h->buf == NULL && h->pipe[0] == -1 && half_copy_mode(h) == -1)
		return -1;
	if (h->buf != NULL) {
		if (half_pending(h) > 0)
			return 0;
		n = recv(h->from, h->buf, BUFSIZE, 0);
		if (n > 0) {
			h->off = 0;
			h->len = (size_t)n;
		}
	} else {
		n = splice(h->from, NULL, h->pipe[1], NULL, SPLICE_MAX,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0)
			h->inpipe += (size_t)n;
	}
	if (n == 0)
		h->eof = 1;
	if (n >= 0)
		return 0;
	switch (errno) {
	case EINTR:
		return 0;
	case EAGAIN:
		/* Nothing came in though the source is ready: no room. */
		if (h->inpipe > 0)
			h->full = 1;
		return 0;
	case EINVAL:
	case ENOSYS:
		if (h->buf == NULL) {
			if (half_copy_mode(h) == -1)
				return -1;
			return half_fill(h);
		}
		break;
	}
	fprintf(stderr, "redirect: read from %s: %s\n", h->from_name,
	    strerror(errno));
	return -1;
}

/* Pass on what is pending.  Returns 0, or -1 after logging the error. */
static int
half_drain(struct half *h)
{
	ssize_t	n;

	if (h->buf != NULL) {
		/* Bytes left in the pipe when splice was given up. */
		if (h->off == h->len && h->inpipe > 0) {
			n = read(h->pipe[0], h->buf, h->inpipe < BUFSIZE ?
			    h->inpipe : BUFSIZE);
			if (n <= 0) {
				fprintf(stderr, "redirect: pipe: %s\n",
				    n == 0 ? "end of file" : strerror(errno));
				return -1;
			}
			h->inpipe -= (size_t)n;
			h->off = 0;
			h->len = (size_t)n;
		}
		n = send(h->to, h->buf + h->off, h->len - h->off,
		    MSG_NOSIGNAL);
		if (n > 0)
			h->off += (size_t)n;
		if (h->off == h->len)
			h->off = h->len = 0;
	} else {
		n = splice(h->pipe[0], NULL, h->to, NULL, h->inpipe,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			h->inpipe -= (size_t)n;
			h->full = 0;
		}
	}
	if (n >= 0)
		return 0;
	switch (errno) {
	case EINTR:
	case EAGAIN:
		return 0;
	case EINVAL:
	case ENOSYS:
		if (h->buf == NULL) {
			if (half_copy_mode(h) == -1)
				return -1;
			return half_drain(h);
		}
		break;
	}
	fprintf(stderr, "redirect: write to %s: %s\n", h->to_name,
	    strerror(errno));
	return -1;
}

/*
 * Move what poll reported ready (in: the source's revents, out: the
 * destination's), and once the source has ended and everything is
 * passed on, shut down writing to the destination: its reader sees the
 * end of file while the other direction carries on.
 */
static int
half_step(struct half *h, short in, short out)
{
	if (half_wants_input(h) && (in & (POLLIN | POLLHUP | POLLERR)) &&
	    half_fill(h) == -1)
		return -1;
	if (half_pending(h) > 0 && (out & (POLLOUT | POLLHUP | POLLERR)) &&
	    half_drain(h) == -1)
		return -1;
	if (h->eof && half_pending(h) == 0 && !h->shut) {
		if (shutdown(h->to, SHUT_WR) == -1 && errno != ENOTCONN) {
			fprintf(stderr, "redirect: shutdown %s: %s\n",
			    h->to_name, strerror(errno));
			return -1;
		}
		h->shut = 1;
	}
	return 0;
}

/*
 * Relay between the client and the backend until both directions have
 * ended, or for idle_timeout with nothing to move.  sock[i] is the
 * source of half[i] and the destination of half[1 - i].  A socket with
 * nothing to wait for is left out of poll, which would otherwise report
 * its hang-up over and over.
 */
static int
redirect_relay(const struct forkd_conn *conn, int backend, const char *name)
{
	struct half	 half[2];
	struct pollfd	 pfd[2];
	int		 sock[2], i, n, status = 1;

	sock[0] = conn->fd;
	sock[1] = backend;
	half_init(&half[0], conn->fd, "client", backend, name);
	half_init(&half[1], backend, name, conn->fd, "client");
	while (!half[0].shut || !half[1].shut) {
		for (i = 0; i < 2; i++) {
			pfd[i].events = 0;
			if (half_wants_input(&half[i]))
				pfd[i].events |= POLLIN;
			if (half_pending(&half[1 - i]) > 0)
				pfd[i].events |= POLLOUT;
			pfd[i].fd = pfd[i].events != 0 ? sock[i] : -1;
			pfd[i].revents = 0;
		}
		n = poll(pfd, 2, conn->idle_timeout > 0 ?
		    conn->idle_timeout : -1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			fprintf(stderr, "redirect: poll: %s\n",
			    strerror(errno));
			goto done;
		}
		if (n == 0) {
			fprintf(stderr, "redirect: idle for %d ms\n",
			    conn->idle_timeout);
			goto done;
		}
		for (i = 0; i < 2; i++)
			if (half_step(&half[i], pfd[i].revents,
			    pfd[1 - i].revents) == -1)
				goto done;
	}
	status = 0;
done:
	half_free(&half[0]);
	half_free(&half[1]);
	return status;
}

static int
redirect_handle(const struct forkd_conn *conn, void *state)
{
	const struct addrinfo	*res = state;
	char			 name[ADDRSTRLEN];
	int			 backend, flags, status;

	/*
	 * splice(2) into a socket the peer has closed raises SIGPIPE, and
	 * it has no MSG_NOSIGNAL: the error is enough.
	 */
	signal(SIGPIPE, SIG_IGN);
	if ((backend = redirect_connect(res, conn->idle_timeout > 0 ?
	    conn->idle_timeout : CONNECT_TIMEOUT, name, sizeof(name))) == -1)
		return 1;
	if ((flags = fcntl(conn->fd, F_GETFL)) == -1 ||
	    fcntl(conn->fd, F_SETFL, flags | O_NONBLOCK) == -1) {
		fprintf(stderr, "redirect: client: %s\n", strerror(errno));
		close(backend);
		return 1;
	}
	status = redirect_relay(conn, backend, name);
	close(backend);
	return status;
}

static void
redirect_fini(void *state)
{
	freeaddrinfo(state);
}

const struct forkd_handler forkd_handler = {
	.abi = FORKD_HANDLER_ABI,
	.name = "redirect",
	.init = redirect_init,
	.handle = redirect_handle,
	.fini = redirect_fini,
	.flags = FORKD_HANDLER_NETWORK,
};
