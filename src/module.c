/* SPDX-License-Identifier: ISC */
/*
 * Loading handler modules.  dlopen(3) hands back the object already
 * loaded under the same name, and a file rewritten in place would
 * change under the mappings of live children; so the file is copied
 * into an anonymous memory file, which is loaded through /proc: every
 * load is a new object.  The memory file stays open as long as the
 * module is loaded, so that no other module's /proc/self/fd/N can be
 * the same name.  Where that cannot be done (no memfd_create, no /proc,
 * memory files not executable), the path itself is loaded.
 *
 * Whatever way it is loaded, the file is first opened without blocking
 * and must be a regular file of at most MODULE_MAX bytes: a FIFO would
 * hang the master, at start and at every reload, and a device such as
 * /dev/zero would be copied without end.  A root master loads only a
 * module that no one but root can change (conf_trusted): its
 * constructors and init run as root in the master.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <dlfcn.h>
#include <link.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <forkd/handler.h>

#include "conf.h"
#include "module.h"

#define MODULE_MAX	(256 * 1024 * 1024)

static int	module_file(const char *, char *, size_t);
static int	module_copy(const char *, char *, size_t);
static int	module_fresh_fd(int);
static void	*module_dlopen(const char *, int *, char *, size_t);

/*
 * The module's file, opened, or -1 with the reason in err.  It is looked
 * at before it is opened, so that a device is never opened, and after.
 */
static int
module_file(const char *path, char *err, size_t errlen)
{
	struct stat	st;
	int		fd;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)) ==
	    -1 || fstat(fd, &st) == -1) {
		snprintf(err, errlen, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "not a regular file");
		goto fail;
	}
	if (st.st_size > MODULE_MAX) {
		snprintf(err, errlen, "larger than %d MiB", MODULE_MAX >> 20);
		goto fail;
	}
	if (geteuid() == 0 && conf_trusted(path, &st, 0, err, errlen) == -1)
		goto fail;
	return fd;
fail:
	if (fd != -1)
		close(fd);
	return -1;
}

/*
 * A memory file holding a copy of path, or -1 with the reason in err, or
 * -2 when the path itself is to be loaded (the file passed the checks).
 */
static int
module_copy(const char *path, char *err, size_t errlen)
{
	char	buf[65536];
	ssize_t	n, w, off;
	size_t	total = 0;
	int	fd, mfd;

	if ((fd = module_file(path, err, errlen)) == -1)
		return -1;
	if ((mfd = memfd_create("forkd-module", MFD_CLOEXEC)) == -1) {
		close(fd);
		return -2;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s", strerror(errno));
			goto fail;
		}
		/* It may have grown since it was looked at. */
		if ((total += (size_t)n) > MODULE_MAX) {
			snprintf(err, errlen, "larger than %d MiB",
			    MODULE_MAX >> 20);
			goto fail;
		}
		for (off = 0; off < n; off += w)
			if ((w = write(mfd, buf + off, (size_t)(n - off))) ==
			    -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				goto fallback;
			}
	}
	close(fd);
	return mfd;
fallback:
	close(fd);
	close(mfd);
	return -2;
fail:
	close(fd);
	close(mfd);
	return -1;
}

/*
 * A module that cannot be unloaded (linked -z nodelete, or with unique
 * C++ symbols) stays loaded under its /proc/self/fd/N after its memory
 * file is closed, and dlopen() of that name would hand it back: move the
 * memory file to a number no loaded object is named after.  Returns the
 * descriptor, or -1 (closed) if none was found.
 */
static int
module_fresh_fd(int mfd)
{
	char	 proc[64];
	void	*dl;
	int	 used[8], n = 0, fd = mfd;

	for (;;) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
		if ((dl = dlopen(proc, RTLD_NOLOAD | RTLD_LAZY)) == NULL)
			break;
		dlclose(dl);
		used[n++] = fd;
		/* Keep the taken numbers open, so as not to be given them. */
		if (n == 8 || (fd = fcntl(fd, F_DUPFD_CLOEXEC, fd + 1)) == -1) {
			fd = -1;
			break;
		}
	}
	while (n > 0)
		close(used[--n]);
	return fd;
}

