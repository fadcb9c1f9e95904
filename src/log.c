#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	log_foreground = 1;
static int	log_level;

static void	vlog(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	vlog_errno(int, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

void
log_init(int foreground, int verbose, int facility)
{
	log_foreground = foreground;
	log_level = verbose;
	if (!foreground)
		openlog("forkd", LOG_PID | LOG_NDELAY, facility);
	tzset();
}

int
log_verbose(void)
{
	return log_level;
}

static void
vlog(int priority, const char *fmt, va_list ap)
{
	char	buf[1024];

	if (log_foreground) {
		/* One write per line, so children's lines do not interleave. */
		vsnprintf(buf, sizeof(buf), fmt, ap);
		fprintf(stderr, "%s\n", buf);
		fflush(stderr);
	} else
		vsyslog(priority, fmt, ap);
}

static void
vlog_errno(int priority, int saved, const char *fmt, va_list ap)
{
	char	buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_foreground) {
		fprintf(stderr, "%s: %s\n", buf, strerror(saved));
		fflush(stderr);
	} else
		syslog(priority, "%s: %s", buf, strerror(saved));
}

void
log_warn(const char *fmt, ...)
{
	va_list	ap;
	int	saved = errno;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	if (log_level < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}
