/* SPDX-License-Identifier: ISC */
/*
 * The configuration as data: defaults, the merge of the global settings
 * into each service, and freeing.  Nothing here reads a file or reports
 * an error: a NULL or -1 means out of memory.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "confparse.h"
#include "pages.h"

static void	*memdup(const void *, size_t, size_t);
static char	**strv_dup(char **, size_t);
static void	 strv_free(char **, size_t);

static void *
memdup(const void *src, size_t n, size_t size)
{
	void	*dst;

	if ((dst = reallocarray(NULL, n, size)) != NULL)
		memcpy(dst, src, n * size);
	return dst;
}

static char **
strv_dup(char **v, size_t n)
{
	char	**d;
	size_t	  i;

	if ((d = calloc(n, sizeof(*d))) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		if ((d[i] = strdup(v[i])) == NULL) {
			strv_free(d, i);
			return NULL;
		}
	return d;
}

static void
strv_free(char **v, size_t n)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
conf_settings_init(struct conf_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->backlog = CONF_BACKLOG;
	s->proxy = CONF_PROXY_OFF;
	s->proxy_timeout = CONF_PROXY_TIMEOUT;
	s->resolve_timeout = CONF_RESOLVE_TIMEOUT;
	s->socket_mode = 0666;
	s->nnp = 1;
	s->caps = UINT64_MAX;
	s->source_v4 = 32;
	s->source_v6 = 128;
	s->tls_protocols = CONF_TLS_1_2 | CONF_TLS_1_3;
	s->tls_handshake_timeout = CONF_TLS_HANDSHAKE_TIMEOUT;
}

void
conf_settings_free(struct conf_settings *s)
{
	free(s->user);
	free(s->group);
	free(s->chroot);
	free(s->acl);
	strv_free(s->env, s->nenv);
	strv_free(s->passenv, s->npassenv);
	free(s->proxy_from);
	free(s->refuse_message);
	free(s->banner);
	free(s->groups);
	strv_free(s->sysfilter, s->nsysfilter);
	strv_free(s->ropaths, s->nropaths);
	strv_free(s->inpaths, s->ninpaths);
	conf_tls_free(s);
}

/*
 * Copy into s every setting of d that s does not give itself, deeply, so
 * that each service owns all it points to, and where it was given.  An
 * rlimit is merged per resource; a list is replaced as a whole.
 */
