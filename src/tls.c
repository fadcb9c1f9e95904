/* SPDX-License-Identifier: ISC */
/*
 * A service's TLS, on the master's side: the contexts, the certificates
 * and the session ticket keys (tls.h).  The children's side is
 * tlschild.c, the keys' tlskey.c.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "conf.h"
#include "log.h"
#include "pages.h"
#include "sandbox.h"
#include "tls.h"
#include "tlskey.h"

static struct tls_ticket_key	tickets[2];	/* this load's, the last's */
static int			rotated;

static const char *tls_reason(void);
static int	tls_ctx(struct tls *, const struct conf_settings *, size_t,
		    const char *, char *, size_t);
static void	tls_expiry(const struct conf_tls_cert *, X509 *);
static int	tls_sni(SSL *, int *, void *);
static int	tls_alpn(SSL *, const unsigned char **, unsigned char *,
		    const unsigned char *, unsigned int, void *);
static int	tls_verify_any(int, X509_STORE_CTX *);
static int	tls_ticket(SSL *, unsigned char *, unsigned char *,
		    EVP_CIPHER_CTX *, EVP_MAC_CTX *, int);

/* OpenSSL's last reason, its queue then cleared. */
static const char *
tls_reason(void)
{
	static char	buf[256];
	unsigned long	e;

	if ((e = ERR_peek_last_error()) == 0)
		strlcpy(buf, strerror(errno), sizeof(buf));
	else if (ERR_GET_LIB(e) == ERR_LIB_SYS)
		strlcpy(buf, strerror(ERR_GET_REASON(e)), sizeof(buf));
	else if (ERR_reason_error_string(e) != NULL)
		strlcpy(buf, ERR_reason_error_string(e), sizeof(buf));
	else
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

void
tls_libs(int used)
{
	static const char *const names[] = {
		"/libssl.so", "/libcrypto.so", NULL,
	};

	pages_libs(names, !used);
}

void
tls_rotate(void)
{
	tickets[1] = tickets[0];
	arc4random_buf(&tickets[0], sizeof(tickets[0]));
	if (!rotated)
		arc4random_buf(&tickets[1], sizeof(tickets[1]));
	rotated = 1;
}

/* A warning, not an error: the certificate may be renewed by a reload. */
static void
tls_expiry(const struct conf_tls_cert *c, X509 *leaf)
{
	const ASN1_TIME	*t = X509_get0_notAfter(leaf);
	BIO		*bio;
	char		 when[64] = "?", msg[PATH_MAX + 128];
	int		 n;

	if (X509_cmp_current_time(t) > 0)
		return;
	if ((bio = BIO_new(BIO_s_mem())) != NULL) {
		if (ASN1_TIME_print(bio, t) == 1 &&
		    (n = BIO_read(bio, when, sizeof(when) - 1)) > 0)
			when[n] = '\0';
		BIO_free(bio);
	}
	conf_where_msg(msg, sizeof(msg), &c->where, "tls-certificate: %s "
	    "expired on %s", c->chain, when);
	log_warnx("%s", msg);
}

/* Context i, for certificate i, with all the service's settings. */
static int
tls_ctx(struct tls *t, const struct conf_settings *s, size_t i,
    const char *name, char *err, size_t errlen)
{
	const struct conf_tls_cert	*c = &s->tls_certs[i];
	STACK_OF(X509_NAME)		*cas;
	SSL_CTX				*ctx;
	X509				*leaf;
	char				 ciphers[8192];
	unsigned long			 e;
	int				 mode;

	if ((ctx = t->ctx[i] = SSL_CTX_new(TLS_server_method())) == NULL) {
		conf_where_msg(err, errlen, &c->where, "tls: %s",
		    tls_reason());
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, (s->tls_protocols & CONF_TLS_1_2) ?
	    TLS1_2_VERSION : TLS1_3_VERSION);
	SSL_CTX_set_max_proto_version(ctx, (s->tls_protocols & CONF_TLS_1_3) ?
	    TLS1_3_VERSION : TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION |
	    SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION |
	    SSL_OP_IGNORE_UNEXPECTED_EOF
#ifdef SSL_OP_ENABLE_KTLS
	    | SSL_OP_ENABLE_KTLS
#endif
	    );
	/* The chain as the file gives it, not one made from the CAs. */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_NO_AUTO_CHAIN);
	SSL_CTX_set_dh_auto(ctx, 1);
	/*
	 * RSA key exchange never: it has no forward secrecy, and the key
	 * process signs, it does not decrypt.
	 */
	snprintf(ciphers, sizeof(ciphers), "%s:!kRSA", s->tls_ciphers != NULL ?
	    s->tls_ciphers : OSSL_default_cipher_list());
	if (SSL_CTX_set_cipher_list(ctx, ciphers) != 1 &&
	    (s->tls_protocols & CONF_TLS_1_2)) {
		conf_where_msg(err, errlen, conf_where(s,
		    CONF_SET_TLS_CIPHERS), "tls-ciphers: no cipher left "
		    "without RSA key exchange, which forkd does not offer");
		return -1;
	}
	if (s->tls_ciphersuites != NULL)
		SSL_CTX_set_ciphersuites(ctx, s->tls_ciphersuites);
	/*
	 * No cache: a child lives for one connection.  Tickets carry the
	 * sessions, sealed with keys every child of the service has.
	 */
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_session_id_context(ctx, (const unsigned char *)name,
	    (unsigned int)strnlen(name, SSL_MAX_SID_CTX_LENGTH));
	SSL_CTX_set_num_tickets(ctx, 1);
	SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, tls_ticket);
	SSL_CTX_set_app_data(ctx, t);
	if (t->nctx > 1)
		SSL_CTX_set_tlsext_servername_callback(ctx, tls_sni);
	if (t->alpn != NULL)
		SSL_CTX_set_alpn_select_cb(ctx, tls_alpn, t);

	if (SSL_CTX_use_certificate_chain_file(ctx, c->chain) != 1) {
		e = ERR_peek_last_error();
		conf_where_msg(err, errlen, &c->where,
		    "tls-certificate: %s: %s", c->chain,
		    ERR_GET_LIB(e) == ERR_LIB_PEM ||
		    ERR_GET_REASON(e) == ERR_R_PEM_LIB ?
		    "no certificate in PEM form" : tls_reason());
		ERR_clear_error();
		return -1;
	}
	if ((leaf = SSL_CTX_get0_certificate(ctx)) == NULL ||
	    X509_up_ref(leaf) != 1) {
		conf_where_msg(err, errlen, &c->where,
		    "tls-certificate: %s: no certificate", c->chain);
		return -1;
	}
	t->leaf[i] = leaf;
	tls_expiry(c, leaf);

	if (s->tls_client_ca != NULL) {
		ERR_clear_error();
		if (SSL_CTX_load_verify_file(ctx, s->tls_client_ca) != 1 ||
		    (cas = SSL_load_client_CA_file(s->tls_client_ca)) ==
		    NULL) {
			conf_where_msg(err, errlen, conf_where(s,
			    CONF_SET_TLS_CLIENT_CA), "tls-client-ca: %s: %s",
			    s->tls_client_ca, tls_reason());
			return -1;
		}
		SSL_CTX_set_client_CA_list(ctx, cas);
	}
	switch (s->tls_verify) {
	case CONF_TLS_VERIFY_NONE:
		break;
	case CONF_TLS_VERIFY_OPTIONAL:
		/* Every certificate goes on; the handler is told how it did. */
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, tls_verify_any);
		break;
	case CONF_TLS_VERIFY_REQUIRE:
		mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
		SSL_CTX_set_verify(ctx, mode, NULL);
		break;
	}
	return 0;
}