static void *
module_dlopen(const char *path, int *fdp, char *err, size_t errlen)
{
	const char	*msg;
	char		 proc[64];
	void		*dl;
	int		 mfd;

	*fdp = -1;
	if ((mfd = module_copy(path, err, errlen)) == -1)
		return NULL;
	if (mfd >= 0 && (mfd = module_fresh_fd(mfd)) >= 0) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", mfd);
		if ((dl = dlopen(proc, RTLD_NOW | RTLD_LOCAL)) != NULL) {
			*fdp = mfd;
			return dl;
		}
		close(mfd);
	}
	if ((dl = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		msg = dlerror();
		/* dlerror() often starts with the path, said already. */
		if (msg != NULL && strncmp(msg, path, strlen(path)) == 0 &&
		    strncmp(msg + strlen(path), ": ", 2) == 0)
			msg += strlen(path) + 2;
		snprintf(err, errlen, "%s", msg != NULL ? msg : "cannot load");
	}
	return dl;
}

/* The loaded object whose file is called soname, or NULL. */
static const struct link_map *
map_find(const struct link_map *any, const char *soname)
{
	const struct link_map	*l;
	const char		*base;

	for (l = any; l->l_prev != NULL; l = l->l_prev)
		;
	for (; l != NULL; l = l->l_next) {
		base = strrchr(l->l_name, '/');
		base = base != NULL ? base + 1 : l->l_name;
		if (strcmp(base, soname) == 0)
			return l;
	}
	return NULL;
}

/*
 * Whether l, or a library it needs however deep, needs one whose name
 * holds one of names: read from the DT_NEEDED entries of each dynamic
 * section.  In doubt (too deep, no string table), yes.
 */
static int
map_needs(const struct link_map *l, const char *const *names, int depth)
{
	const struct link_map	*dep;
	const ElfW(Dyn)		*d;
	const char		*strtab = NULL, *name;
	size_t			 i;

	if (depth > 8 || l->l_ld == NULL)
		return depth > 8;
	for (d = l->l_ld; d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_STRTAB)
			/* Relocated in place by the loader on most targets. */
			strtab = (const char *)(d->d_un.d_ptr < l->l_addr ?
			    l->l_addr + d->d_un.d_ptr : d->d_un.d_ptr);
	if (strtab == NULL)
		return 1;
	for (d = l->l_ld; d->d_tag != DT_NULL; d++) {
		if (d->d_tag != DT_NEEDED)
			continue;
		name = strtab + d->d_un.d_val;
		for (i = 0; names[i] != NULL; i++)
			if (strstr(name, names[i]) != NULL)
				return 1;
		if (strncmp(name, "libc.so", 7) != 0 &&
		    (dep = map_find(l, name)) != NULL && dep != l &&
		    map_needs(dep, names, depth + 1))
			return 1;
	}
	return 0;
}

int
module_open(const char *path, struct module *m, char *err, size_t errlen)
{
	static const char *const openssl[] = {
		"libssl.so", "libcrypto.so", NULL,
	};
	const struct link_map		*l;
	const struct forkd_handler	*h;

	m->dl = NULL;
	m->fd = -1;
	m->handler = NULL;
	m->openssl = 0;
	if ((m->dl = module_dlopen(path, &m->fd, err, errlen)) == NULL)
		return -1;
	if ((h = dlsym(m->dl, "forkd_handler")) == NULL) {
		snprintf(err, errlen, "no symbol forkd_handler");
		goto fail;
	}
	if (h->abi != FORKD_HANDLER_ABI) {
		snprintf(err, errlen, "ABI version %d, forkd has %d", h->abi,
		    FORKD_HANDLER_ABI);
		goto fail;
	}
	if (h->handle == NULL) {
		snprintf(err, errlen, "no handle function");
		goto fail;
	}
	m->handler = h;
	m->openssl = dlinfo(m->dl, RTLD_DI_LINKMAP, &l) != 0 ||
	    map_needs(l, openssl, 0);
	return 0;
fail:
	module_close(m);
	return -1;
}

void
module_close(struct module *m)
{
	if (m->dl != NULL)
		dlclose(m->dl);
	if (m->fd != -1)
		close(m->fd);
	m->dl = NULL;
	m->fd = -1;
	m->handler = NULL;
}
