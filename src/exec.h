/* SPDX-License-Identifier: ISC */
/*
 * The exec handler: run a program with the connection as standard input
 * and output, the UCSPI environment, and nothing of forkd's own
 * environment but PATH and what env/passenv name.
 */

#ifndef FORKD_EXEC_H
#define FORKD_EXEC_H

#include <sys/types.h>
#include <sys/socket.h>

#include <forkd/handler.h>

struct conf_service;
struct sandbox;

extern const struct forkd_handler exec_handler;

/* The exit status of a child whose program could not be run, as sh's. */
#define EXEC_FAILED	127

/*
 * Prepare, in the master, the argument and environment vectors of a
 * service's exec children.  Returns 0, or -1 on ENOMEM.
 */
int	exec_prepare(const struct conf_service *, void **state);
void	exec_release(void *state);

/*
 * Start the program for the connection on fd straight from the master,
 * without a fork of it: for services whose children need no user,
 * group, chroot, limits or PROXY protocol.  local is the connection's
 * own address, or NULL to ask the socket; ticket (ticket.h, tlen bytes)
 * what the master decided for it, whose banner is sent first; sb the
 * service's sandbox, or NULL.  Returns 0 with *pid set and *slot that of
 * a launch (launch_reaped()) or -1, or an errno value: ENOSYS when the
 * sandbox needs a fork after all.
 */
int	exec_spawn(void *state, const char *service, int fd,
	    const struct sockaddr *peer, const struct sockaddr *local,
	    int errw, const char *ticket, size_t tlen,
	    const struct sandbox *, pid_t *pid, int *slot);

#endif /* FORKD_EXEC_H */