struct tls *
tls_new(const struct conf_service *cs, int check, char *err, size_t errlen)
{
	const struct conf_settings	*s = &cs->s;
	struct tls			*t;
	EVP_PKEY			*stub;
	size_t				 i;

	*err = '\0';
	if (s->ntls_certs == 0)
		return NULL;
	if (!rotated)
		tls_rotate();
	if ((t = calloc(1, sizeof(*t))) == NULL)
		goto nomem;
	t->keyfd = -1;
	t->timeout = s->tls_handshake_timeout;
	t->verify = s->tls_verify;
	memcpy(t->keys, tickets, sizeof(t->keys));
	t->nctx = s->ntls_certs;
	if ((t->ctx = calloc(t->nctx, sizeof(*t->ctx))) == NULL ||
	    (t->leaf = calloc(t->nctx, sizeof(*t->leaf))) == NULL)
		goto nomem;
	if ((t->failed = mmap(NULL, sizeof(*t->failed), PROT_READ |
	    PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0)) == MAP_FAILED) {
		t->failed = NULL;
		goto nomem;
	}
	if (s->tls_alpn != NULL) {
		if ((t->alpn = malloc(s->tls_alpn_len)) == NULL)
			goto nomem;
		memcpy(t->alpn, s->tls_alpn, s->tls_alpn_len);
		t->alpnlen = s->tls_alpn_len;
	}
	for (i = 0; i < t->nctx; i++)
		if (tls_ctx(t, s, i, cs->name, err, errlen) == -1)
			goto fail;
	/* As the built-ins are, unless the service says syscall-filter off. */
	if (!((s->set & CONF_SET_SYSFILTER) && s->nsysfilter == 0) &&
	    (t->relay = sandbox_relay()) == NULL) {
		snprintf(err, errlen, "service %s: tls: the relay's filter",
		    cs->name);
		goto fail;
	}
	if (check) {
		if (tlskey_check(s->tls_certs, t->leaf, t->nctx, err,
		    errlen) == -1)
			goto fail;
	} else if ((t->keyfd = tlskey_start(s->tls_certs, t->leaf, t->nctx,
	    err, errlen)) == -1)
		goto fail;
	for (i = 0; i < t->nctx; i++) {
		if ((stub = tlskey_stub(t->leaf[i], (int)i, err,
		    errlen)) == NULL)
			goto fail;
		if (SSL_CTX_use_PrivateKey(t->ctx[i], stub) != 1) {
			EVP_PKEY_free(stub);
			conf_where_msg(err, errlen, &s->tls_certs[i].where,
			    "tls-certificate: %s: %s", s->tls_certs[i].chain,
			    tls_reason());
			goto fail;
		}
		EVP_PKEY_free(stub);
	}
	return t;
nomem:
	snprintf(err, errlen, "service %s: tls: %s", cs->name,
	    strerror(errno));
fail:
	tls_free(t);
	return NULL;
}

