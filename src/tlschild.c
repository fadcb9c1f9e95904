/* SPDX-License-Identifier: ISC */
/*
 * A service's TLS, in the child (tls.h): the handshake, what the handler
 * is told of the session, and the relay between the client and the
 * handler's plain socket.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <forkd/handler.h>

#include "child.h"
#include "clock.h"
#include "conf.h"
#include "log.h"
#include "tls.h"
#include "ticket.h"
#include "tlskey.h"

/* The client's socket, in the child and in the relay. */
#define NET		STDIN_FILENO
#define RELAY_BUF	16384		/* one TLS record's payload */
#define DN_MAX		1024		/* bytes of a name shown */

struct relay {
	SSL		*ssl;
	int		 net;		/* the client */
	int		 plain;		/* the handler */
	int		 err;		/* its standard error, or -1 */
	char		 up[RELAY_BUF];	/* client to handler */
	size_t		 upoff, uplen;
	char		 down[RELAY_BUF]; /* handler to client */
	size_t		 downoff, downlen;
	int		 net_eof;	/* the client sends no more */
	int		 net_dead;	/* nor can it be written to */
	int		 plain_eof;	/* the handler sends no more */
	int		 plain_hup;	/* it has closed its end */
	int		 up_shut;	/* the handler was told */
	int		 down_shut;	/* the client was told */
	short		 want_net;	/* poll(2) events */
	short		 want_plain;
};

struct session {
	char	 protocol[32];
	char	 cipher[128];
	char	 sni[256];
	char	 alpn[256];
	char	 verify[256];
	char	 s_dn[DN_MAX];
	char	 i_dn[DN_MAX];
	char	 serial[128];
	char	 sha256[2 * EVP_MAX_MD_SIZE + 1];
	char	 vars[TLS_NVARS][DN_MAX + 32];
};

static const char *tls_error(SSL *, int);
static int	 tls_handshake(SSL *, unsigned int, const char **);
static void	 tls_name(X509_NAME *, char *, size_t);
static void	 tls_session(SSL *, int, struct session *);
static void	 tls_env(struct forkd_conn *, struct session *);
static int	 relay_wait(struct relay *, int);
static int	 relay_err(struct relay *);
static int	 relay_up(struct relay *);
static int	 relay_down(struct relay *);
static void	 relay_run(struct relay *);
static __attribute__((noreturn)) void relay_exit(pid_t, struct relay *);

/* Why a handshake failed, in a few words. */
static const char *
tls_error(SSL *ssl, int ret)
{
	static char	buf[256];
	unsigned long	e;
	long		v;

	switch (SSL_get_error(ssl, ret)) {
	case SSL_ERROR_SYSCALL:
		if (ERR_peek_error() == 0)
			return errno == 0 ? "the client closed the connection" :
			    strerror(errno);
		break;
	case SSL_ERROR_ZERO_RETURN:
		return "the client closed the connection";
	}
	if ((v = SSL_get_verify_result(ssl)) != X509_V_OK) {
		snprintf(buf, sizeof(buf), "bad client certificate: %s",
		    X509_verify_cert_error_string(v));
		return buf;
	}
	if ((e = ERR_peek_last_error()) != 0 &&
	    ERR_reason_error_string(e) != NULL)
		strlcpy(buf, ERR_reason_error_string(e), sizeof(buf));
	else
		strlcpy(buf, "handshake failed", sizeof(buf));
	return buf;
}

/* The handshake on a non-blocking socket, within timeout ms. */
static int
tls_handshake(SSL *ssl, unsigned int timeout, const char **why)
{
	struct pollfd	pfd;
	uint64_t	end = clock_ms() + timeout, now;
	int		ret, n;

	for (;;) {
		ERR_clear_error();
		errno = 0;
		if ((ret = SSL_accept(ssl)) == 1)
			return 0;
		pfd.fd = NET;
		switch (SSL_get_error(ssl, ret)) {
		case SSL_ERROR_WANT_READ:
			pfd.events = POLLIN;
			break;
		case SSL_ERROR_WANT_WRITE:
			pfd.events = POLLOUT;
			break;
		default:
			*why = tls_error(ssl, ret);
			return -1;
		}
		if ((now = clock_ms()) >= end) {
			*why = "timeout";
			return -1;
		}
		if ((n = poll(&pfd, 1, (int)(end - now))) == 0) {
			*why = "timeout";
			return -1;
		}
		if (n == -1 && errno != EINTR) {
			*why = strerror(errno);
			return -1;
		}
	}
}

