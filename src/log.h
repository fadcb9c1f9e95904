/* SPDX-License-Identifier: ISC */
/*
 * Logging: standard error in the foreground (-d), syslog otherwise.
 * log_warn appends strerror(errno), log_warnx does not; log_debug prints
 * only with -v.  On standard error the master never waits: a line that
 * cannot be written at once is dropped, and how many were is logged
 * when lines go through again.
 */

#ifndef FORKD_LOG_H
#define FORKD_LOG_H

#include <stdarg.h>

void	log_init(int foreground, int verbose, int facility);
int	log_verbose(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));

#endif /* FORKD_LOG_H */
