/* SPDX-License-Identifier: ISC */
/*
 * hello: the smallest forkd handler module.  init, in the master, makes
 * the greeting once from the module's argument; every child sends it
 * with the client's address, and the connection ends.
 *
 *	service hello {
 *		listen 127.0.0.1:7100
 *		module hello.so "Hello"
 *	}
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <forkd/handler.h>

static int
hello_init(int argc, char *argv[], void **state)
{
	const char	*word = argc > 1 ? argv[1] : "Hello";
	char		*greeting;

	if ((greeting = malloc(strlen(word) + 1)) == NULL)
		return 1;
	strcpy(greeting, word);
	*state = greeting;
	return 0;
}

static int
hello_handle(const struct forkd_conn *conn, void *state)
{
	const char	*greeting = state;
	char		 line[512];
	int		 n;

	n = snprintf(line, sizeof(line), "%s, %s port %s\r\n", greeting,
	    conn->remote_ip, conn->remote_port);
	if (n < 0 || (size_t)n >= sizeof(line))
		return 1;
	return forkd_write(conn, line, (size_t)n) == -1 ? 1 : 0;
}

static void
hello_fini(void *state)
{
	free(state);
}

const struct forkd_handler forkd_handler = {
	.abi = FORKD_HANDLER_ABI,
	.name = "hello",
	.init = hello_init,
	.handle = hello_handle,
	.fini = hello_fini,
};
