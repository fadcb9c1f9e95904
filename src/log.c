/* SPDX-License-Identifier: ISC */
/*
 * Logging: syslog(3) when detached; with -d, lines on standard error
 * that never make the master wait.  Standard error is then whatever
 * started forkd gave it: a terminal, a pipe to a logger or the journal's
 * socket, which stops taking lines when its reader does.  A master
 * blocked in write(2) would accept nothing and answer no signal, SIGTERM
 * included, so a line that cannot be written at once is dropped and
 * counted, and the count is logged with the first line written again.
 *
 * Without touching descriptor 2 itself, whose open file description
 * forkd shares with its parent and, should their standard error not be
 * captured, with its children: O_NONBLOCK set there would be set for
 * them too, and a program that does not expect EAGAIN would lose its
 * output.  So a socket is written with send(2) and MSG_DONTWAIT, a pipe
 * through a description of forkd's own (the pipe opened anew, through
 * /proc, with O_NONBLOCK), a regular file as it is, and anything else,
 * a terminal for one, after poll(2) says it takes bytes.  A child writes
 * to its own descriptor 2, as before: it has no master's loop to hold.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_LINE	1024	/* bytes of a message, as syslog's */

enum log_how {
	LOG_POLL,		/* poll(2), then write(2) */
	LOG_WRITE,		/* a regular file: write(2) */
	LOG_SEND,		/* a socket: send(2), MSG_DONTWAIT */
	LOG_OWN,		/* a pipe: log_fd is forkd's own, O_NONBLOCK */
};

static int		log_foreground = 1;
static int		log_level;
static enum log_how	log_how = LOG_POLL;
static int		log_fd = STDERR_FILENO;
static pid_t		log_pid;		/* the master */
static unsigned long	log_dropped;		/* lines since the last */
static char		log_rest[LOG_LINE + 256]; /* of a line sent in part */
static size_t		log_nrest;

static void	log_stderr(void);
static ssize_t	log_try(const char *, size_t);
static int	log_flush(void);
static int	log_put(const char *, size_t);
static void	log_line(const char *, size_t);
static void	vlog(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	vlog_errno(int, int, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

void
log_init(int foreground, int verbose, int facility)
{
	log_foreground = foreground;
	log_level = verbose;
	if (log_fd != STDERR_FILENO) {
		close(log_fd);
		log_fd = STDERR_FILENO;
	}
	log_how = LOG_POLL;
	log_pid = getpid();
	if (foreground)
		log_stderr();
	else
		openlog("forkd", LOG_PID | LOG_NDELAY, facility);
	tzset();
}

/* How standard error is written without blocking: see above. */
static void
log_stderr(void)
{
	struct stat	st;
	int		fd;

	if (fstat(STDERR_FILENO, &st) == -1)
		return;
	if (S_ISREG(st.st_mode))
		log_how = LOG_WRITE;
	else if (S_ISSOCK(st.st_mode))
		log_how = LOG_SEND;
	else if (S_ISFIFO(st.st_mode) &&
	    (fd = open("/proc/self/fd/2", O_WRONLY | O_NONBLOCK | O_CLOEXEC |
	    O_NOCTTY)) != -1) {
		log_how = LOG_OWN;
		log_fd = fd;
	}
}

int
log_verbose(void)
{
	return log_level;
}

/*
 * Write what can be written now: the bytes written, 0 when none could
 * be, or -1 on an error (a reader gone, for instance).
 */
static ssize_t
log_try(const char *buf, size_t len)
{
	struct pollfd	pfd;
	ssize_t		n;

	for (;;) {
		switch (log_how) {
		case LOG_SEND:
			n = send(log_fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
			break;
		case LOG_POLL:
			pfd.fd = log_fd;
			pfd.events = POLLOUT;
			if (poll(&pfd, 1, 0) == 0)
				return 0;
			__attribute__((fallthrough));
		default:
			n = write(log_fd, buf, len);
			break;
		}
		if (n >= 0)
			return n;
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

/*
 * The rest of a line a socket took in part goes first, or the next line
 * would be joined to it.  Returns 0 when nothing is left of it, -1 when
 * it must wait.
 */
static int
log_flush(void)
{
	ssize_t	n;

	while (log_nrest > 0) {
		if ((n = log_try(log_rest, log_nrest)) == 0)
			return -1;
		if (n == -1) {
			/* Lost, as whatever follows: no one reads. */
			log_nrest = 0;
			break;
		}
		memmove(log_rest, log_rest + n, log_nrest - (size_t)n);
		log_nrest -= (size_t)n;
	}
	return 0;
}

/*
 * A line written whole, or in part with the rest kept for log_flush.
 * Returns -1 when not a byte of it could be written now.
 */
static int
log_put(const char *buf, size_t len)
{
	ssize_t	n;

	if ((n = log_try(buf, len)) == 0)
		return -1;
	if (n > 0 && (size_t)n < len) {
		log_nrest = len - (size_t)n;
		memcpy(log_rest, buf + n, log_nrest);
		(void)log_flush();
	}
	return 0;
}

/* One line, its newline included, in one write. */
static void
log_line(const char *line, size_t len)
{
	char	note[128];
	ssize_t	n;
	int	nlen;

	if (getpid() != log_pid) {
		/* A child, whose standard error is its own. */
		while (len > 0) {
			if ((n = write(STDERR_FILENO, line, len)) == -1 &&
			    errno == EINTR)
				continue;
			if (n <= 0)
				break;
			line += n;
			len -= (size_t)n;
		}
		return;
	}
	if (log_flush() == -1)
		goto drop;
	if (log_dropped > 0) {
		nlen = snprintf(note, sizeof(note), "log: %lu lines dropped, "
		    "standard error was full\n", log_dropped);
		if (log_put(note, (size_t)nlen) == -1)
			goto drop;
		log_dropped = 0;
		if (log_nrest > 0)
			goto drop;
	}
	if (log_put(line, len) == 0)
		return;
drop:
	log_dropped++;
}

static void
vlog(int priority, const char *fmt, va_list ap)
{
	char	buf[LOG_LINE + 1];
	int	n;

	if (log_foreground) {
		/* One write per line, so children's lines do not interleave. */
		if ((n = vsnprintf(buf, sizeof(buf) - 1, fmt, ap)) < 0)
			return;
		if ((size_t)n > sizeof(buf) - 2)
			n = sizeof(buf) - 2;
		buf[n++] = '\n';
		log_line(buf, (size_t)n);
	} else
		vsyslog(priority, fmt, ap);
}

static void
vlog_errno(int priority, int saved, const char *fmt, va_list ap)
{
	char	buf[LOG_LINE], line[LOG_LINE + 256];
	int	n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	if (log_foreground) {
		n = snprintf(line, sizeof(line) - 1, "%s: %s", buf,
		    strerror(saved));
		if (n < 0)
			return;
		if ((size_t)n > sizeof(line) - 2)
			n = sizeof(line) - 2;
		line[n++] = '\n';
		log_line(line, (size_t)n);
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
