/* SPDX-License-Identifier: ISC */
/*
 * Test helper run as an exec handler: prints its argument vector, the
 * descriptors it was started with, and its environment, one item a line.
 */

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

extern char **environ;

int
main(int argc, char *argv[])
{
	char	**e;
	int	 fd, i;

	for (i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	printf("fds:");
	for (fd = 0; fd < 4096; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			printf(" %d", fd);
	printf("\n");
	for (e = environ; *e != NULL; e++)
		printf("env %s\n", *e);
	return 0;
}