int
conf_settings_merge(struct conf_settings *s, const struct conf_settings *d)
{
	uint64_t	want = d->set & ~s->set;
	int		k;

	for (k = 0; k < CONF_SET_COUNT; k++)
		if (want & (UINT64_C(1) << k))
			s->where[k] = d->where[k];
	for (k = 0; k < CONF_RLIMIT_MAX; k++)
		if (!s->rlimit[k].set)
			s->rlimit[k] = d->rlimit[k];
	s->set |= d->set & CONF_SET_RLIMIT;
	if (want & CONF_SET_USER) {
		if ((s->user = strdup(d->user)) == NULL)
			return -1;
		s->uid = d->uid;
		s->gid = d->gid;
	}
	if (want & CONF_SET_GROUP) {
		if ((s->group = strdup(d->group)) == NULL)
			return -1;
		s->group_gid = d->group_gid;
	}
	if ((want & CONF_SET_CHROOT) &&
	    (s->chroot = strdup(d->chroot)) == NULL)
		return -1;
	if (want & CONF_SET_MAX_CHILDREN)
		s->max_children = d->max_children;
	if (want & CONF_SET_MAX_PER_SOURCE)
		s->max_per_source = d->max_per_source;
	for (k = 0; k < CONF_SO_MAX; k++)
		if (!(s->sock.set & (1U << k)) && (d->sock.set & (1U << k))) {
			s->sock.v[k] = d->sock.v[k];
			s->sock.set |= 1U << k;
			if (k == CONF_SO_INTERFACE)
				memcpy(s->sock.interface, d->sock.interface,
				    sizeof(s->sock.interface));
		}
	if (want & CONF_SET_NICE)
		s->nice = d->nice;
	if (want & CONF_SET_UMASK)
		s->umask = d->umask;
	if (want & CONF_SET_NNP)
		s->nnp = d->nnp;
	if (want & CONF_SET_PRIVNET)
		s->privnet = d->privnet;
	if (want & CONF_SET_SYSFILTER) {
		if (d->nsysfilter > 0 && (s->sysfilter = strv_dup(d->sysfilter,
		    d->nsysfilter)) == NULL)
			return -1;
		s->nsysfilter = d->nsysfilter;
	}
	if (want & CONF_SET_SYSACTION)
		s->syserrno = d->syserrno;
	if (want & CONF_SET_PRIVTMP)
		s->privtmp = d->privtmp;
	if ((want & CONF_SET_ROPATHS) && d->nropaths > 0) {
		if ((s->ropaths = strv_dup(d->ropaths, d->nropaths)) == NULL)
			return -1;
		s->nropaths = d->nropaths;
	}
	if ((want & CONF_SET_INPATHS) && d->ninpaths > 0) {
		if ((s->inpaths = strv_dup(d->inpaths, d->ninpaths)) == NULL)
			return -1;
		s->ninpaths = d->ninpaths;
	}
	if (want & CONF_SET_CAPS)
		s->caps = d->caps;
	if (want & CONF_SET_SOCKET_MODE)
		s->socket_mode = d->socket_mode;
	if (want & CONF_SET_SOCKET_USER)
		s->socket_uid = d->socket_uid;
	if (want & CONF_SET_SOCKET_GROUP)
		s->socket_gid = d->socket_gid;
	if ((want & CONF_SET_GROUPS) && d->ngroups > 0) {
		if ((s->groups = memdup(d->groups, d->ngroups,
		    sizeof(*d->groups))) == NULL)
			return -1;
		s->ngroups = d->ngroups;
	}
	if (want & CONF_SET_SOURCE_PREFIX) {
		s->source_v4 = d->source_v4;
		s->source_v6 = d->source_v6;
	}
	if (want & CONF_SET_RATE) {
		s->rate = d->rate;
		s->rate_ms = d->rate_ms;
		s->rate_burst = d->rate_burst;
	}
	if ((want & CONF_SET_ACL) && d->nacl > 0) {
		if ((s->acl = memdup(d->acl, d->nacl, sizeof(*d->acl))) == NULL)
			return -1;
		s->nacl = d->nacl;
	}
	if (want & CONF_SET_TIMEOUT)
		s->timeout = d->timeout;
	if (want & CONF_SET_IDLE_TIMEOUT)
		s->idle_timeout = d->idle_timeout;
	if (want & CONF_SET_PROXY_TIMEOUT)
		s->proxy_timeout = d->proxy_timeout;
	if (want & CONF_SET_RESOLVE)
		s->resolve = d->resolve;
	if (want & CONF_SET_RESOLVE_TIMEOUT)
		s->resolve_timeout = d->resolve_timeout;
	if ((want & CONF_SET_ENV) && d->nenv > 0) {
		if ((s->env = strv_dup(d->env, d->nenv)) == NULL)
			return -1;
		s->nenv = d->nenv;
	}
	if ((want & CONF_SET_PASSENV) && d->npassenv > 0) {
		if ((s->passenv = strv_dup(d->passenv, d->npassenv)) == NULL)
			return -1;
		s->npassenv = d->npassenv;
	}
	if (want & CONF_SET_BACKLOG)
		s->backlog = d->backlog;
	if (want & CONF_SET_REUSEPORT)
		s->reuseport = d->reuseport;
	if (want & CONF_SET_PROXY)
		s->proxy = d->proxy;
	if ((want & CONF_SET_PROXY_FROM) && d->nproxy_from > 0) {
		if ((s->proxy_from = memdup(d->proxy_from, d->nproxy_from,
		    sizeof(*d->proxy_from))) == NULL)
			return -1;
		s->nproxy_from = d->nproxy_from;
	}
	if ((want & CONF_SET_BANNER) &&
	    (s->banner = strdup(d->banner)) == NULL)
		return -1;
	if ((want & CONF_SET_REFUSE_MESSAGE) &&
	    (s->refuse_message = strdup(d->refuse_message)) == NULL)
		return -1;
	if (conf_tls_merge(s, d, want) == -1)
		return -1;
	s->set |= want;
	return 0;
}
/* The configuration with nothing given: forkd's defaults. */
struct conf *
conf_new(void)
{
	struct conf	*conf;

	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		return NULL;
	conf->max_children = CONF_MAX_CHILDREN;
	conf->syslog_facility = LOG_DAEMON;
	conf->shutdown_timeout = CONF_SHUTDOWN_TIMEOUT;
	conf_settings_init(&conf->defaults);
	TAILQ_INIT(&conf->services);
	return conf;
}

