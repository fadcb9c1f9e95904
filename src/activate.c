/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "activate.h"
#include "addr.h"
#include "conf.h"
#include "log.h"

#define ACTIVATE_FIRST_FD	3
#define ACTIVATE_MAX		1024

struct passed {
	int			 fd;
	char			*name;
	struct sockaddr_storage	 ss;
	int			 wildcard;	/* IPv6 any, v4 too */
	int			 used;
};

static struct passed	*passed;
static size_t		 npassed;

static int	activate_env(char ***);
static void	activate_free_names(char **);
static int	passed_at(const struct passed *, const struct addr *);

/* "*:port" is [::]:port that takes IPv4 too, or 0.0.0.0:port. */
int
activate_wildcard(int fd, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	socklen_t	len = sizeof(int);
	int		v6only = 1;

	if (ss->ss_family == AF_INET)
		return sin->sin_addr.s_addr == htonl(INADDR_ANY);
	if (ss->ss_family != AF_INET6 ||
	    !IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
		return 0;
	getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len);
	return !v6only;
}

#ifdef HAVE_LIBSYSTEMD
/* sd_listen_fds_with_names(3) checks LISTEN_PID and unsets the variables. */
static int
activate_env(char ***namesp)
{
	int	n;

	if ((n = sd_listen_fds_with_names(1, namesp)) < 0) {
		log_warnx("LISTEN_FDS: %s", strerror(-n));
		return -1;
	}
	if (n > ACTIVATE_MAX) {
		log_warnx("LISTEN_FDS=%d: too large", n);
		return -1;
	}
	return n;
}
#else
/* The same, by hand: LISTEN_PID must be ours; names are colon-separated. */
static int
activate_env(char ***namesp)
{
	const char	*pid, *fds, *names, *errstr;
	char		*list, *next, **v;
	long long	 n;
	int		 i;

	pid = getenv("LISTEN_PID");
	fds = getenv("LISTEN_FDS");
	names = getenv("LISTEN_FDNAMES");
	*namesp = NULL;
	n = 0;
	if (pid != NULL && fds != NULL &&
	    strtonum(pid, 1, INT32_MAX, NULL) == getpid()) {
		n = strtonum(fds, 0, ACTIVATE_MAX, &errstr);
		if (errstr != NULL) {
			log_warnx("LISTEN_FDS=%s: %s", fds, errstr);
			return -1;
		}
	}
	if (n > 0 && names != NULL) {
		if ((list = strdup(names)) == NULL ||
		    (v = calloc((size_t)n + 1, sizeof(*v))) == NULL) {
			log_warn("LISTEN_FDNAMES");
			free(list);
			return -1;
		}
		next = list;
		for (i = 0; i < n && next != NULL; i++)
			if ((v[i] = strdup(strsep(&next, ":"))) == NULL) {
				log_warn("LISTEN_FDNAMES");
				free(list);
				activate_free_names(v);
				return -1;
			}
		free(list);
		*namesp = v;
	}
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	return (int)n;
}
#endif