/* RFC 2253, as mod_ssl's SSL_CLIENT_S_DN. */
static void
tls_name(X509_NAME *name, char *buf, size_t size)
{
	BIO	*bio;
	int	 n;

	*buf = '\0';
	if (name == NULL || (bio = BIO_new(BIO_s_mem())) == NULL)
		return;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0 &&
	    (n = BIO_read(bio, buf, (int)size - 1)) > 0)
		buf[n] = '\0';
	BIO_free(bio);
}

static void
tls_session(SSL *ssl, int verify, struct session *s)
{
	const unsigned char	*alpn;
	const char		*sni;
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 alpnlen, mdlen, i;
	ASN1_INTEGER		*serial;
	BIGNUM			*bn;
	X509			*peer;
	char			*hex;
	long			 v;

	memset(s, 0, sizeof(*s));
	strlcpy(s->protocol, SSL_get_version(ssl), sizeof(s->protocol));
	strlcpy(s->cipher, SSL_get_cipher_name(ssl), sizeof(s->cipher));
	if ((sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) != NULL)
		strlcpy(s->sni, sni, sizeof(s->sni));
	SSL_get0_alpn_selected(ssl, &alpn, &alpnlen);
	if (alpnlen > 0 && alpnlen < sizeof(s->alpn)) {
		memcpy(s->alpn, alpn, alpnlen);
		s->alpn[alpnlen] = '\0';
	}
	if ((peer = SSL_get1_peer_certificate(ssl)) == NULL) {
		strlcpy(s->verify, "NONE", sizeof(s->verify));
		return;
	}
	if ((v = SSL_get_verify_result(ssl)) == X509_V_OK &&
	    verify != CONF_TLS_VERIFY_NONE)
		strlcpy(s->verify, "SUCCESS", sizeof(s->verify));
	else
		snprintf(s->verify, sizeof(s->verify), "FAILED:%s",
		    verify == CONF_TLS_VERIFY_NONE ? "not verified" :
		    X509_verify_cert_error_string(v));
	tls_name(X509_get_subject_name(peer), s->s_dn, sizeof(s->s_dn));
	tls_name(X509_get_issuer_name(peer), s->i_dn, sizeof(s->i_dn));
	if ((serial = X509_get_serialNumber(peer)) != NULL &&
	    (bn = ASN1_INTEGER_to_BN(serial, NULL)) != NULL) {
		if ((hex = BN_bn2hex(bn)) != NULL) {
			strlcpy(s->serial, hex, sizeof(s->serial));
			OPENSSL_free(hex);
		}
		BN_free(bn);
	}
	if (X509_digest(peer, EVP_sha256(), md, &mdlen) == 1)
		for (i = 0; i < mdlen; i++)
			snprintf(s->sha256 + 2 * i, 3, "%02x", md[i]);
	X509_free(peer);
}

