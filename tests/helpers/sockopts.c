/* SPDX-License-Identifier: ISC */
/*
 * Test helper run as an exec handler: reads its standard input, the
 * accepted connection, to its end (a close with data unread would reset
 * the connection over the answer), then prints the connection's socket
 * options, one "name value" a line, and its niceness and umask.
 */

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

static void
opt(const char *name, int level, int option)
{
	int		v = -1;
	socklen_t	len = sizeof(v);

	if (getsockopt(0, level, option, &v, &len) == -1)
		printf("%s error\n", name);
	else
		printf("%s %d\n", name, v);
}

int
main(void)
{
	mode_t	m;
	char	buf[512];

	while (read(0, buf, sizeof(buf)) > 0)
		;

	opt("nodelay", IPPROTO_TCP, TCP_NODELAY);
	opt("keepalive", SOL_SOCKET, SO_KEEPALIVE);
	opt("keepidle", IPPROTO_TCP, TCP_KEEPIDLE);
	opt("keepintvl", IPPROTO_TCP, TCP_KEEPINTVL);
	opt("keepcnt", IPPROTO_TCP, TCP_KEEPCNT);
	opt("sndbuf", SOL_SOCKET, SO_SNDBUF);
	opt("rcvbuf", SOL_SOCKET, SO_RCVBUF);
	opt("tos", IPPROTO_IP, IP_TOS);
	opt("mark", SOL_SOCKET, SO_MARK);
	errno = 0;
	printf("nice %d\n", getpriority(PRIO_PROCESS, 0));
	m = umask(0);
	printf("umask %03o\n", (unsigned int)m);
	return 0;
}
