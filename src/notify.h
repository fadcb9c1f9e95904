/* SPDX-License-Identifier: ISC */
/*
 * Readiness notification to a service manager through NOTIFY_SOCKET, as
 * sd_notify(3) does: READY=1, RELOADING=1, STOPPING=1.
 */

#ifndef FORKD_NOTIFY_H
#define FORKD_NOTIFY_H

/*
 * Read NOTIFY_SOCKET (and, without libsystemd, unset it).  Returns 0, or
 * -1 with errno set when the variable names an address that cannot be
 * used.
 */
int	notify_init(void);

/* Send a state string such as "READY=1"; nothing without a socket. */
void	notify_send(const char *);

/* "RELOADING=1" with the MONOTONIC_USEC= that systemd asks for. */
void	notify_reloading(void);

#endif /* FORKD_NOTIFY_H */
