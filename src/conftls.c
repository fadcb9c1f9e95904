/* SPDX-License-Identifier: ISC */
/*
 * The tls-* directives (SPEC section 10).  What can be checked without
 * reading a certificate or a key is checked here, at its line: the
 * paths, the versions, the cipher strings, the ALPN names.  The files
 * themselves are read when the service is made (tls.c), and their
 * errors name the line of the directive too.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/ssl.h>

#include "conf.h"
#include "confparse.h"

static int	tls_cert(struct parser *);
static int	tls_file(struct parser *, const char *);
static int	tls_protocols(struct parser *);
static int	tls_ciphers(struct parser *, int);
static int	tls_alpn(struct parser *);

/* A file given to a tls-* directive: absolute, and there. */
static int
tls_file(struct parser *p, const char *path)
{
	struct stat	st;

	if (conf_abspath(p, path) == -1)
		return -1;
	if (stat(path, &st) == -1) {
		conf_err(p, "%s: %s", q(p, path), strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		conf_err(p, "%s is not a file", q(p, path));
		return -1;
	}
	return 0;
}

/* tls-certificate CHAIN KEY: one more, the first the default. */
static int
tls_cert(struct parser *p)
{
	struct conf_settings	*s = p->cur;
	struct conf_tls_cert	*c;

	if (tls_file(p, p->args[0]) == -1 || tls_file(p, p->args[1]) == -1)
		return -1;
	if ((c = reallocarray(s->tls_certs, s->ntls_certs + 1,
	    sizeof(*c))) == NULL)
		return conf_nomem(p);
	s->tls_certs = c;
	c += s->ntls_certs++;
	c->chain = conf_args_steal(p, 0);
	c->key = conf_args_steal(p, 1);
	c->where.file = p->src->file;
	c->where.line = p->src->noline ? 0 : p->src->tokline;
	s->set |= CONF_SET_TLS_CERT;
	return 0;
}

static int
tls_protocols(struct parser *p)
{
	unsigned int	v = 0;
	size_t		i;

	for (i = 0; i < p->nargs; i++) {
		if (strcmp(p->args[i], "1.2") == 0)
			v |= CONF_TLS_1_2;
		else if (strcmp(p->args[i], "1.3") == 0)
			v |= CONF_TLS_1_3;
		else if (strcmp(p->args[i], "1.0") == 0 ||
		    strcmp(p->args[i], "1.1") == 0) {
			conf_err(p, "TLS %s is not offered: only 1.2 and 1.3 "
			    "are", p->args[i]);
			return -1;
		} else {
			conf_err(p, "unknown TLS version %s: 1.2 or 1.3",
			    q(p, p->args[i]));
			return -1;
		}
	}
	p->cur->tls_protocols = v;
	p->cur->set |= CONF_SET_TLS_PROTOCOLS;
	return 0;
}

/*
 * tls-ciphers (TLS 1.2) and tls-ciphersuites (1.3), tried on a context
 * of their own: a string that selects nothing is an error here, not at
 * every reload.
 */
static int
tls_ciphers(struct parser *p, int suites)
{
	static SSL_CTX	*ctx;
	int		 ok;

	if (ctx == NULL && (ctx = SSL_CTX_new(TLS_server_method())) == NULL)
		return conf_nomem(p);
	ok = suites ? SSL_CTX_set_ciphersuites(ctx, p->args[0]) :
	    SSL_CTX_set_cipher_list(ctx, p->args[0]);
	if (!ok) {
		conf_err(p, "%s selects no cipher%s OpenSSL knows",
		    q(p, p->args[0]), suites ? " suite" : "");
		return -1;
	}
	if (suites) {
		free(p->cur->tls_ciphersuites);
		p->cur->tls_ciphersuites = conf_args_steal(p, 0);
		p->cur->set |= CONF_SET_TLS_SUITES;
	} else {
		free(p->cur->tls_ciphers);
		p->cur->tls_ciphers = conf_args_steal(p, 0);
		p->cur->set |= CONF_SET_TLS_CIPHERS;
	}
	return 0;
}

/* tls-alpn NAME, ...: the wire's format, a length byte before each. */
static int
tls_alpn(struct parser *p)
{
	unsigned char	buf[CONF_TLS_ALPN_MAX], *a;
	size_t		len = 0, n, i;

	for (i = 0; i < p->nargs; i++) {
		n = strlen(p->args[i]);
		if (n == 0 || n > 255) {
			conf_err(p, "bad ALPN protocol name %s: 1 to 255 "
			    "bytes", q(p, p->args[i]));
			return -1;
		}
		if (len + 1 + n > sizeof(buf)) {
			conf_err(p, "tls-alpn: more than %d bytes of names",
			    CONF_TLS_ALPN_MAX);
			return -1;
		}
		buf[len++] = (unsigned char)n;
		memcpy(buf + len, p->args[i], n);
		len += n;
	}
	if ((a = malloc(len)) == NULL)
		return conf_nomem(p);
	memcpy(a, buf, len);
	free(p->cur->tls_alpn);
	p->cur->tls_alpn = a;
	p->cur->tls_alpn_len = len;
	p->cur->set |= CONF_SET_TLS_ALPN;
	return 0;
}

int
conf_tls(struct parser *p, const struct keyword *kw)
{
	struct conf_settings	*s = p->cur;
	const char		*name = kw->name + sizeof("tls-") - 1;
	static const struct {
		const char	*name;
		uint64_t	 bit;
	} once[] = {
		{ "alpn", CONF_SET_TLS_ALPN },
		{ "ciphers", CONF_SET_TLS_CIPHERS },
		{ "ciphersuites", CONF_SET_TLS_SUITES },
		{ "client-ca", CONF_SET_TLS_CLIENT_CA },
		{ "client-verify", CONF_SET_TLS_VERIFY },
		{ "handshake-timeout", CONF_SET_TLS_TIMEOUT },
		{ "protocols", CONF_SET_TLS_PROTOCOLS },
	};
	size_t			 i;

	for (i = 0; i < nitems(once); i++)
		if (strcmp(name, once[i].name) == 0 && (s->set & once[i].bit)) {
			conf_err(p, "%s given twice", q(p, kw->name));
			return -1;
		}
	if (strcmp(name, "certificate") == 0)
		return tls_cert(p);
	if (strcmp(name, "protocols") == 0)
		return tls_protocols(p);
	if (strcmp(name, "ciphers") == 0)
		return tls_ciphers(p, 0);
	if (strcmp(name, "ciphersuites") == 0)
		return tls_ciphers(p, 1);
	if (strcmp(name, "alpn") == 0)
		return tls_alpn(p);
	if (strcmp(name, "handshake-timeout") == 0) {
		if (conf_duration(p, p->args[0],
		    &s->tls_handshake_timeout) == -1)
			return -1;
		if (s->tls_handshake_timeout == 0) {
			conf_err(p, "tls-handshake-timeout cannot be 0");
			return -1;
		}
		s->set |= CONF_SET_TLS_TIMEOUT;
		return 0;
	}
	if (strcmp(name, "client-ca") == 0) {
		if (tls_file(p, p->args[0]) == -1)
			return -1;
		s->tls_client_ca = conf_args_steal(p, 0);
		s->set |= CONF_SET_TLS_CLIENT_CA;
		return 0;
	}
	/* client-verify */
	if (strcmp(p->args[0], "none") == 0)
		s->tls_verify = CONF_TLS_VERIFY_NONE;
	else if (strcmp(p->args[0], "optional") == 0)
		s->tls_verify = CONF_TLS_VERIFY_OPTIONAL;
	else if (strcmp(p->args[0], "require") == 0)
		s->tls_verify = CONF_TLS_VERIFY_REQUIRE;
	else {
		conf_err(p, "tls-client-verify: none, optional or require, "
		    "not %s", q(p, p->args[0]));
		return -1;
	}
	s->set |= CONF_SET_TLS_VERIFY;
	return 0;
}

/*
 * What only the merged service shows: TLS settings without a
 * certificate, client verification without a CA to verify against.
 */
void
conf_tls_check(struct parser *p, struct conf_service *cs, uint64_t own)
{
	const struct conf_settings	*s = &cs->s;
	const struct conf_where		*at;
	uint64_t			 bit;

	if (s->ntls_certs == 0) {
		/* Global defaults for TLS services apply to those alone. */
		if ((bit = own & CONF_SET_TLS) == 0)
			return;
		at = conf_where(s, bit & -bit);
		conf_errat(p, at->file, at->line, "service %s has TLS "
		    "settings but no \"tls-certificate\"", q(p, cs->name));
		return;
	}
	if (s->tls_verify != CONF_TLS_VERIFY_NONE &&
	    s->tls_client_ca == NULL) {
		at = conf_where(s, CONF_SET_TLS_VERIFY);
		conf_errat(p, at->file, at->line, "service %s: "
		    "tls-client-verify %s needs \"tls-client-ca\"",
		    q(p, cs->name), s->tls_verify == CONF_TLS_VERIFY_REQUIRE ?
		    "require" : "optional");
	}
}

/* Copy d's TLS settings that s lacks (want) into s, deeply. */
int
conf_tls_merge(struct conf_settings *s, const struct conf_settings *d,
    uint64_t want)
{
	size_t	i;

	if ((want & CONF_SET_TLS_CERT) && d->ntls_certs > 0) {
		if ((s->tls_certs = calloc(d->ntls_certs,
		    sizeof(*s->tls_certs))) == NULL)
			return -1;
		for (i = 0; i < d->ntls_certs; i++) {
			s->tls_certs[i].where = d->tls_certs[i].where;
			if ((s->tls_certs[i].chain =
			    strdup(d->tls_certs[i].chain)) == NULL ||
			    (s->tls_certs[i].key =
			    strdup(d->tls_certs[i].key)) == NULL) {
				s->ntls_certs = i + 1;
				return -1;
			}
		}
		s->ntls_certs = d->ntls_certs;
	}
	if ((want & CONF_SET_TLS_CLIENT_CA) &&
	    (s->tls_client_ca = strdup(d->tls_client_ca)) == NULL)
		return -1;
	if (want & CONF_SET_TLS_VERIFY)
		s->tls_verify = d->tls_verify;
	if (want & CONF_SET_TLS_PROTOCOLS)
		s->tls_protocols = d->tls_protocols;
	if ((want & CONF_SET_TLS_CIPHERS) &&
	    (s->tls_ciphers = strdup(d->tls_ciphers)) == NULL)
		return -1;
	if ((want & CONF_SET_TLS_SUITES) &&
	    (s->tls_ciphersuites = strdup(d->tls_ciphersuites)) == NULL)
		return -1;
	if (want & CONF_SET_TLS_ALPN) {
		if ((s->tls_alpn = malloc(d->tls_alpn_len)) == NULL)
			return -1;
		memcpy(s->tls_alpn, d->tls_alpn, d->tls_alpn_len);
		s->tls_alpn_len = d->tls_alpn_len;
	}
	if (want & CONF_SET_TLS_TIMEOUT)
		s->tls_handshake_timeout = d->tls_handshake_timeout;
	return 0;
}

void
conf_tls_free(struct conf_settings *s)
{
	size_t	i;

	for (i = 0; i < s->ntls_certs; i++) {
		free(s->tls_certs[i].chain);
		free(s->tls_certs[i].key);
	}
	free(s->tls_certs);
	free(s->tls_client_ca);
	free(s->tls_ciphers);
	free(s->tls_ciphersuites);
	free(s->tls_alpn);
}
