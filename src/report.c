/*
 * status: a plain-text table for nc(1).  metrics: the Prometheus text
 * exposition format, answering an HTTP GET.  Both run in the child and
 * read the master's state as it was at the fork: nothing goes back to
 * the master.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <forkd/handler.h>

#include "addr.h"
#include "childtab.h"
#include "conf.h"
#include "report.h"
#include "server.h"

/* The longest HTTP request head metrics reads. */
#define REQUEST_MAX		8192
/* How long metrics waits for it when the service has no idle-timeout. */
#define REQUEST_TIMEOUT_MS	10000

static int	status_handle(const struct forkd_conn *, void *);
static int	metrics_handle(const struct forkd_conn *, void *);
static int	send_stream(const struct forkd_conn *, char *, size_t);
static int	read_request(const struct forkd_conn *, char *, size_t);
static void	metric(FILE *, const char *, const char *, const char *);
static void	series(FILE *, const struct server *, const char *,
		    const char *, size_t);
static void	label(FILE *, const char *);

static const struct forkd_handler reports[] = {
	{ FORKD_HANDLER_ABI, "status", NULL, status_handle, NULL },
	{ FORKD_HANDLER_ABI, "metrics", NULL, metrics_handle, NULL },
};

const struct forkd_handler *
report_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(reports) / sizeof(reports[0]); i++)
		if (strcmp(reports[i].name, name) == 0)
			return &reports[i];
	return NULL;
}

int
report_handler(const struct forkd_handler *h)
{
	return h >= &reports[0] &&
	    h < &reports[sizeof(reports) / sizeof(reports[0])];
}

/* Write what an open_memstream(3) gathered, and free it. */
static int
send_stream(const struct forkd_conn *conn, char *buf, size_t len)
{
	int	rv;

	rv = forkd_write(conn, buf, len) == -1 ? 1 : 0;
	free(buf);
	return rv;
}

static int
status_handle(const struct forkd_conn *conn, void *state)
{
	const struct server	*srv = state;
	const struct svc	*svc;
	const struct child	*c = NULL;
	const struct listener	*l;
	char			 peer[ADDR_STRLEN], *buf;
	size_t			 len, i;
	uint64_t		 now = now_ms();
	int			 w = 7;	/* "service" */
	FILE			*f;

	if ((f = open_memstream(&buf, &len)) == NULL)
		return 1;
	TAILQ_FOREACH(svc, &srv->svcs, entry)
		if ((int)strlen(svc->name) > w)
			w = (int)strlen(svc->name);

	fprintf(f, "forkd %s, pid %ld, up %" PRIu64 " s, %zu of at most %u "
	    "children\r\n\r\n", PACKAGE_VERSION, (long)getppid(),
	    (now - srv->started) / 1000, childtab_count(srv->children),
	    srv->conf->max_children);

	fprintf(f, "%-*s %6s %10s %7s %7s %7s %7s %7s %7s %7s %7s\r\n", w,
	    "service", "live", "accepted", "acl", "source", "proxy", "fork",
	    "rate", "emfile", "exec", "timeout");
	TAILQ_FOREACH(svc, &srv->svcs, entry)
		fprintf(f, "%-*s %6u %10" PRIu64 " %7" PRIu64 " %7" PRIu64
		    " %7" PRIu64 " %7" PRIu64 " %7" PRIu64 " %7" PRIu64
		    " %7" PRIu64 " %7" PRIu64 "\r\n", w, svc->name,
		    svc->nchildren, svc->n.accepted, svc->n.refused_acl,
		    svc->n.refused_source, svc->n.refused_proxy,
		    svc->n.fork_failed, svc->n.rate_delayed, svc->n.emfile,
		    svc->n.exec_failed, svc->n.timeout_killed);
	fprintf(f, "\r\nrefused: acl by allow/deny, source over "
	    "max-per-source, proxy by the PROXY protocol\r\n"
	    "(proxy-from, no valid header), fork when fork(2) failed;\r\n"
	    "rate: times a client waited for the rate limit; emfile: times "
	    "accept(2)\r\nran out of descriptors; exec: programs that could "
	    "not be run; timeout: children\r\nkilled by timeout.\r\n");

	fprintf(f, "\r\n%-*s %-47s %s\r\n", w, "service", "listener",
	    "state");
	TAILQ_FOREACH(svc, &srv->svcs, entry)
		for (i = 0; i < svc->nlisteners; i++) {
			l = &svc->listeners[i];
			fprintf(f, "%-*s %-47s %s\r\n", w, svc->name, l->text,
			    l->armed ? "accepting" : "paused");
		}

	fprintf(f, "\r\n%-8s %-*s %-47s %s\r\n", "pid", w, "service",
	    "client", "age");
	while ((c = childtab_next(srv->children, c)) != NULL) {
		svc = c->svc;
		fprintf(f, "%-8ld %-*s %-47s %" PRIu64 ".%01" PRIu64 " s\r\n",
		    (long)c->pid, w, svc->name,
		    addr_str((const struct sockaddr *)&c->client, 0, peer),
		    (now - c->start) / 1000, (now - c->start) % 1000 / 100);
	}
	if (fclose(f) == EOF)
		return 1;
	return send_stream(conn, buf, len);
}

