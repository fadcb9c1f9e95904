/* SPDX-License-Identifier: ISC */
/*
 * file: send every client the contents of a file, and close: a banner,
 * a notice, a static answer.
 *
 *	service motd {
 *		listen *:7071
 *		module file.so /etc/motd
 *	}
 *
 * init reads the file once, in the master, and every child sends the
 * copy it inherited: a connection costs no disk access and no open
 * descriptor, the children need no access to the file (it may be
 * outside their chroot, or readable by root only), and a reload is
 * what takes up a new version of it.
 */

#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <forkd/handler.h>

struct file {
	char	*data;
	size_t	 len;
};

static int	file_load(const char *, struct file *);

/*
 * All of a regular file, read to its end whatever its size said, or -1
 * after saying why.
 */
static int
file_load(const char *path, struct file *f)
{
	struct stat	 st;
	size_t		 size;
	ssize_t		 n;
	char		*p;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		fprintf(stderr, "file: %s: not a regular file\n", path);
		close(fd);
		return -1;
	}
	/* One byte more than the size, to see the end in the first read. */
	size = (size_t)st.st_size + 1;
	if ((f->data = malloc(size)) == NULL)
		goto fail;
	for (;;) {
		if (f->len == size) {
			if ((p = realloc(f->data, size * 2)) == NULL)
				goto fail;
			f->data = p;
			size *= 2;
		}
		if ((n = read(fd, f->data + f->len, size - f->len)) == 0)
			break;
		if (n == -1 && errno != EINTR)
			goto fail;
		if (n > 0)
			f->len += (size_t)n;
	}
	close(fd);
	return 0;
fail:
	fprintf(stderr, "file: %s: %s\n", path, strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

static int
file_init(int argc, char *argv[], void **state)
{
	struct file	*f;

	if (argc != 2) {
		fprintf(stderr, "file: usage: %s PATH\n", argv[0]);
		return 1;
	}
	if ((f = calloc(1, sizeof(*f))) == NULL) {
		fprintf(stderr, "file: %s\n", strerror(errno));
		return 1;
	}
	if (file_load(argv[1], f) == -1) {
		free(f->data);
		free(f);
		return 1;
	}
	*state = f;
	return 0;
}

static int
file_handle(const struct forkd_conn *conn, void *state)
{
	const struct file	*f = state;

	return forkd_write(conn, f->data, f->len) == -1 ? 1 : 0;
}

static void
file_fini(void *state)
{
	struct file	*f = state;

	free(f->data);
	free(f);
}

const struct forkd_handler forkd_handler = {
	.abi = FORKD_HANDLER_ABI,
	.name = "file",
	.init = file_init,
	.handle = file_handle,
	.fini = file_fini,
};