void
tls_free(struct tls *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nctx; i++) {
		if (t->ctx != NULL)
			SSL_CTX_free(t->ctx[i]);
		if (t->leaf != NULL)
			X509_free(t->leaf[i]);
	}
	free(t->ctx);
	free(t->leaf);
	if (t->keyfd != -1)
		close(t->keyfd);
	if (t->failed != NULL)
		munmap(t->failed, sizeof(*t->failed));
	free(t->alpn);
	OPENSSL_cleanse(t->keys, sizeof(t->keys));
	free(t);
}

void
tls_adopt(struct tls *t, struct tls *old)
{
	munmap(t->failed, sizeof(*t->failed));
	t->failed = old->failed;
	t->taken = old->taken;
	old->failed = NULL;
}

uint64_t
tls_failures(struct tls *t)
{
	uint64_t	n;

	if (t->failed == NULL)
		return 0;
	n = __atomic_load_n(t->failed, __ATOMIC_RELAXED);
	n -= t->taken;
	t->taken += n;
	return n;
}

/* SNI: the first certificate whose names cover the name asked for. */
static int
tls_sni(SSL *ssl, int *alert, void *arg)
{
	struct tls	*t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	const char	*name;
	size_t		 i;

	(void)alert;
	(void)arg;
	if ((name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) ==
	    NULL)
		return SSL_TLSEXT_ERR_OK;
	for (i = 0; i < t->nctx; i++)
		if (X509_check_host(t->leaf[i], name, 0, 0, NULL) == 1) {
			if (i > 0 && SSL_set_SSL_CTX(ssl, t->ctx[i]) == NULL)
				return SSL_TLSEXT_ERR_ALERT_FATAL;
			break;
		}
	return SSL_TLSEXT_ERR_OK;
}

/* The server's order; no overlap goes on without ALPN. */
static int
tls_alpn(SSL *ssl, const unsigned char **out, unsigned char *outlen,
    const unsigned char *in, unsigned int inlen, void *arg)
{
	struct tls	*t = arg;
	unsigned char	*sel;

	(void)ssl;
	if (SSL_select_next_proto(&sel, outlen, t->alpn,
	    (unsigned int)t->alpnlen, in, inlen) != OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

/* tls-client-verify optional: the result is the handler's to judge. */
static int
tls_verify_any(int ok, X509_STORE_CTX *ctx)
{
	(void)ok;
	(void)ctx;
	return 1;
}

/*
 * Session tickets: sealed with this load's key, opened with it or the
 * last load's.  A resumed session always gets a new ticket (2): a
 * TLS 1.3 client uses each ticket once, and without it, every other
 * connection would be a full handshake.  An unknown name is one.
 */
static int
tls_ticket(SSL *ssl, unsigned char *name, unsigned char *iv,
    EVP_CIPHER_CTX *cctx, EVP_MAC_CTX *hctx, int enc)
{
	struct tls			*t;
	const struct tls_ticket_key	*k;
	OSSL_PARAM			 params[2];
	int				 i;

	t = SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl));
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (enc) {
		k = &t->keys[0];
		memcpy(name, k->name, sizeof(k->name));
		if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(
		    EVP_aes_256_cbc())) != 1 ||
		    EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), NULL, k->aes,
		    iv) != 1 ||
		    EVP_MAC_init(hctx, k->hmac, sizeof(k->hmac), params) != 1)
			return -1;
		return 1;
	}
	for (i = 0; i < 2; i++) {
		k = &t->keys[i];
		if (memcmp(name, k->name, sizeof(k->name)) != 0)
			continue;
		if (EVP_MAC_init(hctx, k->hmac, sizeof(k->hmac),
		    params) != 1 || EVP_DecryptInit_ex(cctx,
		    EVP_aes_256_cbc(), NULL, k->aes, iv) != 1)
			return -1;
		return 2;
	}
	return 0;
}
