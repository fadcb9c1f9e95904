/* SPDX-License-Identifier: ISC */
/*
 * One client connection of forkd-bench, driven by epoll readiness: a
 * non-blocking connect from one of the source addresses, a TLS handshake
 * when the client has TLS, the payload written, the reply read as the
 * mode asks.  The caller closes it, so that the latency it records runs
 * from connect to close.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/param.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define RECV_BUF	16384

static int		conn_watch(struct conn *, int, uint32_t);
static enum step	conn_established(struct conn *, struct client *, int,
			    uint64_t);
static enum step	conn_shake(struct conn *, struct client *, int,
			    uint64_t);
static enum step	conn_shut(struct conn *, struct client *);
static enum step	conn_next(struct conn *, struct client *, int);
static enum step	conn_send(struct conn *, struct client *, int,
			    uint64_t);
static enum step	conn_recv(struct conn *, struct client *, int,
			    uint64_t);

enum step
conn_failed(struct conn *c, enum fail f, int e)
{
	c->fail = f;
	c->err = e;
	return STEP_FAILED;
}

enum step
conn_errno(struct conn *c, int e)
{
	switch (e) {
	case ECONNREFUSED:
		return conn_failed(c, FAIL_REFUSED, e);
	case ECONNRESET:
	case EPIPE:
		return conn_failed(c, FAIL_RESET, e);
	case ETIMEDOUT:
		return conn_failed(c, FAIL_TIMEOUT, e);
	default:
		return conn_failed(c, FAIL_OTHER, e);
	}
}

/* Register what the connection waits for, if that changed. */
static int
conn_watch(struct conn *c, int ep, uint32_t events)
{
	struct epoll_event	ev;

	if (events == c->events)
		return 0;
	ev.events = events;
	ev.data.ptr = c;
	if (epoll_ctl(ep, c->events == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD,
	    c->fd, &ev) == -1)
		return -1;
	c->events = events;
	return 0;
}

/*
 * Start a connection from the next source address.  A connect that
 * completes or fails at once (the loopback often decides within the
 * call) goes straight on or reports its failure.
 *
 * Why bind at all: each connection ends in TIME_WAIT on this side, as
 * the client closes first, and a TIME_WAIT holds its four-tuple for 60
 * seconds.  Against one server address and port, the tuples left are the
 * source addresses times the ephemeral ports: spreading the connections
 * over 127.0.0.1 to 127.0.0.N multiplies the roughly 28000 ports one
 * address has, so that runs of millions of connections in a row do not
 * stop at EADDRNOTAVAIL.  IP_BIND_ADDRESS_NO_PORT leaves the choice of
 * port to connect(), which picks by four-tuple; a plain bind to port 0
 * would reserve a port per address whatever the destination.  -r (a RST
 * on close, no TIME_WAIT at all) is the other way out, but it changes
 * what the server sees, so it is not the default.
 */
