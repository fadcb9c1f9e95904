/* SPDX-License-Identifier: ISC */
/*
 * echomod: the echo service (RFC 862) as a handler module, so that
 * bench/compare can measure what a module costs next to the built-in
 * echo, which does the same work from inside forkd.  It is built by the
 * benchmark scripts, not by make, and never installed:
 *
 *	cc -I include -shared -fPIC -o echomod.so bench/echomod.c
 *
 *	service echo {
 *		listen 127.0.0.1:7100
 *		module /path/to/echomod.so
 *	}
 */

#include <forkd/handler.h>

/*
 * The built-in's buffer, so that both do the same reads: static, since a
 * child serves one connection, and a short exchange then touches one
 * page of it.
 */
#define ECHOMOD_BUFSIZE	16384

static char	buf[ECHOMOD_BUFSIZE];

/*
 * The exit status is that of the built-in: 0 when the client ended the
 * session, 1 on an error (a reset connection, the idle timeout).
 */
static int
echomod_handle(const struct forkd_conn *conn, void *state)
{
	ssize_t	n;

	(void)state;
	while ((n = forkd_read(conn, buf, sizeof(buf))) > 0)
		if (forkd_write(conn, buf, (size_t)n) == -1)
			return 1;
	return n == 0 ? 0 : 1;
}

const struct forkd_handler forkd_handler = {
	.abi = FORKD_HANDLER_ABI,
	.name = "echomod",
	.init = NULL,
	.handle = echomod_handle,
	.fini = NULL,
};
