/* SPDX-License-Identifier: ISC */
/*
 * The TLS side of forkd-bench's connections, with OpenSSL: a client
 * that speaks TLS 1.3 only, sends "localhost" as the server name and
 * checks no certificate (it measures servers, it does not trust them).
 * With resumption, every slot of the load keeps the last session a
 * server gave it (TLS 1.3 sends its tickets after the handshake, and
 * OpenSSL hands each to the new-session callback) and offers it on the
 * slot's next connection; SSL_session_reused() says whether the server
 * took it.
 *
 * The socket is non-blocking: a step that cannot go on says which
 * readiness it waits for, which need not be the one of its direction
 * (a read may have to write, a write to read).
 */

#include "config.h"

#include <sys/types.h>
#include <sys/epoll.h>

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "bench.h"

#define TLS_SERVERNAME	"localhost"

struct tls {
	SSL_CTX		*ctx;
	int		 resume;
	char		 first_error[256];	/* "": none yet */
};

static int		tls_keep(SSL *, SSL_SESSION *);
static enum step	tls_failed(struct conn *, struct client *, int,
			    const char *);
static enum step	tls_result(struct conn *, struct client *, int,
			    const char *);

/*
 * The context every connection shares.  Exits on failure: without it
 * there is no run.  SIGPIPE is ignored: OpenSSL writes to the socket
 * with write(2), which raises it when the server has gone.
 */
struct tls *
tls_new(int resume)
{
	struct tls	*t;
	SSL_CTX		*ctx;

	if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
		err(1, "SIGPIPE");
	if ((t = calloc(1, sizeof(*t))) == NULL)
		err(1, NULL);
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION) != 1) {
		ERR_print_errors_fp(stderr);
		errx(1, "cannot set up TLS");
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	/*
	 * Partial writes: a large payload goes out a record at a time, as
	 * far as the socket takes it.  The retry of a write that waited
	 * points further into the payload when some went out meanwhile.
	 * An end of file without close_notify is an end of file, as it is
	 * for the plain client, not a TLS error.
	 */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	if (resume) {
		/* Sessions are kept by the callback, none by OpenSSL. */
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT |
		    SSL_SESS_CACHE_NO_INTERNAL_STORE);
		SSL_CTX_sess_set_new_cb(ctx, tls_keep);
	} else
		SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	t->ctx = ctx;
	t->resume = resume;
	return t;
}

void
tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_CTX_free(t->ctx);
	free(t);
}

/* The reason of the first TLS failure, or NULL if there was none. */
const char *
tls_first_error(const struct tls *t)
{
	if (t == NULL || t->first_error[0] == '\0')
		return NULL;
	return t->first_error;
}

/* A new session for the slot of the connection: the one to offer next. */
static int
tls_keep(SSL *ssl, SSL_SESSION *sess)
{
	struct conn	*c = SSL_get_app_data(ssl);

	if (c == NULL)
		return 0;
	if (c->session != NULL)
		SSL_SESSION_free(c->session);
	c->session = sess;
	return 1;
}

/*
 * A TLS failure: the reason from OpenSSL's queue, or what is given, kept
 * if it is the first.  The connection can no longer be shut down in
 * order.
 */
static enum step
tls_failed(struct conn *c, struct client *cl, int e, const char *what)
{
	struct tls	*t = cl->tls;
	unsigned long	 code;
	char		 reason[200];

	c->tls_up = 0;
	if (t->first_error[0] == '\0') {
		if ((code = ERR_peek_error()) != 0) {
			ERR_error_string_n(code, reason, sizeof(reason));
			snprintf(t->first_error, sizeof(t->first_error),
			    "%s: %s", what, reason);
		} else
			snprintf(t->first_error, sizeof(t->first_error),
			    "%s: %s", what, e == 0 ? "end of file" :
			    strerror(e));
	}
	ERR_clear_error();
	return conn_failed(c, FAIL_TLS, e);
}

/*
 * What an SSL call's result r means: STEP_DONE when it did its work, or
 * STEP_AGAIN with what to wait for, or a failure: of the socket (by its
 * errno, as the plain client counts it), or of TLS.  An end of file
 * during the handshake fails it; after it, it is the server's close.
 */
