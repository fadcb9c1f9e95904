/* SPDX-License-Identifier: ISC */
/*
 * The built-in services of inetd, for TCP: echo (RFC 862), discard
 * (RFC 863), chargen (RFC 864), daytime (RFC 867) and time (RFC 868),
 * and the table of every built-in, status and metrics (stats.c)
 * included.  Each is a handler of the module interface, run in the
 * child.
 */

#include "config.h"

#include <sys/types.h>

#include <errno.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <forkd/handler.h>

#include "builtin.h"
#include "stats.h"

#define BUFSIZE		16384

/* Seconds from 1900-01-01 to 1970-01-01, for RFC 868. */
#define EPOCH_1900	2208988800ULL

static int	buffer_init(int, char *[], void **);
static int	echo_handle(const struct forkd_conn *, void *);
static int	discard_handle(const struct forkd_conn *, void *);
static int	chargen_handle(const struct forkd_conn *, void *);
static int	daytime_handle(const struct forkd_conn *, void *);
static int	time_handle(const struct forkd_conn *, void *);

static const struct forkd_handler echo_handler = {
	FORKD_HANDLER_ABI, "echo", buffer_init, echo_handle, NULL, 0
};
static const struct forkd_handler discard_handler = {
	FORKD_HANDLER_ABI, "discard", buffer_init, discard_handle, NULL, 0
};
static const struct forkd_handler chargen_handler = {
	FORKD_HANDLER_ABI, "chargen", NULL, chargen_handle, NULL, 0
};
static const struct forkd_handler daytime_handler = {
	FORKD_HANDLER_ABI, "daytime", NULL, daytime_handle, NULL, 0
};
static const struct forkd_handler time_handler = {
	FORKD_HANDLER_ABI, "time", NULL, time_handle, NULL, 0
};

#define BUILTIN_HANDLER(n)	&n##_handler,
static const struct forkd_handler *const builtins[] = {
	BUILTIN_NAMES(BUILTIN_HANDLER)
};
#undef BUILTIN_HANDLER

const struct forkd_handler *
builtin_find(const char *name)
{
	size_t	i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (strcmp(builtins[i]->name, name) == 0)
			return builtins[i];
	return NULL;
}

int
builtin_strict(const struct forkd_handler *h)
{
	return h == &echo_handler || h == &discard_handler ||
	    h == &chargen_handler;
}

/*
 * The reads and writes of the strict built-ins: read(2) and write(2),
 * which is all the kernel lets them make; their idle timeout is the
 * socket's (builtin.h).
 */
static ssize_t
strict_read(const struct forkd_conn *conn, void *buf, size_t len)
{
	ssize_t	n;

	do
		n = read(conn->fd, buf, len);
	while (n == -1 && errno == EINTR);
	return n;
}

static int
strict_write(const struct forkd_conn *conn, const void *buf, size_t len)
{
	const char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = write(conn->fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * The buffer of echo and discard, allocated in the master and never
 * written there: each child writes the pages it needs of it, one for a
 * short exchange, where 16 kB on the stack would be probed page by page
 * (every page a child touches is a page fault it pays for), and a static
 * buffer would give the master a mapping more to copy at every fork.
 * One for all the services, as a child serves one connection: kept for
 * the master's life once made.
 */
static int
buffer_init(int argc, char *argv[], void **state)
{
	static void	*buf;

	if (buf == NULL && (buf = malloc(BUFSIZE)) == NULL)
		return -1;
	*state = buf;
	return 0;
}

/*
 * The exit status of a built-in: 0 when the client ended the session,
 * 1 on an error (a reset connection, the idle timeout).
 */
static int
echo_handle(const struct forkd_conn *conn, void *state)
{
	ssize_t	n;

	while ((n = strict_read(conn, state, BUFSIZE)) > 0)
		if (strict_write(conn, state, (size_t)n) == -1)
			return 1;
	return n == 0 ? 0 : 1;
}

static int
discard_handle(const struct forkd_conn *conn, void *state)
{
	ssize_t	n;

	while ((n = strict_read(conn, state, BUFSIZE)) > 0)
		;
	return n == 0 ? 0 : 1;
}

/*
 * RFC 864: lines of 72 printable characters (32 to 126) and CRLF, each
 * line starting one character further into the sequence, until the client
 * goes away.  What the client sends is ignored.
 */
#define CHARGEN_LINE	72
#define CHARGEN_NCHARS	95

static int
chargen_handle(const struct forkd_conn *conn, void *state)
{
	char	ring[CHARGEN_NCHARS + CHARGEN_LINE];
	char	buf[CHARGEN_NCHARS * (CHARGEN_LINE + 2)];
	char	*p = buf;
	int	i;

	/* One full cycle of 95 lines, then the same buffer again. */
	for (i = 0; i < (int)sizeof(ring); i++)
		ring[i] = (char)(' ' + i % CHARGEN_NCHARS);
	for (i = 0; i < CHARGEN_NCHARS; i++) {
		memcpy(p, ring + i, CHARGEN_LINE);
		p += CHARGEN_LINE;
		*p++ = '\r';
		*p++ = '\n';
	}
	for (;;)
		if (strict_write(conn, buf, sizeof(buf)) == -1)
			return 0;
}

/* RFC 867 leaves the format free; this is inetd's, ctime(3) with CRLF. */
static int
daytime_handle(const struct forkd_conn *conn, void *state)
{
	char		buf[64];
	struct tm	tm;
	time_t		now;
	size_t		n;

	now = time(NULL);
	if (localtime_r(&now, &tm) == NULL)
		return 1;
	n = strftime(buf, sizeof(buf), "%a %b %e %H:%M:%S %Y\r\n", &tm);
	return forkd_write(conn, buf, n) == -1;
}

/* RFC 868: seconds since 1900 as 32 bits in network order, then close. */
static int
time_handle(const struct forkd_conn *conn, void *state)
{
	uint32_t	t;
	unsigned char	buf[4];

	t = (uint32_t)((uint64_t)time(NULL) + EPOCH_1900);
	buf[0] = t >> 24;
	buf[1] = t >> 16;
	buf[2] = t >> 8;
	buf[3] = t;
	return forkd_write(conn, buf, sizeof(buf)) == -1;
}
