/*
 * Test helper: print a TCP port that is free on 127.0.0.1 and ::1 right
 * now, as chosen by the kernel.
 */

#include <sys/socket.h>

#include <netinet/in.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int
port_free6(unsigned short port)
{
	struct sockaddr_in6	sin6;
	int			fd, ok;

	if ((fd = socket(AF_INET6, SOCK_STREAM, 0)) == -1)
		return 1;	/* no IPv6: free as far as it matters */
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = in6addr_loopback;
	sin6.sin6_port = htons(port);
	ok = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
	close(fd);
	return ok;
}

int
main(void)
{
	struct sockaddr_in	sin;
	socklen_t		len;
	int			fd, tries;

	for (tries = 0; tries < 100; tries++) {
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
			return 1;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		len = sizeof(sin);
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1 ||
		    getsockname(fd, (struct sockaddr *)&sin, &len) == -1)
			return 1;
		close(fd);
		if (ntohs(sin.sin_port) != 2024 &&
		    port_free6(ntohs(sin.sin_port))) {
			printf("%u\n", ntohs(sin.sin_port));
			return 0;
		}
	}
	return 1;
}
