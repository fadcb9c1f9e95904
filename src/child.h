/*
 * The child's side of a connection: from fork to the handler.
 */

#ifndef FORKD_CHILD_H
#define FORKD_CHILD_H

#include <sys/socket.h>

struct svc;

/*
 * Set up the child for the connection on fd (new session, signals back
 * to default, the socket on 0 and 1, every other descriptor but 2
 * closed, limits, chroot, credentials) and run the service's handler.
 * Never returns.
 */
__attribute__((noreturn))
void	child_run(const struct svc *, int fd, const struct sockaddr *peer);

#endif /* FORKD_CHILD_H */
