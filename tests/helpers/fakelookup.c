/* SPDX-License-Identifier: ISC */
/*
 * Preloaded into forkd by hostnames.sh, for the two lookups a hosts
 * file cannot give: the name of 127.0.0.30 takes 10 seconds to come, as
 * from a DNS server that does not answer, so that resolve-timeout must
 * cut it short; and a name that starts with "liar." leads to 127.0.0.99
 * whatever its reverse lookup said, so that paranoid must turn it down.
 */

#define _GNU_SOURCE

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <dlfcn.h>
#include <netdb.h>
#include <string.h>
#include <unistd.h>

int	getnameinfo(const struct sockaddr *, socklen_t, char *, socklen_t,
	    char *, socklen_t, int);
int	getaddrinfo(const char *, const char *, const struct addrinfo *,
	    struct addrinfo **);

int
getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	static int	(*real)(const struct sockaddr *, socklen_t, char *,
			    socklen_t, char *, socklen_t, int);
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "getnameinfo");
	if (sa->sa_family == AF_INET &&
	    sin->sin_addr.s_addr == htonl(0x7f00001e) && host != NULL &&
	    !(flags & NI_NUMERICHOST))
		sleep(10);
	return real(sa, salen, host, hostlen, serv, servlen, flags);
}

int
getaddrinfo(const char *node, const char *service,
    const struct addrinfo *hints, struct addrinfo **res)
{
	static int	(*real)(const char *, const char *,
			    const struct addrinfo *, struct addrinfo **);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "getaddrinfo");
	if (node != NULL && strncmp(node, "liar.", 5) == 0)
		node = "127.0.0.99";
	return real(node, service, hints, res);
}
