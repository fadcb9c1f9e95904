/* SPDX-License-Identifier: ISC */
/*
 * A message with a descriptor over a unix-domain socket (SCM_RIGHTS):
 * the client's socket to a spawner, an answer socket to a TLS service's
 * key process.
 */

#ifndef FORKD_FDPASS_H
#define FORKD_FDPASS_H

#include <sys/types.h>
#include <sys/uio.h>

/* Send the message of iov with fd: sendmsg(2)'s result, EINTR retried. */
ssize_t	fdpass_send(int sock, const struct iovec *iov, size_t iovlen, int fd);

/*
 * Receive one message into buf, and in *fd the descriptor that came with
 * it (close-on-exec), or -1; any other is closed.  recvmsg(2)'s result,
 * EINTR retried; a message or its descriptors cut short is -1 with
 * EMSGSIZE, and *fd -1.
 */
ssize_t	fdpass_recv(int sock, void *buf, size_t len, int *fd);

#endif /* FORKD_FDPASS_H */
