/* SPDX-License-Identifier: ISC */
/*
 * The names of a connection's two ends (resolve-names), looked up in the
 * child, within a deadline for all the lookups together.  A resolver
 * call has no timeout of its own that holds for every source of names
 * (files, DNS, others through NSS), so the lookups run in a thread; when
 * the deadline passes first, the child goes on without the names and
 * leaves the thread behind, with what it works on, to end by itself or
 * with the process.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "addr.h"
#include "resolve.h"

struct lookup {
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;
	int			 done;
	int			 paranoid;
	struct sockaddr_storage	 remote;
	struct sockaddr_storage	 local;
	struct resolved		 out;
};

static void	*resolve_thread(void *);
static int	 resolve_confirmed(const char *, const struct sockaddr *);
static int	 resolve_same(const struct sockaddr *, const struct sockaddr *);
static void	 resolve_unmap(const struct sockaddr *, struct sockaddr_storage *);

/* sa as it is, or as IPv4 when it is IPv4-mapped. */
static void
resolve_unmap(const struct sockaddr *sa, struct sockaddr_storage *ss)
{
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)sa;
	struct sockaddr_in		*sin = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (sa->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, &sin6->sin6_addr.s6_addr[12], 4);
		return;
	}
	memcpy(ss, sa, addr_len(sa));
}

/* Whether two addresses are the same, an IPv4-mapped one as IPv4. */
static int
resolve_same(const struct sockaddr *a, const struct sockaddr *b)
{
	struct sockaddr_storage	x, y;

	resolve_unmap(a, &x);
	resolve_unmap(b, &y);
	if (x.ss_family != y.ss_family)
		return 0;
	if (x.ss_family == AF_INET)
		return memcmp(&((struct sockaddr_in *)&x)->sin_addr,
		    &((struct sockaddr_in *)&y)->sin_addr,
		    sizeof(struct in_addr)) == 0;
	if (x.ss_family == AF_INET6)
		return memcmp(&((struct sockaddr_in6 *)&x)->sin6_addr,
		    &((struct sockaddr_in6 *)&y)->sin6_addr,
		    sizeof(struct in6_addr)) == 0;
	return 0;
}

/* Whether name's addresses include sa's (tcpserver -p). */
static int
resolve_confirmed(const char *name, const struct sockaddr *sa)
{
	struct addrinfo	 hints, *res, *ai;
	int		 found = 0;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return 0;
	for (ai = res; ai != NULL && !found; ai = ai->ai_next)
		found = resolve_same(ai->ai_addr, sa);
	freeaddrinfo(res);
	return found;
}

static void *
resolve_thread(void *arg)
{
	struct lookup	*l = arg;
	struct resolved	 out;

	memset(&out, 0, sizeof(out));
	if (getnameinfo((struct sockaddr *)&l->remote,
	    addr_len((struct sockaddr *)&l->remote), out.remote,
	    sizeof(out.remote), NULL, 0, NI_NAMEREQD) == 0 &&
	    (!l->paranoid ||
	    resolve_confirmed(out.remote, (struct sockaddr *)&l->remote)))
		out.has_remote = 1;
	if (getnameinfo((struct sockaddr *)&l->local,
	    addr_len((struct sockaddr *)&l->local), out.local,
	    sizeof(out.local), NULL, 0, NI_NAMEREQD) == 0)
		out.has_local = 1;
	pthread_mutex_lock(&l->lock);
	l->out = out;
	l->done = 1;
	pthread_cond_signal(&l->cond);
	pthread_mutex_unlock(&l->lock);
	return NULL;
}

void
resolve_names(const struct sockaddr *remote, const struct sockaddr *local,
    int paranoid, unsigned int timeout_ms, struct resolved *out)
{
	struct lookup		*l;
	pthread_condattr_t	 ca;
	pthread_attr_t		 ta;
	pthread_t		 t;
	struct timespec		 deadline;
	int			 r = 0, done;

	memset(out, 0, sizeof(*out));
	if ((l = calloc(1, sizeof(*l))) == NULL)
		return;
	memcpy(&l->remote, remote, addr_len(remote));
	memcpy(&l->local, local, addr_len(local));
	l->paranoid = paranoid;
	if (pthread_condattr_init(&ca) != 0) {
		free(l);
		return;
	}
	(void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&l->lock, NULL) != 0 ||
	    pthread_cond_init(&l->cond, &ca) != 0 ||
	    pthread_attr_init(&ta) != 0) {
		pthread_condattr_destroy(&ca);
		free(l);
		return;
	}
	pthread_condattr_destroy(&ca);
	(void)pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &ta, resolve_thread, l) != 0) {
		pthread_attr_destroy(&ta);
		free(l);
		return;
	}
	pthread_attr_destroy(&ta);

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&l->lock);
	while (!l->done && r != ETIMEDOUT)
		r = pthread_cond_timedwait(&l->cond, &l->lock, &deadline);
	if ((done = l->done))
		*out = l->out;
	pthread_mutex_unlock(&l->lock);
	/* Too late: the thread still has l, and keeps it. */
	if (done)
		free(l);
}
