/*
 * The built-in handlers: echo, discard, chargen, daytime, time, and the
 * exec handler.  They use the module interface of <forkd/handler.h>.
 */

#ifndef FORKD_BUILTIN_H
#define FORKD_BUILTIN_H

#include <forkd/handler.h>

/* The built-in handler of that name (status and metrics too), or NULL. */
const struct forkd_handler *builtin_find(const char *name);

#endif /* FORKD_BUILTIN_H */
