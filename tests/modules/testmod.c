/* SPDX-License-Identifier: ISC */
/*
 * A handler module for the tests, built in several variants:
 * TESTMOD_VERSION names the build (a reload must pick up a rebuilt
 * module), TESTMOD_BAD_ABI and TESTMOD_NO_SYMBOL make modules forkd must
 * refuse.
 *
 * Arguments: "fail" makes init fail; "crash" makes handle abort (a
 * signal the sanitizers leave alone);
 * "log=FILE" has init and fini append a line to FILE.  A child answers
 * one line: the build, what init saw, the master's pid as init recorded
 * it, and the connection; with "env", the client's connection count and
 * its client rule's variables instead.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <forkd/handler.h>

#ifndef TESTMOD_VERSION
#define TESTMOD_VERSION	"A"
#endif

struct state {
	char	args[1024];	/* argv, comma-separated */
	int	argc;
	long	init_pid;
	int	crash;
	int	env;
	char	log[512];
};

static void
testmod_log(const struct state *st, const char *what)
{
	FILE	*f;

	if (st->log[0] == '\0' || (f = fopen(st->log, "a")) == NULL)
		return;
	fprintf(f, "%s %s %s\n", what, TESTMOD_VERSION, st->args);
	fclose(f);
}

static int
testmod_init(int argc, char *argv[], void **statep)
{
	struct state	*st;
	int		 i;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return 1;
	st->argc = argc;
	st->init_pid = (long)getpid();
	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "fail") == 0) {
			free(st);
			return 1;
		}
		if (strcmp(argv[i], "crash") == 0)
			st->crash = 1;
		if (strcmp(argv[i], "env") == 0)
			st->env = 1;
		if (strncmp(argv[i], "log=", 4) == 0)
			snprintf(st->log, sizeof(st->log), "%s", argv[i] + 4);
		if (i > 0)
			strncat(st->args, ",", sizeof(st->args) -
			    strlen(st->args) - 1);
		strncat(st->args, argv[i], sizeof(st->args) -
		    strlen(st->args) - 1);
	}
	testmod_log(st, "init");
	*statep = st;
	return 0;
}

static int
testmod_handle(const struct forkd_conn *conn, void *state)
{
	struct state	*st = state;
	char		 line[2048];
	int		 n, i;

	if (st->crash)
		abort();
	if (st->env) {
		n = snprintf(line, sizeof(line), "connnum=%u env=",
		    conn->connnum);
		for (i = 0; conn->env[i] != NULL && n > 0 &&
		    (size_t)n < sizeof(line); i++)
			n += snprintf(line + n, sizeof(line) - (size_t)n, "%s%s",
			    i > 0 ? "," : "", conn->env[i]);
		if (n < 0 || (size_t)n >= sizeof(line) - 1)
			return 1;
		line[n++] = '\n';
		return forkd_write(conn, line, (size_t)n) == -1 ? 1 : 0;
	}
	n = snprintf(line, sizeof(line), "version=%s argc=%d argv=%s "
	    "init_pid=%ld child_pid=%ld service=%s remote=%s:%s "
	    "local=%s:%s\n", TESTMOD_VERSION, st->argc, st->args,
	    st->init_pid, (long)getpid(), conn->service, conn->remote_ip,
	    conn->remote_port, conn->local_ip, conn->local_port);
	if (n < 0 || (size_t)n >= sizeof(line))
		return 1;
	return forkd_write(conn, line, (size_t)n) == -1 ? 1 : 0;
}

static void
testmod_fini(void *state)
{
	testmod_log(state, "fini");
	free(state);
}

#ifndef TESTMOD_NO_SYMBOL
const struct forkd_handler forkd_handler = {
#ifdef TESTMOD_BAD_ABI
	.abi = FORKD_HANDLER_ABI + 1,
#else
	.abi = FORKD_HANDLER_ABI,
#endif
	.name = "testmod",
	.init = testmod_init,
	.handle = testmod_handle,
	.fini = testmod_fini,
};
#else
const struct forkd_handler forkd_handler_misspelt = {
	.abi = FORKD_HANDLER_ABI,
	.name = "testmod",
	.init = testmod_init,
	.handle = testmod_handle,
	.fini = testmod_fini,
};
#endif
