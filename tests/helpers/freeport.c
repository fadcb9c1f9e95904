/* SPDX-License-Identifier: ISC */
/*
 * Test helper: print a TCP port that is free right now on 127.0.0.1, ::1
 * and the wildcard address.  Ports are drawn at random below the
 * kernel's ephemeral range: the clients of the tests (and of anything
 * else running) take their ports from that range, and one of them could
 * hold a port between this program and the bind of the test.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOW	10000

static int	port_free(int, unsigned short);
static int	ephemeral_low(void);

/* Whether a listening socket could bind the port: family and address. */
static int
port_free(int which, unsigned short port)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;
	struct sockaddr		*sa;
	socklen_t		 len;
	int			 fd, ok, one = 1;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(port);
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(port);
	switch (which) {
	case 0:
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sa = (struct sockaddr *)&sin;
		len = sizeof(sin);
		break;
	case 1:
		sin6.sin6_addr = in6addr_loopback;
		sa = (struct sockaddr *)&sin6;
		len = sizeof(sin6);
		break;
	default:
		sin6.sin6_addr = in6addr_any;
		sa = (struct sockaddr *)&sin6;
		len = sizeof(sin6);
		break;
	}
	if ((fd = socket(sa->sa_family, SOCK_STREAM, 0)) == -1)
		return which != 0;	/* no IPv6: free as far as it matters */
	/* As the daemon binds: TIME_WAIT leftovers do not stand in the way. */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	ok = bind(fd, sa, len) == 0;
	close(fd);
	return ok;
}

/* The first port of the kernel's ephemeral range. */
static int
ephemeral_low(void)
{
	FILE	*f;
	int	 low = 32768, high;

	if ((f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r")) !=
	    NULL) {
		if (fscanf(f, "%d %d", &low, &high) != 2)
			low = 32768;
		fclose(f);
	}
	return low;
}

int
main(void)
{
	unsigned short	port;
	int		low = LOW, high = ephemeral_low(), tries;

	if (high <= low + 1000) {
		/* A wide ephemeral range: draw above it instead. */
		low = 61000;
		high = 65535;
	}
	srandom((unsigned int)(getpid() ^ time(NULL)));
	for (tries = 0; tries < 1000; tries++) {
		port = (unsigned short)(low + random() % (high - low));
		if (port == 2024)
			continue;
		if (port_free(0, port) && port_free(1, port) &&
		    port_free(2, port)) {
			printf("%u\n", port);
			return 0;
		}
	}
	return 1;
}
