#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <paths.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <forkd/handler.h>

#include "conf.h"
#include "exec.h"
#include "log.h"

/* The variables forkd sets for every connection, and the NULL. */
#define EXEC_NCONNVARS	9

struct exec_state {
	char	**argv;
	char	**envp;		/* prepared part, then room for the rest */
	size_t	  nenv;		/* prepared entries */
};

static int	exec_handle(const struct forkd_conn *, void *);
static int	env_add(struct exec_state *, const char *, const char *);

const struct forkd_handler exec_handler = {
	FORKD_HANDLER_ABI, "exec", NULL, exec_handle, NULL
};

static int
env_add(struct exec_state *st, const char *name, const char *value)
{
	char	*s;
	size_t	 i, len = strlen(name);

	if (value == NULL) {
		value = strchr(name, '=') + 1;
		len = (size_t)(value - name - 1);
	}
	if (asprintf(&s, "%.*s=%s", (int)len, name, value) == -1)
		return -1;
	/* A later env or passenv of the same name wins. */
	for (i = 0; i < st->nenv; i++)
		if (strncmp(st->envp[i], s, len + 1) == 0) {
			free(st->envp[i]);
			st->envp[i] = s;
			return 0;
		}
	st->envp[st->nenv++] = s;
	return 0;
}

int
exec_prepare(const struct conf_service *svc, void **state)
{
	const struct conf_settings *s = &svc->s;
	struct exec_state	*st;
	const char		*path, *v;
	size_t			 i;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	st->argv = svc->argv;
	st->envp = calloc(1 + s->nenv + s->npassenv + EXEC_NCONNVARS,
	    sizeof(char *));
	if (st->envp == NULL)
		goto fail;
	if ((path = getenv("PATH")) == NULL)
		path = _PATH_DEFPATH;
	if (env_add(st, "PATH", path) == -1)
		goto fail;
	for (i = 0; i < s->npassenv; i++)
		if ((v = getenv(s->passenv[i])) != NULL &&
		    env_add(st, s->passenv[i], v) == -1)
			goto fail;
	for (i = 0; i < s->nenv; i++)
		if (env_add(st, s->env[i], NULL) == -1)
			goto fail;
	*state = st;
	return 0;
fail:
	exec_release(st);
	return -1;
}

void
exec_release(void *state)
{
	struct exec_state	*st = state;
	size_t			 i;

	if (st == NULL)
		return;
	if (st->envp != NULL) {
		for (i = 0; i < st->nenv; i++)
			free(st->envp[i]);
		free(st->envp);
	}
	free(st);
}

/*
 * In the child: complete the environment with the connection's variables
 * and exec.  A failed exec is logged here, in the child, which has forkd's
 * log, and exits 127 as a shell would.
 */
static int
exec_handle(const struct forkd_conn *conn, void *state)
{
	struct exec_state	*st = state;

	if (env_add(st, "PROTO", "TCP") == -1 ||
	    env_add(st, "TCPLOCALIP", conn->local_ip) == -1 ||
	    env_add(st, "TCPLOCALPORT", conn->local_port) == -1 ||
	    env_add(st, "TCPREMOTEIP", conn->remote_ip) == -1 ||
	    env_add(st, "TCPREMOTEPORT", conn->remote_port) == -1 ||
	    env_add(st, "FORKD_SERVICE", conn->service) == -1)
		goto fail;
	if (conn->proxy_ip != NULL &&
	    (env_add(st, "PROXYREMOTEIP", conn->proxy_ip) == -1 ||
	    env_add(st, "PROXYREMOTEPORT", conn->proxy_port) == -1))
		goto fail;
	st->envp[st->nenv] = NULL;
	execve(st->argv[0], st->argv, st->envp);
fail:
	log_warn("service %s: exec %s", conn->service, st->argv[0]);
	return EXEC_FAILED;
}