enum step
conn_open(struct conn *c, struct client *cl, int ep, uint64_t now)
{
	const struct sockaddr_storage	*src;
	int				 on = 1;

	c->state = CONN_CONNECTING;
	c->events = 0;
	c->shut = 0;
	c->sent = c->got = 0;
	c->tls_wants = 0;
	c->tls_up = 0;
	c->start = c->last = now;
	src = &cl->src[cl->nextsrc++ % cl->nsrc];
	if ((c->fd = socket(cl->dst.ss_family,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) == -1)
		return conn_errno(c, errno);
	/* Not known before Linux 4.2; a plain bind still works there. */
	(void)setsockopt(c->fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &on,
	    sizeof(on));
	if (bind(c->fd, (const struct sockaddr *)src, cl->srclen) == -1)
		return conn_errno(c, errno);
	if (connect(c->fd, (struct sockaddr *)&cl->dst, cl->dstlen) == 0)
		return conn_established(c, cl, ep, now);
	if (errno != EINPROGRESS)
		return conn_errno(c, errno);
	if (conn_watch(c, ep, EPOLLOUT) == -1)
		return conn_errno(c, errno);
	return STEP_AGAIN;
}

/* The connect is complete: the handshake comes first, with TLS. */
static enum step
conn_established(struct conn *c, struct client *cl, int ep, uint64_t now)
{
	cl->established++;
	c->last = now;
	if (cl->tls != NULL) {
		c->state = CONN_HANDSHAKE;
		return conn_shake(c, cl, ep, now);
	}
	c->state = CONN_TALKING;
	return conn_send(c, cl, ep, now);
}

/*
 * One more step of the TLS handshake; once it is over, the payload goes
 * out at once.  Every event counts as progress: a handshake that stalls
 * makes no events, and then times out.
 */
static enum step
conn_shake(struct conn *c, struct client *cl, int ep, uint64_t now)
{
	enum step	step;

	c->last = now;
	if ((step = tls_handshake(c, cl)) == STEP_FAILED)
		return step;
	if (step == STEP_AGAIN) {
		if (conn_watch(c, ep, c->tls_wants) == -1)
			return conn_errno(c, errno);
		return STEP_AGAIN;
	}
	c->state = CONN_TALKING;
	c->tls_wants = 0;
	return conn_send(c, cl, ep, now);
}

/*
 * Our side's end of file: a shutdown of the socket's sending side, or,
 * with TLS, a close_notify alert, the end of file of TLS (which the
 * layer may have to try again once the socket takes it).
 */
static enum step
conn_shut(struct conn *c, struct client *cl)
{
	enum step	step;

	if (cl->tls != NULL) {
		if ((step = tls_shutdown(c)) == STEP_DONE)
			c->shut = 1;
		return step;
	}
	if (shutdown(c->fd, SHUT_WR) == -1)
		return conn_errno(c, errno);
	c->shut = 1;
	return STEP_DONE;
}

/*
 * The exchange is over, or what the connection waits for next.  In eof
 * mode our side is shut down once the payload is out, so that an echo
 * server, which echoes until end of file, closes too.  With TLS, the
 * layer may wait for the other readiness than the exchange does (to
 * write while reading, to read while writing): that is added.
 */
static enum step
conn_next(struct conn *c, struct client *cl, int ep)
{
	uint32_t	events = 0;

	if (c->sent < cl->paylen)
		events |= EPOLLOUT;
	else if (cl->mode == MODE_NONE ||
	    (cl->mode == MODE_ECHO && c->got >= cl->want))
		return STEP_DONE;
	else if (cl->mode == MODE_EOF && !c->shut &&
	    conn_shut(c, cl) == STEP_FAILED)
		return STEP_FAILED;
	if (cl->mode != MODE_NONE)
		events |= EPOLLIN;
	events |= c->tls_wants;
	if (conn_watch(c, ep, events) == -1)
		return conn_errno(c, errno);
	return STEP_AGAIN;
}

static enum step
conn_send(struct conn *c, struct client *cl, int ep, uint64_t now)
{
	ssize_t		n;
	size_t		done;
	enum step	step;

	while (cl->tls != NULL && c->sent < cl->paylen) {
		step = tls_send(c, cl, cl->payload + c->sent,
		    cl->paylen - c->sent, &done);
		if (step == STEP_FAILED)
			return step;
		if (step == STEP_AGAIN)
			break;
		c->sent += done;
		c->last = now;
	}
	while (cl->tls == NULL && c->sent < cl->paylen) {
		n = send(c->fd, cl->payload + c->sent, cl->paylen - c->sent,
		    MSG_NOSIGNAL);
		if (n == -1) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return conn_errno(c, errno);
		}
		c->sent += (size_t)n;
		c->last = now;
	}
	return conn_next(c, cl, ep);
}

/*
 * Read what is there.  In echo mode the reply must be the payload: a
 * server that answers something else fails as "other" with errno 0.
 *
 * With TLS, a record is read whole, and what the buffer could not take
 * of its plain text stays in the TLS layer, where epoll cannot see it:
 * it is read at once.  A record holds 16 kB of plain text at most, the
 * size of the buffer, so that this is a guard rather than a path taken.
 * When the layer waits, it may wait for the socket to become writable:
 * conn_next registers that.
 */
