/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <paths.h>
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <forkd/handler.h>

#include "addr.h"
#include "child.h"
#include "conf.h"
#include "exec.h"
#include "launch.h"
#include "sandbox.h"
#include "log.h"
#include "spawner.h"
#include "ticket.h"
#include "tls.h"

/* The variables forkd sets for every connection, and the NULL. */
#define EXEC_NCONNVARS	12
#define EXEC_NUMLEN	96		/* four numbers for IPC */
/*
 * Room for their "NAME=value" strings: 512 bytes for the addresses and
 * ports (at most 246 bytes of them), and what the longest service name
 * takes, which the parser bounds, so that no name -n accepts leaves a
 * program without its environment.
 */
#define EXEC_VARSIZE	(512 + sizeof("FORKD_SERVICE=") + CONF_NAME_MAX + \
			    sizeof("TCPCONNNUM=4294967295") + \
			    sizeof("TCPREMOTEHOST=") + sizeof("TCPLOCALHOST=") + \
			    2 * NI_MAXHOST)

struct exec_state {
	char	**argv;
	char	**envp;		/* the prepared part */
	size_t	  nenv;		/* its entries */
	char	**connenv;	/* one connection's: room for all */
	struct spawner *spawner;	/* made at the first connection */
	int	  spawner_tried;
};

static int	exec_handle(const struct forkd_conn *, void *);
static int	env_add(struct exec_state *, const char *, const char *);
static char	**env_conn(struct exec_state *, const char *const *,
		    const char *const [][2],
		    size_t, char *, size_t);
static size_t	env_vars(const struct forkd_conn *, const char *[][2],
		    char [EXEC_NUMLEN]);
static size_t	env_ipc(const struct forkd_conn *, const char *[][2],
		    char [EXEC_NUMLEN]);

