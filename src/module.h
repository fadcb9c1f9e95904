/* SPDX-License-Identifier: ISC */
/*
 * Handler modules: shared objects exporting a struct forkd_handler named
 * forkd_handler (<forkd/handler.h>, forkd-handler(3)).
 */

#ifndef FORKD_MODULE_H
#define FORKD_MODULE_H

#include <stddef.h>

#include <forkd/handler.h>

struct module {
	void				*dl;
	int				 fd;	/* the loaded copy, or -1 */
	const struct forkd_handler	*handler;
	int				 openssl; /* it, or what it needs, links
						     OpenSSL (tls.h) */
};

/*
 * Load the module at path, fresh: a copy of the file is loaded, so that
 * a module rebuilt since the last load takes effect and one overwritten
 * in place later cannot disturb it.  Refuses a file that is not a
 * regular one, one larger than 256 MiB and, when forkd runs as root, one
 * that others than root could change (conf_trusted).  Checks the ABI and
 * the handle function; does not call init.  Returns 0, or -1 with the
 * reason in err.
 */
int	module_open(const char *path, struct module *, char *err, size_t);

/* Unload, after the caller has called fini; a closed one stays closed. */
void	module_close(struct module *);

#endif /* FORKD_MODULE_H */