static enum step
conn_recv(struct conn *c, struct client *cl, int ep, uint64_t now)
{
	char		buf[RECV_BUF];
	ssize_t		n;
	size_t		cmp, got;
	enum step	step;

	do {
		if (cl->tls != NULL) {
			step = tls_recv(c, cl, buf, sizeof(buf), &got);
			if (step == STEP_AGAIN)
				return conn_next(c, cl, ep);
			if (step == STEP_FAILED)
				return step;
			n = (ssize_t)got;
		} else if ((n = recv(c->fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EAGAIN || errno == EINTR)
				return STEP_AGAIN;
			return conn_errno(c, errno);
		}
		if (n == 0) {
			if (cl->mode == MODE_EOF)
				return STEP_DONE;
			return conn_failed(c, FAIL_SHORT, 0);
		}
		c->last = now;
		cl->received += (uint64_t)n;
		if (cl->mode == MODE_ECHO && c->got < cl->paylen) {
			cmp = MIN((size_t)n, cl->paylen - c->got);
			if (memcmp(buf, cl->payload + c->got, cmp) != 0)
				return conn_failed(c, FAIL_OTHER, 0);
		}
		c->got += (size_t)n;
		if ((step = conn_next(c, cl, ep)) != STEP_AGAIN)
			return step;
	} while (cl->tls != NULL && tls_pending(c));
	return STEP_AGAIN;
}

/*
 * Readiness of a connection.  A held one only listens for the server
 * closing it; what else it sends is read and dropped.
 */
enum step
conn_event(struct conn *c, struct client *cl, int ep, uint32_t events,
    uint64_t now)
{
	char		buf[RECV_BUF];
	ssize_t		n;
	enum step	step;
	socklen_t	len;
	int		e;

	switch (c->state) {
	case CONN_CONNECTING:
		len = sizeof(e);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
			return conn_errno(c, errno);
		if (e != 0)
			return conn_errno(c, e);
		return conn_established(c, cl, ep, now);
	case CONN_HANDSHAKE:
		return conn_shake(c, cl, ep, now);
	case CONN_TALKING:
		/*
		 * TLS may need either readiness for either direction: both
		 * are tried, each returning at once when it cannot go on.
		 */
		if (cl->tls != NULL) {
			if (cl->mode != MODE_NONE &&
			    (step = conn_recv(c, cl, ep, now)) != STEP_AGAIN)
				return step;
			if (c->sent < cl->paylen ||
			    (cl->mode == MODE_EOF && !c->shut))
				return conn_send(c, cl, ep, now);
			return STEP_AGAIN;
		}
		if (events & (EPOLLIN | EPOLLERR | EPOLLHUP) &&
		    cl->mode != MODE_NONE &&
		    (step = conn_recv(c, cl, ep, now)) != STEP_AGAIN)
			return step;
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP) &&
		    c->sent < cl->paylen)
			return conn_send(c, cl, ep, now);
		return STEP_AGAIN;
	case CONN_HELD:
		if ((n = recv(c->fd, buf, sizeof(buf), 0)) > 0 ||
		    (n == -1 && (errno == EAGAIN || errno == EINTR)))
			return STEP_AGAIN;
		if (n == 0)
			return conn_failed(c, FAIL_SHORT, 0);
		return conn_errno(c, errno);
	case CONN_FREE:
		break;
	}
	return STEP_AGAIN;
}

/* An answered connection, kept open: it waits for the server's close. */
enum step
conn_hold(struct conn *c, int ep)
{
	c->state = CONN_HELD;
	if (conn_watch(c, ep, EPOLLIN) == -1)
		return conn_errno(c, errno);
	return STEP_AGAIN;
}

/*
 * Ask a held connection again: the payload once more, and the reply read
 * as the first time, from a clean count.  The exchange then goes on
 * through conn_event, as a new one would.
 */
enum step
conn_ask(struct conn *c, struct client *cl, int ep, uint64_t now)
{
	c->state = CONN_TALKING;
	c->sent = c->got = 0;
	c->last = now;
	return conn_send(c, cl, ep, now);
}

/* Closing removes the descriptor from the epoll set as well. */
void
conn_close(struct conn *c, const struct client *cl)
{
	static const struct linger	rst = { 1, 0 };

	if (c->ssl != NULL)
		tls_close(c, cl);
	if (c->fd != -1) {
		if (cl->reset)
			(void)setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &rst,
			    sizeof(rst));
		close(c->fd);
	}
	c->fd = -1;
	c->state = CONN_FREE;
	c->events = 0;
}

const char *
fail_name(enum fail f)
{
	static const char	*names[FAIL_NKINDS] = {
		"refused", "reset", "timeout", "short", "tls", "other"
	};

	return names[f];
}

void
tally_fail(struct tally *t, const struct conn *c)
{
	t->fail[c->fail]++;
	if (c->fail == FAIL_OTHER && !t->other_seen) {
		t->other_seen = 1;
		t->other_err = c->err;
	}
}