/* conn's tls_* fields, and its env with the SSL_* variables after. */
static void
tls_env(struct forkd_conn *conn, struct session *s)
{
	static const char	*env[TICKET_ENV_MAX + TLS_NVARS + 1];
	const struct {
		const char	*name;
		const char	*value;
		const char	**field;
	} v[TLS_NVARS] = {
		{ "SSL_PROTOCOL", s->protocol, &conn->tls_protocol },
		{ "SSL_CIPHER", s->cipher, &conn->tls_cipher },
		{ "SSL_TLS_SNI", s->sni, &conn->tls_sni },
		{ "SSL_ALPN", s->alpn, &conn->tls_alpn },
		{ "SSL_CLIENT_VERIFY", s->verify, &conn->tls_client_verify },
		{ "SSL_CLIENT_S_DN", s->s_dn, &conn->tls_client_s_dn },
		{ "SSL_CLIENT_I_DN", s->i_dn, &conn->tls_client_i_dn },
		{ "SSL_CLIENT_M_SERIAL", s->serial,
		    &conn->tls_client_serial },
		{ "SSL_CLIENT_CERT_SHA256", s->sha256,
		    &conn->tls_client_sha256 },
	};
	size_t			 n = 0, i;

	for (i = 0; conn->env != NULL && conn->env[i] != NULL &&
	    n < TICKET_ENV_MAX; i++)
		env[n++] = conn->env[i];
	for (i = 0; i < TLS_NVARS; i++) {
		if (*v[i].value == '\0')
			continue;
		*v[i].field = v[i].value;
		snprintf(s->vars[i], sizeof(s->vars[i]), "%s=%s", v[i].name,
		    v[i].value);
		env[n++] = s->vars[i];
	}
	env[n] = NULL;
	conn->env = env;
}

/*
 * After an SSL call that returned ret: 0 when it waits for the client's
 * socket (r->want_net says how), else SSL_get_error()'s code.
 */
static int
relay_wait(struct relay *r, int ret)
{
	int	e = SSL_get_error(r->ssl, ret);

	if (e == SSL_ERROR_WANT_READ)
		r->want_net |= POLLIN;
	else if (e == SSL_ERROR_WANT_WRITE)
		r->want_net |= POLLOUT;
	else
		return e;
	return 0;
}

/* Client to handler: what can move now; 1 if anything did. */
static int
relay_up(struct relay *r)
{
	ssize_t	n;
	int	ret, e, moved = 0;

	if (!r->net_eof && r->uplen == 0) {
		ERR_clear_error();
		errno = 0;
		if ((ret = SSL_read(r->ssl, r->up, sizeof(r->up))) > 0) {
			r->upoff = 0;
			r->uplen = (size_t)ret;
			moved = 1;
		} else if ((e = relay_wait(r, ret)) == SSL_ERROR_ZERO_RETURN)
			r->net_eof = moved = 1;
		else if (e != 0)
			/* Gone without close_notify, or broken. */
			r->net_eof = r->net_dead = moved = 1;
	}
	if (r->uplen > 0) {
		n = send(r->plain, r->up + r->upoff, r->uplen - r->upoff,
		    MSG_NOSIGNAL);
		if (n > 0) {
			r->upoff += (size_t)n;
			if (r->upoff == r->uplen)
				r->uplen = 0;
			moved = 1;
		} else if (n == -1 && (errno == EAGAIN || errno == EINTR))
			r->want_plain |= POLLOUT;
		else {
			/* The handler reads no more: what comes is dropped. */
			r->uplen = 0;
			moved = 1;
		}
	}
	if (r->net_eof && r->uplen == 0 && !r->up_shut) {
		shutdown(r->plain, SHUT_WR);
		r->up_shut = moved = 1;
	}
	return moved;
}

/* Handler to client. */
static int
relay_down(struct relay *r)
{
	ssize_t	n;
	int	ret, moved = 0;

	if (!r->plain_eof && r->downlen == 0) {
		n = read(r->plain, r->down, sizeof(r->down));
		if (n > 0) {
			r->downoff = 0;
			r->downlen = (size_t)n;
			moved = 1;
		} else if (n == -1 && (errno == EAGAIN || errno == EINTR))
			r->want_plain |= POLLIN;
		else
			r->plain_eof = moved = 1;
	}
	if (r->downlen > 0 && r->net_dead) {
		r->downlen = 0;
		moved = 1;
	}
	if (r->downlen > 0) {
		ERR_clear_error();
		if ((ret = SSL_write(r->ssl, r->down + r->downoff,
		    (int)(r->downlen - r->downoff))) > 0) {
			r->downoff += (size_t)ret;
			if (r->downoff == r->downlen)
				r->downlen = 0;
			moved = 1;
		} else if (relay_wait(r, ret) != 0) {
			r->net_dead = r->net_eof = 1;
			r->downlen = 0;
			moved = 1;
		}
	}
	if (r->plain_eof && r->downlen == 0 && !r->down_shut) {
		/* close_notify, once: its answer is not waited for. */
		if (!r->net_dead)
			(void)SSL_shutdown(r->ssl);
		shutdown(r->net, SHUT_WR);
		r->down_shut = moved = 1;
	}
	return moved;
}