/* A service named at file:line, with nothing given yet. */
struct conf_service *
conf_service_new(const char *name, const char *file, int line)
{
	struct conf_service	*cs;

	if ((cs = pages_alloc(1, sizeof(*cs))) == NULL ||
	    (cs->name = strdup(name)) == NULL) {
		pages_free(cs, 1, sizeof(*cs));
		return NULL;
	}
	conf_settings_init(&cs->s);
	cs->file = file;
	cs->line = line;
	return cs;
}

void
conf_service_free(struct conf_service *cs)
{
	struct conf_client	*cl;
	size_t			 i;

	for (i = 0; i < cs->nclients; i++) {
		cl = &cs->clients[i];
		strv_free(cl->patterns, cl->npatterns);
		free(cl->lines);
		free(cl->rule.refuse_message);
		free(cl->rule.banner);
		strv_free(cl->rule.env, cl->rule.nenv);
	}
	free(cs->clients);
	for (i = 0; i < cs->nrulefiles; i++)
		free(cs->rulefiles[i].path);
	free(cs->rulefiles);
	ruleset_free(cs->rules);
	free(cs->name);
	pages_free(cs->listen, cs->nlisten, sizeof(*cs->listen));
	strv_free(cs->argv, (size_t)cs->argc);
	conf_settings_free(&cs->s);
	pages_free(cs, 1, sizeof(*cs));
}

void
conf_free(struct conf *conf)
{
	struct conf_service	*cs;

	if (conf == NULL)
		return;
	while ((cs = TAILQ_FIRST(&conf->services)) != NULL) {
		TAILQ_REMOVE(&conf->services, cs, entry);
		conf_service_free(cs);
	}
	conf_settings_free(&conf->defaults);
	conf_errors_free(&conf->warnings);
	strv_free(conf->files, conf->nfiles);
	free(conf->path);
	free(conf->pidfile);
	free(conf);
}

void
conf_errors_free(struct conf_errors *errs)
{
	strv_free(errs->msg, errs->n);
	errs->msg = NULL;
	errs->n = 0;
}

struct conf_service *
conf_service_find(const struct conf *conf, const char *name)
{
	struct conf_service	*cs;

	TAILQ_FOREACH(cs, &conf->services, entry)
		if (strcmp(cs->name, name) == 0)
			return cs;
	return NULL;
}

const struct conf_where *
conf_where(const struct conf_settings *s, uint64_t bit)
{
	int	i;

	for (i = 0; i < CONF_SET_COUNT - 1; i++)
		if (bit & (UINT64_C(1) << i))
			break;
	return &s->where[i];
}

void
conf_where_msg(char *buf, size_t size, const struct conf_where *w,
    const char *fmt, ...)
{
	va_list	ap;
	int	n;

	if (w->line > 0)
		n = snprintf(buf, size, "%s:%d: ", w->file, w->line);
	else
		n = snprintf(buf, size, "%s: ", w->file);
	if (n < 0 || (size_t)n >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}
