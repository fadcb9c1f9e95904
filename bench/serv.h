/* SPDX-License-Identifier: ISC */
/*
 * What the two reference servers share, as the helper functions of the
 * socket-programming textbooks: a listening socket for host and port,
 * and an echo loop on a connected socket.
 */

#ifndef SERV_H
#define SERV_H

#include <sys/types.h>

int	serv_listen(const char *, const char *, int);
int	serv_echo(int);
int	serv_backlog(const char *);

#endif