/*
 * The handler's standard error, passed on to the relay's: forkd knows
 * the relay by its pid, and logs it under the service's name.  Without
 * blocking, unless wait; 1 if anything was read.
 */
static int
relay_err(struct relay *r)
{
	char	buf[4096];
	ssize_t	n, w, off;

	if (r->err == -1)
		return 0;
	if ((n = read(r->err, buf, sizeof(buf))) == -1 &&
	    (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0) {
		close(r->err);
		r->err = -1;
		return 1;
	}
	for (off = 0; off < n; off += w)
		if ((w = write(STDERR_FILENO, buf + off, n - off)) <= 0)
			break;
	return 1;
}

/*
 * Until both ways are done, the handler has closed its end once it has
 * nothing more to send, or the client is gone: then the handler is cut
 * off, and finds the socket closed as it would find the client's.  No
 * idle timeout of its own: a handler's idle-timeout is the handler's.
 */
static void
relay_run(struct relay *r)
{
	struct pollfd	pfd[3];
	int		moved, n;

	for (;;) {
		r->want_net = r->want_plain = 0;
		moved = relay_up(r);
		moved |= relay_down(r);
		moved |= relay_err(r);
		if (r->up_shut && r->down_shut)
			return;
		if (r->down_shut && r->plain_hup)
			return;
		if (r->net_dead && r->uplen == 0) {
			shutdown(r->plain, SHUT_RDWR);
			return;
		}
		if (moved)
			continue;
		pfd[0].fd = r->want_net ? r->net : -1;
		pfd[0].events = r->want_net;
		/* Once it sends no more, its hang-up ends the relay. */
		pfd[1].fd = r->want_plain || r->plain_eof ? r->plain : -1;
		pfd[1].events = r->want_plain;
		pfd[2].fd = r->err;
		pfd[2].events = POLLIN;
		pfd[0].revents = pfd[1].revents = 0;
		if ((n = poll(pfd, 3, -1)) == -1 && errno != EINTR)
			return;
		if (r->plain_eof && (pfd[1].revents & (POLLHUP | POLLERR)))
			r->plain_hup = 1;
	}
}

/*
 * As the handler ended: its status, or its signal, once what it wrote
 * to its standard error is passed on.
 */
static void
relay_exit(pid_t pid, struct relay *r)
{
	int	status;

	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			_exit(CHILD_SETUP_FAILED);
	while (relay_err(r))
		;
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		kill(getpid(), WTERMSIG(status));
		_exit(128 + WTERMSIG(status));
	}
	_exit(WEXITSTATUS(status));
}

