/* SPDX-License-Identifier: ISC */
/*
 * Test helper run as an exec handler inside forkd's sandbox: it carries
 * out the commands of its argument vector in turn and says on standard
 * output, a line each, what became of them:
 *
 *	status		the Seccomp, NoNewPrivs and Cap lines of
 *			/proc/self/status
 *	socket		socket(AF_INET, SOCK_STREAM): "socket: ok" or why not
 *	connect PORT	a connection to 127.0.0.1:PORT
 *	netns		the network namespace, as /proc/self/ns/net reads
 *	write PATH	creates or truncates PATH and writes a line to it
 *	read PATH	the first line of PATH, quoted
 *	list DIR	the names in DIR, sorted, in brackets
 *	wait		reads standard input up to a newline or its end
 *	ids		the real and effective user ids
 *
 * A failed command says "CMD ARG: strerror" and the next one runs all
 * the same: that a child lives on after a call was refused is part of
 * what the tests look at.  A copy made setuid answers one command,
 * "ids" or "status", and nothing else.
 */

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void	probe_status(void);
static void	probe_socket(void);
static void	probe_connect(const char *);
static void	probe_netns(void);
static void	probe_write(const char *);
static void	probe_read(const char *);
static void	probe_list(const char *);
static void	probe_wait(void);
static void	probe_ids(void);
static void	usage(void) __attribute__((__noreturn__));

static void
probe_status(void)
{
	FILE	*f;
	char	 line[256];

	if ((f = fopen("/proc/self/status", "re")) == NULL) {
		printf("status: %s\n", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Seccomp:", 8) == 0 ||
		    strncmp(line, "NoNewPrivs:", 11) == 0 ||
		    strncmp(line, "Cap", 3) == 0)
			fputs(line, stdout);
	fclose(f);
}

static void
probe_socket(void)
{
	int	fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		printf("socket: %s\n", strerror(errno));
		return;
	}
	close(fd);
	printf("socket: ok\n");
}

static void
probe_connect(const char *port)
{
	struct sockaddr_in	sin;
	int			fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)atoi(port));
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
		printf("connect %s: socket: %s\n", port, strerror(errno));
		return;
	}
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		printf("connect %s: %s\n", port, strerror(errno));
	else
		printf("connect %s: ok\n", port);
	close(fd);
}

static void
probe_netns(void)
{
	char	buf[64];
	ssize_t	n;

	if ((n = readlink("/proc/self/ns/net", buf, sizeof(buf) - 1)) == -1) {
		printf("netns: %s\n", strerror(errno));
		return;
	}
	buf[n] = '\0';
	printf("netns: %s\n", buf);
}

static void
probe_write(const char *path)
{
	static const char	line[] = "written by sbprobe\n";
	int			fd;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1) {
		printf("write %s: %s\n", path, strerror(errno));
		return;
	}
	if (write(fd, line, sizeof(line) - 1) != (ssize_t)sizeof(line) - 1)
		printf("write %s: %s\n", path, strerror(errno));
	else
		printf("write %s: ok\n", path);
	close(fd);
}

static void
probe_read(const char *path)
{
	FILE	*f;
	char	 line[256];

	if ((f = fopen(path, "re")) == NULL) {
		printf("read %s: %s\n", path, strerror(errno));
		return;
	}
	if (fgets(line, sizeof(line), f) == NULL) {
		if (ferror(f))
			printf("read %s: %s\n", path, strerror(errno));
		else
			printf("read %s: \"\"\n", path);
	} else {
		line[strcspn(line, "\n")] = '\0';
		printf("read %s: \"%s\"\n", path, line);
	}
	fclose(f);
}

static void
probe_list(const char *dir)
{
	struct dirent	**names;
	const char	 *sep = "";
	int		  i, n;

	if ((n = scandir(dir, &names, NULL, alphasort)) == -1) {
		printf("list %s: %s\n", dir, strerror(errno));
		return;
	}
	printf("list %s: [", dir);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") != 0 &&
		    strcmp(names[i]->d_name, "..") != 0) {
			printf("%s%s", sep, names[i]->d_name);
			sep = " ";
		}
		free(names[i]);
	}
	free(names);
	printf("]\n");
}

static void
probe_wait(void)
{
	char	c;
	ssize_t	n;

	while ((n = read(STDIN_FILENO, &c, 1)) == 1 && c != '\n')
		;
	if (n == -1)
		printf("wait: %s\n", strerror(errno));
	else
		printf("wait: ok\n");
}

static void
probe_ids(void)
{
	printf("ids: uid %ld euid %ld\n", (long)getuid(), (long)geteuid());
}

static void
usage(void)
{
	fprintf(stderr, "usage: sbprobe command [arg] ...\n");
	exit(64);
}

int
main(int argc, char *argv[])
{
	const char	*cmd;
	int		 i;

	/* Each answer leaves at once, before a call that may end it all. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 2)
		usage();
	if (getuid() != geteuid()) {
		if (argc != 2)
			usage();
		if (strcmp(argv[1], "ids") == 0)
			probe_ids();
		else if (strcmp(argv[1], "status") == 0)
			probe_status();
		else
			usage();
		return 0;
	}
	for (i = 1; i < argc; i++) {
		cmd = argv[i];
		if (strcmp(cmd, "status") == 0)
			probe_status();
		else if (strcmp(cmd, "socket") == 0)
			probe_socket();
		else if (strcmp(cmd, "netns") == 0)
			probe_netns();
		else if (strcmp(cmd, "wait") == 0)
			probe_wait();
		else if (strcmp(cmd, "ids") == 0)
			probe_ids();
		else if (i + 1 == argc)
			usage();
		else if (strcmp(cmd, "connect") == 0)
			probe_connect(argv[++i]);
		else if (strcmp(cmd, "write") == 0)
			probe_write(argv[++i]);
		else if (strcmp(cmd, "read") == 0)
			probe_read(argv[++i]);
		else if (strcmp(cmd, "list") == 0)
			probe_list(argv[++i]);
		else
			usage();
	}
	return 0;
}
