/* SPDX-License-Identifier: ISC */
/*
 * TLS for a service (SPEC section 10).
 *
 * The master reads the certificates when it loads the configuration and
 * makes one OpenSSL context per certificate, shared with every child
 * copy-on-write.  It never reads a private key: a key-holding process
 * (tlskey.h), started for the service at the same time, reads them and
 * signs for the children over a socket.  The handshake happens in the
 * child, with its privileges dropped.  Then the child forks: the
 * handler runs in the new process on one end of a socket pair, in the
 * clear, and the child relays between that and the client.  Session
 * tickets are sealed with keys the master makes, rotated at each load:
 * a child can resume a session another child began, across one reload.
 */

#ifndef FORKD_TLS_H
#define FORKD_TLS_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include <forkd/handler.h>

struct conf_service;
struct sock_fprog;

/* The SSL_* variables a TLS service's child adds to the environment. */
#define TLS_NVARS	9

/* Of the session tickets: name, HMAC key, AES key. */
struct tls_ticket_key {
	unsigned char	name[16];
	unsigned char	hmac[32];
	unsigned char	aes[32];
};

struct tls {
	struct ssl_ctx_st **ctx;	/* per certificate; [0]: the default */
	struct x509_st	**leaf;		/* each one's own certificate */
	size_t		  nctx;
	int		  keyfd;	/* the children's end, or -1 */
	unsigned int	  timeout;	/* handshake, ms */
	int		  verify;	/* enum conf_tls_verify */
	unsigned char	 *alpn;		/* the wire's format */
	size_t		  alpnlen;
	uint64_t	 *failed;	/* shared with the children */
	uint64_t	  taken;	/* of *failed, counted already */
	struct tls_ticket_key keys[2];	/* sealing, and the last load's */
	const struct sock_fprog *relay;	/* the relay's filter, or NULL */
};

/*
 * A service's TLS: contexts, certificates checked, the key process
 * started.  With check (forkd -n), the keys are read and checked here
 * and no process is started.  NULL with a "file:line: ..." message in
 * err, or with *err == '\0' when the service has no certificate.
 */
struct tls	*tls_new(const struct conf_service *, int check, char *err,
		    size_t errlen);
void		 tls_free(struct tls *);

/*
 * Whether children may need OpenSSL: when no service has TLS or a
 * module that links it, its libraries' writable mappings are kept out
 * of every fork, which
 * they would otherwise slow (each fork copies the page tables of their
 * relocated data): 0.8 times the connections a second of the built-in
 * echo at concurrency 8.
 */
void		 tls_libs(int used);

/* New ticket keys for the services made from now on: once per load. */
void		 tls_rotate(void);

/*
 * After a reload, t counts for the children it adopts from old, which
 * has its count no more.
 */
void		 tls_adopt(struct tls *t, struct tls *old);

/* Handshakes that failed in children since the last call. */
uint64_t	 tls_failures(struct tls *);

/*
 * In the child, on descriptor 0 (and 1), with keyfd the key channel:
 * the handshake, bounded by the handshake timeout.  It fails with a
 * reason logged under -v, and the child exits.  Then it forks and
 * returns in the new process, whose descriptors 0 and 1 are a plain
 * socket to the relay, and whose conn tells of the session (its tls_*
 * and, with the SSL_* variables added, its env).  The relay itself
 * never returns: it exits as the handler did.
 */
void		 tls_child(const struct tls *, struct forkd_conn *,
		    int keyfd);

#endif /* FORKD_TLS_H */