/*
 * Read up to the end of an HTTP request head: 1 for GET, 2 for HEAD, 0
 * for another method, -1 for no request at all.
 */
static int
read_request(const struct forkd_conn *conn, char *buf, size_t size)
{
	struct forkd_conn	 c = *conn;
	size_t			 len = 0;
	ssize_t			 n;

	if (c.idle_timeout == 0 || c.idle_timeout > REQUEST_TIMEOUT_MS)
		c.idle_timeout = REQUEST_TIMEOUT_MS;
	while (len < size - 1) {
		if ((n = forkd_read(&c, buf + len, size - 1 - len)) <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") != NULL ||
		    strstr(buf, "\n\n") != NULL)
			break;
	}
	if (strncmp(buf, "GET ", 4) == 0)
		return 1;
	if (strncmp(buf, "HEAD ", 5) == 0)
		return 2;
	return strchr(buf, ' ') != NULL ? 0 : -1;
}

/* A label value, escaped as the exposition format wants. */
static void
label(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

#define COUNTER(field)	offsetof(struct svc_counters, field)

/*
 * The per-service counters; rows of one metric are together, and the
 * first of them carries its help text.
 */
static const struct {
	const char	*name;
	const char	*labels;
	size_t		 field;
	const char	*help;
} counters[] = {
	{ "forkd_connections_accepted_total", "", COUNTER(accepted),
	    "Connections accepted." },
	{ "forkd_connections_refused_total", ",reason=\"acl\"",
	    COUNTER(refused_acl), "Connections closed unserved: by "
	    "allow/deny, over max-per-source, by the PROXY protocol "
	    "(proxy-from, no valid header), or when fork failed." },
	{ "forkd_connections_refused_total", ",reason=\"max_per_source\"",
	    COUNTER(refused_source), NULL },
	{ "forkd_connections_refused_total", ",reason=\"proxy\"",
	    COUNTER(refused_proxy), NULL },
	{ "forkd_connections_refused_total", ",reason=\"fork\"",
	    COUNTER(fork_failed), NULL },
	{ "forkd_rate_delayed_total", "", COUNTER(rate_delayed),
	    "Times a client waited in the backlog for the rate limit." },
	{ "forkd_accept_emfile_total", "", COUNTER(emfile),
	    "Times accept ran out of descriptors or memory and accepting "
	    "paused." },
	{ "forkd_children_exited_total", ",result=\"ok\"", COUNTER(exit_ok),
	    "Children ended, with status 0 or otherwise." },
	{ "forkd_children_exited_total", ",result=\"error\"",
	    COUNTER(exit_error), NULL },
	{ "forkd_exec_failures_total", "", COUNTER(exec_failed),
	    "exec children whose program could not be run." },
	{ "forkd_timeout_kills_total", "", COUNTER(timeout_killed),
	    "Children killed over their timeout." },
};

static void
metric(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One series per service. */
static void
series(FILE *f, const struct server *srv, const char *name,
    const char *labels, size_t field)
{
	const struct svc	*svc;
	uint64_t		 v;

	TAILQ_FOREACH(svc, &srv->svcs, entry) {
		if (field == SIZE_MAX)
			v = svc->nchildren;
		else
			memcpy(&v, (const char *)&svc->n + field, sizeof(v));
		fprintf(f, "%s{service=\"", name);
		label(f, svc->name);
		fprintf(f, "\"%s} %" PRIu64 "\n", labels, v);
	}
}

static int
metrics_handle(const struct forkd_conn *conn, void *state)
{
	const struct server	*srv = state;
	const char		*status = "200 OK";
	char			 req[REQUEST_MAX], *body, *head;
	size_t			 blen, hlen, i;
	int			 method;
	FILE			*f;

	if ((method = read_request(conn, req, sizeof(req))) == -1)
		return 1;
	if ((f = open_memstream(&body, &blen)) == NULL)
		return 1;
	if (method == 0) {
		status = "405 Method Not Allowed";
		fputs("only GET and HEAD\n", f);
		goto out;
	}
	metric(f, "forkd_uptime_seconds", "gauge",
	    "Seconds since forkd started.");
	fprintf(f, "forkd_uptime_seconds %" PRIu64 "\n",
	    (now_ms() - srv->started) / 1000);
	metric(f, "forkd_children_max", "gauge",
	    "The global max-children.");
	fprintf(f, "forkd_children_max %u\n", srv->conf->max_children);

	metric(f, "forkd_children", "gauge", "Live children.");
	series(f, srv, "forkd_children", "", SIZE_MAX);
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		if (counters[i].help != NULL)
			metric(f, counters[i].name, "counter",
			    counters[i].help);
		series(f, srv, counters[i].name, counters[i].labels,
		    counters[i].field);
	}
out:
	if (fclose(f) == EOF)
		return 1;
	if ((f = open_memstream(&head, &hlen)) == NULL) {
		free(body);
		return 1;
	}
	fprintf(f, "HTTP/1.0 %s\r\nContent-Type: text/plain; version=0.0.4; "
	    "charset=utf-8\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
	    status, blen);
	if (fclose(f) == EOF) {
		free(body);
		return 1;
	}
	if (send_stream(conn, head, hlen) != 0 || method == 2) {
		free(body);
		return method == 2 ? 0 : 1;
	}
	return send_stream(conn, body, blen);
}