static void
activate_free_names(char **v)
{
	size_t	i;

	if (v == NULL)
		return;
	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
activate_collect(void)
{
	char		**names = NULL;
	socklen_t	  len;
	int		  i, n, type, namesleft;

	if ((n = activate_env(&names)) <= 0)
		return n;
	if ((passed = calloc((size_t)n, sizeof(*passed))) == NULL) {
		log_warn("LISTEN_FDS");
		goto fail;
	}
	namesleft = names != NULL;
	for (i = 0; i < n; i++) {
		struct passed	*p = &passed[npassed];
		const char	*name = "unknown";

		if (namesleft && names[i] != NULL)
			name = names[i];
		else
			namesleft = 0;
		p->fd = ACTIVATE_FIRST_FD + i;
		len = sizeof(type);
		if (getsockopt(p->fd, SOL_SOCKET, SO_TYPE, &type, &len) == -1 ||
		    type != SOCK_STREAM) {
			log_warnx("passed descriptor %d is not a stream socket",
			    p->fd);
			goto fail;
		}
		len = sizeof(type);
		if (getsockopt(p->fd, SOL_SOCKET, SO_ACCEPTCONN, &type,
		    &len) == -1 || !type) {
			log_warnx("passed descriptor %d is not listening",
			    p->fd);
			goto fail;
		}
		len = sizeof(p->ss);
		if (getsockname(p->fd, (struct sockaddr *)&p->ss, &len) == -1 ||
		    (p->ss.ss_family != AF_INET &&
		    p->ss.ss_family != AF_INET6 &&
		    p->ss.ss_family != AF_UNIX)) {
			log_warnx("passed descriptor %d is not a TCP or "
			    "unix-domain socket", p->fd);
			goto fail;
		}
		if ((p->name = strdup(name)) == NULL) {
			log_warn("LISTEN_FDNAMES");
			goto fail;
		}
		p->wildcard = activate_wildcard(p->fd, &p->ss);
		if (fcntl(p->fd, F_SETFD, FD_CLOEXEC) == -1 ||
		    fcntl(p->fd, F_SETFL, fcntl(p->fd, F_GETFL) | O_NONBLOCK) ==
		    -1) {
			log_warn("passed descriptor %d", p->fd);
			goto fail;
		}
		npassed++;
	}
	activate_free_names(names);
	return (int)npassed;
fail:
	activate_free_names(names);
	return -1;
}

/* Whether the passed socket listens on the listen address a. */
static int
passed_at(const struct passed *p, const struct addr *a)
{
	if (p->wildcard != a->wildcard)
		return 0;
	if (a->wildcard)
		return addr_port((const struct sockaddr *)&p->ss) ==
		    addr_port((const struct sockaddr *)&a->ss);
	return addr_equal((const struct sockaddr *)&p->ss,
	    (const struct sockaddr *)&a->ss);
}

int
activate_take(const struct addr *a)
{
	size_t	i;

	for (i = 0; i < npassed; i++)
		if (!passed[i].used && passed_at(&passed[i], a)) {
			passed[i].used = 1;
			return passed[i].fd;
		}
	return -1;
}

/*
 * A socket named after one service and bound to another's address is
 * claimed by both: whichever comes first in the file takes it, and the
 * other is left without that address, or fails to bind it.  systemd-
 * socket-activate repeats one --fdname for every socket, and a unit's
 * FileDescriptorName= names all of its sockets, so this is easy to
 * write by mistake: it is an error, named with the listen directive.
 */
int
activate_check(const struct conf *conf)
{
	const struct conf_service	*cs, *named;
	const struct conf_listen	*l;
	char				 at[32];
	size_t				 i, j;
	int				 n = 0;

	for (i = 0; i < npassed; i++) {
		if ((named = conf_service_find(conf, passed[i].name)) == NULL)
			continue;
		TAILQ_FOREACH(cs, &conf->services, entry) {
			if (cs == named)
				continue;
			for (j = 0; j < cs->nlisten; j++) {
				l = &cs->listen[j];
				if (!passed_at(&passed[i], &l->addr))
					continue;
				at[0] = '\0';
				if (l->line > 0)
					snprintf(at, sizeof(at), ":%d",
					    l->line);
				log_warnx("%s%s: service %s: listen %s: the "
				    "service manager passed its socket under "
				    "the name of service %s, which would take "
				    "it; name the socket %s, or give it a name "
				    "that is no service's", l->file, at,
				    cs->name, l->text, named->name, cs->name);
				n++;
			}
		}
	}
	return n;
}

int
activate_take_named(const char *name)
{
	size_t	i;

	for (i = 0; i < npassed; i++)
		if (!passed[i].used && strcmp(passed[i].name, name) == 0) {
			passed[i].used = 1;
			return passed[i].fd;
		}
	return -1;
}

int
activate_leftover(void)
{
	char	buf[ADDR_STRLEN];
	size_t	i;
	int	n = 0;

	for (i = 0; i < npassed; i++)
		if (!passed[i].used) {
			log_warnx("passed socket %s (%s) matches no service",
			    addr_str((struct sockaddr *)&passed[i].ss,
			    passed[i].wildcard, buf), passed[i].name);
			n++;
		}
	return n;
}
