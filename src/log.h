/*
 * Logging: standard error in the foreground (-d), syslog otherwise.
 * log_warn appends strerror(errno), log_warnx does not; log_debug prints
 * only with -v; fatal and fatalx log and exit.
 */

#ifndef FORKD_LOG_H
#define FORKD_LOG_H

#include <stdarg.h>

void	log_init(int foreground, int verbose, int facility);
void	log_setfacility(int facility);
int	log_verbose(void);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	vlog(int priority, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
__attribute__((noreturn, format(printf, 2, 3)))
void	fatal(int status, const char *, ...);
__attribute__((noreturn, format(printf, 2, 3)))
void	fatalx(int status, const char *, ...);

#endif /* FORKD_LOG_H */
