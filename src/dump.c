/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <inttypes.h>
#include <stdio.h>

#include "addr.h"
#include "childtab.h"
#include "clock.h"
#include "conf.h"
#include "counters.h"
#include "dump.h"
#include "log.h"

/*
 * A service's counters of one group, as "words N, words N"; the served
 * have the live children after the accepted.
 */
static void
dump_group(const struct svc *svc, enum counter_group group, char *buf,
    size_t size)
{
	size_t	i, len = 0;
	int	n;

	buf[0] = '\0';
	for (i = 0; i < COUNT_MAX; i++) {
		if (counters[i].group != group)
			continue;
		n = snprintf(buf + len, size - len, "%s%s %" PRIu64,
		    len > 0 ? ", " : "", counters[i].dump, svc->n[i]);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
		if (i != COUNT_ACCEPTED)
			continue;
		n = snprintf(buf + len, size - len, ", live %u",
		    svc->nchildren);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}

void
dump_log(const struct server *srv)
{
	const struct svc	*svc;
	const struct child	*c = NULL;
	char			 peer[ADDR_STRLEN], via[ADDR_STRLEN];
	char			 served[512], refused[512], waited[512];
	uint64_t		 now = clock_ms();
	size_t			 i;
	int			 proxied;

	log_info("state: %zu children of at most %u, up %" PRIu64 " s",
	    childtab_count(srv->children), srv->conf->max_children,
	    (now - srv->started) / 1000);
	TAILQ_FOREACH(svc, &srv->svcs, entry) {
		for (i = 0; i < svc->nlisteners; i++)
			log_info("service %s: listening on %s%s", svc->name,
			    svc->listeners[i].text,
			    svc->listeners[i].armed && srv->listening ? "" :
			    " (paused)");
		dump_group(svc, COUNT_SERVED, served, sizeof(served));
		dump_group(svc, COUNT_REFUSED, refused, sizeof(refused));
		dump_group(svc, COUNT_WAITED, waited, sizeof(waited));
		log_info("service %s: %s", svc->name, served);
		log_info("service %s: %s; %s", svc->name, refused, waited);
	}
	while ((c = childtab_next(srv->children, c)) != NULL) {
		svc = c->svc;
		/* The balancer, once the child has named the client. */
		proxied = c->report == -1 && svc->conf != NULL &&
		    svc->conf->s.proxy != CONF_PROXY_OFF;
		log_info("child %ld: service %s, client %s%s%s, age %" PRIu64
		    " ms", (long)c->pid, svc->name,
		    addr_str((const struct sockaddr *)&c->client, 0, peer),
		    proxied ? " via " : "", proxied ? addr_str(
		    (const struct sockaddr *)&c->peer, 0, via) : "",
		    now - c->start);
	}
}