void
tls_child(const struct tls *t, struct forkd_conn *conn, int keyfd)
{
	static struct session	 s;
	static struct relay	 r;
	const char		*why = NULL;
	sigset_t		 set;
	SSL			*ssl;
	pid_t			 pid;
	int			 sv[2], ep[2], fl, one = 1;

	tlskey_use(keyfd);
	/*
	 * OpenSSL writes with write(2): a client that resets mid-handshake
	 * is a failed handshake, not a SIGPIPE.  The handler gets the
	 * default back.
	 */
	signal(SIGPIPE, SIG_IGN);
	/*
	 * The server's flights are written in pieces, the last one after
	 * the key process has signed: Nagle's algorithm would hold it
	 * until the client's delayed ACK.  Records carry whole writes, so
	 * the relay wants none of it either; stunnel does the same.
	 */
	(void)setsockopt(NET, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((fl = fcntl(NET, F_GETFL)) == -1 ||
	    fcntl(NET, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    (ssl = SSL_new(t->ctx[0])) == NULL || SSL_set_fd(ssl, NET) != 1) {
		log_warnx("service %s: tls: cannot start", conn->service);
		_exit(CHILD_SETUP_FAILED);
	}
	if (tls_handshake(ssl, t->timeout, &why) == -1) {
		__atomic_fetch_add(t->failed, 1, __ATOMIC_RELAXED);
		if (log_verbose())
			log_debug("service %s: TLS handshake with %s failed: "
			    "%s", conn->service, *conn->remote_ip != '\0' ?
			    conn->remote_ip : "a unix-domain client", why);
		_exit(CHILD_SETUP_FAILED);
	}
	/* No more signatures: the key process is not this child's to ask. */
	close(keyfd);
	tlskey_use(-1);
	tls_session(ssl, t->verify, &s);
	tls_env(conn, &s);
#ifndef OPENSSL_NO_KTLS
	/*
	 * Kernel TLS both ways (OpenSSL 3.0 offers it for TLS 1.2; for 1.3
	 * only sending): the kernel makes and opens the records, so the
	 * handler is given the socket itself, blocking again, and no relay
	 * runs.  Its close sends no close_notify.
	 */
	if (BIO_get_ktls_send(SSL_get_wbio(ssl)) &&
	    BIO_get_ktls_recv(SSL_get_rbio(ssl))) {
		if (fcntl(NET, F_SETFL, fl) == -1) {
			log_warn("service %s: fcntl", conn->service);
			_exit(CHILD_SETUP_FAILED);
		}
		signal(SIGPIPE, SIG_DFL);
		conn->fd = NET;
		return;
	}
#endif

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1 ||
	    pipe2(ep, O_CLOEXEC | O_NONBLOCK) == -1 || (pid = fork()) == -1) {
		log_warn("service %s: tls", conn->service);
		_exit(CHILD_SETUP_FAILED);
	}
	if (pid == 0) {
		/*
		 * The handler's: the plain socket on 0 and 1, and standard
		 * error through the relay (which dup2(2) makes blocking
		 * again: the flag is the pipe's, but the end is its own).
		 */
		if (dup2(sv[1], STDIN_FILENO) == -1 ||
		    dup2(sv[1], STDOUT_FILENO) == -1 ||
		    dup2(ep[1], STDERR_FILENO) == -1 ||
		    fcntl(STDERR_FILENO, F_SETFL, 0) == -1) {
			log_warn("service %s: dup2", conn->service);
			_exit(CHILD_SETUP_FAILED);
		}
		close(sv[0]);
		close(sv[1]);
		close(ep[0]);
		close(ep[1]);
		signal(SIGPIPE, SIG_DFL);
		conn->fd = STDIN_FILENO;
		return;
	}
	/* The relay's. */
	close(sv[1]);
	close(ep[1]);
	r.net = NET;
	r.err = ep[0];
	if ((fl = fcntl(sv[0], F_GETFL)) != -1)
		fcntl(sv[0], F_SETFL, fl | O_NONBLOCK);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
	/*
	 * The relay reads what the client sends: under a filter of its
	 * own, and it executes nothing, so no_new_privs costs it nothing.
	 */
	if (t->relay != NULL &&
	    (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, t->relay) == -1)) {
		log_warn("service %s: tls: the relay's filter", conn->service);
		kill(pid, SIGKILL);
		relay_exit(pid, &r);
	}
	/*
	 * Whole reads from here on: a record's header and body in one
	 * read(2), and the records behind it (not before: a kernel TLS
	 * hand-over wants nothing read past the handshake).
	 */
	SSL_set_read_ahead(ssl, 1);
	r.ssl = ssl;
	r.plain = sv[0];
	relay_run(&r);
	SSL_free(ssl);
	close(STDIN_FILENO);
	close(STDOUT_FILENO);
	close(r.plain);
	relay_exit(pid, &r);
}