const struct forkd_handler exec_handler = {
	FORKD_HANDLER_ABI, "exec", NULL, exec_handle, NULL, 0
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
exec_prepare(const struct conf_service *cs, void **state)
{
	const struct conf_settings *s = &cs->s;
	struct exec_state	*st;
	const char		*path, *v;
	size_t			 i;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return -1;
	st->argv = cs->argv;
	st->envp = calloc(1 + s->nenv + s->npassenv, sizeof(char *));
	st->connenv = calloc(1 + s->nenv + s->npassenv + TICKET_ENV_MAX +
	    TLS_NVARS + EXEC_NCONNVARS, sizeof(char *));
	if (st->envp == NULL || st->connenv == NULL)
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
	free(st->connenv);
	spawner_free(st->spawner);
	free(st);
}

/*
 * The environment of one connection: the prepared entries (env and
 * passenv), then the client rule's "NAME=VALUE" (rule, NULL-terminated),
 * then the connection's variables, each replacing what came before of
 * the same name.  Their strings are written into buf, without
 * allocating, since the master calls this for every connection it
 * spawns.  NULL if buf is too small.
 */
static char **
env_conn(struct exec_state *st, const char *const *rule,
    const char *const vars[][2], size_t nvars, char *buf, size_t size)
{
	char	**envp = st->connenv, *var;
	size_t	  i, j, n, nlen, vlen;

	for (n = 0; n < st->nenv; n++)
		envp[n] = st->envp[n];
	for (i = 0; rule != NULL && rule[i] != NULL; i++) {
		nlen = strcspn(rule[i], "=") + 1;
		for (j = 0; j < n; j++)
			if (strncmp(envp[j], rule[i], nlen) == 0)
				break;
		/* The ticket's strings outlive the exec: no copy. */
		envp[j < n ? j : n++] = (char *)(uintptr_t)rule[i];
	}
	for (i = 0; i < nvars; i++) {
		nlen = strlen(vars[i][0]);
		vlen = strlen(vars[i][1]);
		if (nlen + vlen + 2 > size)
			return NULL;
		var = buf;
		memcpy(var, vars[i][0], nlen);
		var[nlen] = '=';
		memcpy(var + nlen + 1, vars[i][1], vlen + 1);
		buf += nlen + vlen + 2;
		size -= nlen + vlen + 2;
		for (j = 0; j < n; j++)
			if (strncmp(envp[j], var, nlen + 1) == 0)
				break;
		envp[j < n ? j : n++] = var;
	}
	envp[n] = NULL;
	return envp;
}

/*
 * Those of a unix-domain connection, UCSPI-IPC's: the socket's path and
 * the peer's credentials, and no TCP* variable.
 */
static size_t
env_ipc(const struct forkd_conn *conn, const char *vars[][2],
    char num[EXEC_NUMLEN])
{
	size_t	n = 0;
	int	w;

	vars[n][0] = "PROTO";
	vars[n++][1] = "IPC";
	vars[n][0] = "IPCLOCALPATH";
	vars[n++][1] = conn->local_path;
	vars[n][0] = "FORKD_SERVICE";
	vars[n++][1] = conn->service;
	/* num holds the numbers, NUL after each. */
	w = 0;
	if (conn->connnum > 0) {
		vars[n][0] = "IPCCONNNUM";
		vars[n++][1] = num;
		w = snprintf(num, EXEC_NUMLEN, "%u", conn->connnum) + 1;
	}
	if (conn->peer_uid != -1) {
		vars[n][0] = "IPCREMOTEEUID";
		vars[n++][1] = num + w;
		w += snprintf(num + w, (size_t)(EXEC_NUMLEN - w), "%ld",
		    conn->peer_uid) + 1;
		vars[n][0] = "IPCREMOTEEGID";
		vars[n++][1] = num + w;
		w += snprintf(num + w, (size_t)(EXEC_NUMLEN - w), "%ld",
		    conn->peer_gid) + 1;
		vars[n][0] = "IPCREMOTEPID";
		vars[n++][1] = num + w;
		(void)snprintf(num + w, (size_t)(EXEC_NUMLEN - w), "%ld",
		    conn->peer_pid);
	}
	return n;
}

/*
 * The UCSPI variables of a connection, and forkd's own; num holds the
 * text of TCPCONNNUM.
 */
static size_t
env_vars(const struct forkd_conn *conn, const char *vars[][2],
    char num[EXEC_NUMLEN])
{
	size_t	n = 0;

	if (conn->local_path != NULL)
		return env_ipc(conn, vars, num);
	vars[n][0] = "PROTO";
	vars[n++][1] = "TCP";
	vars[n][0] = "TCPLOCALIP";
	vars[n++][1] = conn->local_ip;
	vars[n][0] = "TCPLOCALPORT";
	vars[n++][1] = conn->local_port;
	vars[n][0] = "TCPREMOTEIP";
	vars[n++][1] = conn->remote_ip;
	vars[n][0] = "TCPREMOTEPORT";
	vars[n++][1] = conn->remote_port;
	vars[n][0] = "FORKD_SERVICE";
	vars[n++][1] = conn->service;
	if (conn->proxy_ip != NULL) {
		vars[n][0] = "PROXYREMOTEIP";
		vars[n++][1] = conn->proxy_ip;
		vars[n][0] = "PROXYREMOTEPORT";
		vars[n++][1] = conn->proxy_port;
	}
	if (conn->remote_host != NULL) {
		vars[n][0] = "TCPREMOTEHOST";
		vars[n++][1] = conn->remote_host;
	}
	if (conn->local_host != NULL) {
		vars[n][0] = "TCPLOCALHOST";
		vars[n++][1] = conn->local_host;
	}
	if (conn->connnum > 0) {
		snprintf(num, EXEC_NUMLEN, "%u", conn->connnum);
		vars[n][0] = "TCPCONNNUM";
		vars[n++][1] = num;
	}
	return n;
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
	const char		*vars[EXEC_NCONNVARS][2];
	char			 buf[EXEC_VARSIZE], **envp, num[EXEC_NUMLEN];
	size_t			 n;

	n = env_vars(conn, vars, num);
	if ((envp = env_conn(st, conn->env, (const char *const (*)[2])vars,
	    n, buf, sizeof(buf))) == NULL) {
		errno = E2BIG;
		goto fail;
	}
	if (child_seal() == -1)
		return CHILD_SETUP_FAILED;
	execve(st->argv[0], st->argv, envp);
fail:
	log_warn("service %s: exec %s", conn->service, st->argv[0]);
	return EXEC_FAILED;
}

/*
 * In the master: start the program for a connection without a copy of
 * the master: launched (launch.h), or where it cannot be, with
 * posix_spawn(3), which glibc does with a vfork-like clone.  The child
 * gets a process group (or a session: child_init) of its own, default
 * signals and an empty mask, the socket on 0 and 1, errw (unless -1) on
 * 2 and no other descriptor, as child_run() would give it.  Returns 0,
 * or an errno value: the program could not be run, or no process made;
 * ENOSYS for a sandbox only a fork can then take on.
 */
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
int
exec_spawn(void *state, const char *service, int fd,
    const struct sockaddr *peer, const struct sockaddr *local, int errw,
    const char *ticket, size_t tlen, const struct sandbox *sb, pid_t *pidp,
    int *slot)
{
	struct exec_state	*st = state;
	const struct launch_sandbox *lsb = NULL;
	struct ticket		 t;
	struct sockaddr_storage	 ss;
	socklen_t		 len = sizeof(ss);
	struct forkd_conn	 conn;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t	 attr;
	sigset_t		 none, all;
	const char		*vars[EXEC_NCONNVARS][2];
	struct child_addrs	 a;
	char			 buf[EXEC_VARSIZE], **envp, num[EXEC_NUMLEN];
	size_t			 n;
	int			 error;

	if (local == NULL) {
		if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
			return errno;
		local = (struct sockaddr *)&ss;
	}
	if (ticket_unpack(ticket, tlen, &t) == -1)
		return EINVAL;
	/* A sandbox only a launch or a fork can take on: ENOSYS, fork. */
	if (sb != NULL && (lsb = sandbox_launch(sb)) == NULL)
		return ENOSYS;
	child_conn(&conn, &a, service, peer, local);
	conn.connnum = t.connnum;
	child_peercred(&conn, fd);
	n = env_vars(&conn, vars, num);
	if ((envp = env_conn(st, t.env, (const char *const (*)[2])vars, n,
	    buf, sizeof(buf))) == NULL)
		return E2BIG;

	/*
	 * By the service's spawner, inside the sandbox already, where it
	 * can be (spawner.h); else without waiting for the program, where
	 * it can (launch.h).
	 */
	*slot = -1;
	if (lsb != NULL && !st->spawner_tried && launch_available() &&
	    sandbox_spawner(sb)) {
		st->spawner_tried = 1;
		st->spawner = spawner_new(service, sb, st->argv[0], st->argv,
		    errw);
	}
	if (st->spawner != NULL && (*pidp = spawner_launch(st->spawner, envp,
	    t.banner, fd, child_session())) != -1)
		return 0;
	if (st->spawner != NULL && errno == ETIMEDOUT)
		return ETIMEDOUT;
	if ((*pidp = launch(st->argv[0], st->argv, envp, t.banner, fd, errw,
	    child_session(), child_exit_signal(), lsb,
	    slot)) != -1)
		return 0;
	if (errno != ENOSYS && errno != EAGAIN)
		return errno;
	if (sb != NULL)
		return ENOSYS;

	/*
	 * The banner from here, where the new socket's send buffer is
	 * empty: a banner of any sensible size goes out at once, and the
	 * master never waits on a client.
	 */
	if (t.banner != NULL && *t.banner != '\0' &&
	    send(fd, t.banner, strlen(t.banner), MSG_DONTWAIT |
	    MSG_NOSIGNAL) != (ssize_t)strlen(t.banner))
		log_warnx("service %s: banner not sent whole", service);

	/*
	 * Every signal back to its default action, as in a forked child.
	 * glibc's sigfillset(3) leaves out the two signals it keeps for
	 * itself (32 and 33, SIGCANCEL and SIGSETXID), and its posix_spawn
	 * then sets those two to SIG_IGN in the new process, which the
	 * program inherits.  A set with every bit holds them too, and
	 * posix_spawnattr_setsigdefault(3) copies it as it is.
	 */
	sigemptyset(&none);
	memset(&all, 0xff, sizeof(all));
	if ((error = posix_spawn_file_actions_init(&fa)) != 0)
		return error;
	if ((error = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return error;
	}
	if ((error = posix_spawn_file_actions_adddup2(&fa, fd, 0)) != 0 ||
	    (error = posix_spawn_file_actions_adddup2(&fa, fd, 1)) != 0 ||
	    (errw != -1 &&
	    (error = posix_spawn_file_actions_adddup2(&fa, errw, 2)) != 0) ||
	    (error = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0 ||
	    (error = posix_spawnattr_setflags(&attr, (child_session() ?
	    POSIX_SPAWN_SETSID : POSIX_SPAWN_SETPGROUP) |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)) != 0 ||
	    (error = posix_spawnattr_setpgroup(&attr, 0)) != 0 ||
	    (error = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
	    (error = posix_spawnattr_setsigdefault(&attr, &all)) != 0)
		goto done;
	error = posix_spawn(pidp, st->argv[0], &fa, &attr, st->argv, envp);
done:
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return error;
}
#else
int
exec_spawn(void *state, const char *service, int fd,
    const struct sockaddr *peer, const struct sockaddr *local, int errw,
    const char *ticket, size_t tlen, const struct sandbox *sb, pid_t *pidp,
    int *slot)
{
	return ENOSYS;
}
#endif