static enum step
tls_result(struct conn *c, struct client *cl, int r, const char *what)
{
	SSL	*ssl = c->ssl;
	int	 e = errno;

	c->tls_wants = 0;
	if (r > 0)
		return STEP_DONE;
	switch (SSL_get_error(ssl, r)) {
	case SSL_ERROR_WANT_READ:
		c->tls_wants = EPOLLIN;
		return STEP_AGAIN;
	case SSL_ERROR_WANT_WRITE:
		c->tls_wants = EPOLLOUT;
		return STEP_AGAIN;
	case SSL_ERROR_ZERO_RETURN:
		c->tls_up = 0;
		if (c->state == CONN_HANDSHAKE)
			return tls_failed(c, cl, 0, what);
		return STEP_DONE;
	case SSL_ERROR_SYSCALL:
		c->tls_up = 0;
		if (ERR_peek_error() == 0 && e != 0) {
			ERR_clear_error();
			if (e == EAGAIN || e == EINTR) {
				c->tls_wants = EPOLLIN;
				return STEP_AGAIN;
			}
			return conn_errno(c, e);
		}
		return tls_failed(c, cl, 0, what);
	default:
		return tls_failed(c, cl, 0, what);
	}
}

/*
 * The handshake, from its first step (the SSL object made, the last
 * session offered) to its last.  Counted once complete.
 */
enum step
tls_handshake(struct conn *c, struct client *cl)
{
	SSL		*ssl;
	enum step	 step;

	if (c->ssl == NULL) {
		if ((ssl = SSL_new(cl->tls->ctx)) == NULL ||
		    SSL_set_fd(ssl, c->fd) != 1 ||
		    SSL_set_tlsext_host_name(ssl, TLS_SERVERNAME) != 1) {
			SSL_free(ssl);
			return tls_failed(c, cl, ENOMEM, "SSL_new");
		}
		c->ssl = ssl;
		SSL_set_app_data(ssl, c);
		SSL_set_connect_state(ssl);
		if (cl->tls->resume && c->session != NULL) {
			if (SSL_set_session(ssl, c->session) != 1)
				return tls_failed(c, cl, 0,
				    "SSL_set_session");
			cl->offered++;
		}
	}
	ERR_clear_error();
	errno = 0;
	step = tls_result(c, cl, SSL_do_handshake(c->ssl), "handshake");
	if (step == STEP_DONE) {
		c->tls_up = 1;
		cl->handshakes++;
		if (SSL_session_reused(c->ssl))
			cl->resumed++;
	}
	return step;
}

enum step
tls_send(struct conn *c, struct client *cl, const char *buf, size_t len,
    size_t *n)
{
	int	r;

	*n = 0;
	ERR_clear_error();
	errno = 0;
	r = SSL_write_ex(c->ssl, buf, len, n);
	return tls_result(c, cl, r, "write");
}

/* *n is 0 at the server's end of file (close_notify or not). */
enum step
tls_recv(struct conn *c, struct client *cl, char *buf, size_t len,
    size_t *n)
{
	int	r;

	*n = 0;
	ERR_clear_error();
	errno = 0;
	r = SSL_read_ex(c->ssl, buf, len, n);
	return tls_result(c, cl, r, "read");
}

/* Plain text of a record already read and not yet returned. */
int
tls_pending(const struct conn *c)
{
	return c->ssl != NULL && SSL_pending(c->ssl) > 0;
}

/*
 * Our close_notify, the end of file of TLS; the reply may still be read
 * afterwards.  SSL_shutdown returns 0 once ours is out and the server's
 * is yet to come.
 */
enum step
tls_shutdown(struct conn *c)
{
	int	r;

	c->tls_wants = 0;
	ERR_clear_error();
	if ((r = SSL_shutdown(c->ssl)) >= 0)
		return STEP_DONE;
	switch (SSL_get_error(c->ssl, r)) {
	case SSL_ERROR_WANT_READ:
		c->tls_wants = EPOLLIN;
		return STEP_AGAIN;
	case SSL_ERROR_WANT_WRITE:
		c->tls_wants = EPOLLOUT;
		return STEP_AGAIN;
	default:
		ERR_clear_error();
		return conn_failed(c, FAIL_TLS, 0);
	}
}

/*
 * Before the socket is closed: a close_notify, once, without waiting,
 * when the connection is in order (OpenSSL forbids it after a fatal
 * error), and not when the close is to be a RST anyway.
 */
void
tls_close(struct conn *c, const struct client *cl)
{
	if (c->ssl == NULL)
		return;
	if (c->tls_up && !c->shut && !cl->reset) {
		(void)SSL_shutdown(c->ssl);
		ERR_clear_error();
	}
	SSL_free(c->ssl);
	c->ssl = NULL;
	c->tls_up = 0;
}

/* The session a slot kept, at the end of the run. */
void
tls_forget(struct conn *c)
{
	if (c->session != NULL)
		SSL_SESSION_free(c->session);
	c->session = NULL;
}
