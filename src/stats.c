/* SPDX-License-Identifier: ISC */
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
#include "clock.h"
#include "conf.h"
#include "counters.h"
#include "stats.h"

/* The longest HTTP request head metrics reads. */
#define REQUEST_MAX		8192
/* How long metrics waits for it when the service has no idle-timeout. */
#define REQUEST_TIMEOUT_MS	10000

static int	stats_init(int, char *[], void **);
static int	status_handle(const struct forkd_conn *, void *);
static int	metrics_handle(const struct forkd_conn *, void *);
static int	send_stream(const struct forkd_conn *, char *, size_t);
static int	read_request(const struct forkd_conn *, char *, size_t);
static void	metric(FILE *, const char *, const char *, const char *);
static void	series(FILE *, const struct server *, const char *,
		    const char *, const char *, int);
static void	label(FILE *, const char *);

const struct forkd_handler status_handler = {
	FORKD_HANDLER_ABI, "status", stats_init, status_handle, NULL, 0
};
const struct forkd_handler metrics_handler = {
	FORKD_HANDLER_ABI, "metrics", stats_init, metrics_handle, NULL, 0
};

static const struct server *stats_server;

void
stats_bind(const struct server *srv)
{
	stats_server = srv;
}

static int
stats_init(int argc, char *argv[], void **state)
{
	if (stats_server == NULL)
		return -1;
	*state = (void *)stats_server;
	return 0;
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
	uint64_t		 now = clock_ms();
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

	fprintf(f, "%-*s %6s", w, "service", "live");
	for (i = 0; i < COUNT_MAX; i++)
		fprintf(f, " %*s", i == COUNT_ACCEPTED ? 10 : 7,
		    counters[i].column);
	fputs("\r\n", f);
	TAILQ_FOREACH(svc, &srv->svcs, entry) {
		fprintf(f, "%-*s %6u", w, svc->name, svc->nchildren);
		for (i = 0; i < COUNT_MAX; i++)
			fprintf(f, " %*" PRIu64, i == COUNT_ACCEPTED ? 10 : 7,
			    svc->n[i]);
		fputs("\r\n", f);
	}
	fputs("\r\n", f);
	for (i = 0; i < COUNT_MAX; i++)
		fprintf(f, "%s: %s\r\n", counters[i].column,
		    counters[i].dump);

	fprintf(f, "\r\n%-*s %-47s %s\r\n", w, "service", "listener",
	    "state");
	TAILQ_FOREACH(svc, &srv->svcs, entry)
		for (i = 0; i < svc->nlisteners; i++) {
			l = &svc->listeners[i];
			fprintf(f, "%-*s %-47s %s\r\n", w, svc->name, l->text,
			    l->armed && srv->listening ? "accepting" :
			    "paused");
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

static void
metric(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * One series per service: counter i, or the live children for -1; label
 * and value, unless NULL, add a label of the series.
 */
static void
series(FILE *f, const struct server *srv, const char *name,
    const char *lname, const char *lvalue, int i)
{
	const struct svc	*svc;

	TAILQ_FOREACH(svc, &srv->svcs, entry) {
		fprintf(f, "%s{service=\"", name);
		label(f, svc->name);
		fputc('"', f);
		if (lname != NULL)
			fprintf(f, ",%s=\"%s\"", lname, lvalue);
		fprintf(f, "} %" PRIu64 "\n", i == -1 ?
		    (uint64_t)svc->nchildren : svc->n[i]);
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
	    (clock_ms() - srv->started) / 1000);
	metric(f, "forkd_children_max", "gauge",
	    "The global max-children.");
	fprintf(f, "forkd_children_max %u\n", srv->conf->max_children);

	metric(f, "forkd_children", "gauge", "Live children.");
	series(f, srv, "forkd_children", NULL, NULL, -1);
	for (i = 0; i < COUNT_MAX; i++) {
		if (counters[i].help != NULL)
			metric(f, counters[i].metric, "counter",
			    counters[i].help);
		series(f, srv, counters[i].metric, counters[i].label,
		    counters[i].value, (int)i);
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
