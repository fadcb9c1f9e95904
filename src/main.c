/* SPDX-License-Identifier: ISC */
/*
 * forkd: a forking concurrent TCP server.  This file holds the command
 * line, daemonizing and the wiring; the work is done in the library.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <paths.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "activate.h"
#include "conf.h"
#include "log.h"
#include "module.h"
#include "notify.h"
#include "pages.h"
#include "server.h"
#include "svc.h"
#include "tls.h"

#define FORKD_CONF	SYSCONFDIR "/forkd.conf"
#define FORKD_PIDFILE	RUNSTATEDIR "/forkd.pid"
#define MAX_OPTS	256

/* The pid file, locked as long as the master runs. */
struct pidfile {
	int	 fd;
	char	*path;		/* absolute: a daemon is in / */
};

__attribute__((noreturn))
static void	usage(int);
static void	stdio_ensure(void);
static void	signals_reserved(void);
static int	detach(void);
static char	*abspath(const char *);
static int	check_modules(const struct conf *);
static int	check_sandboxes(const struct conf *);
static int	check_tls(const struct conf *);
static pid_t	pid_read(const char *);
static const char *pid_default(const char *, char *, size_t);
static int	pid_lock(struct pidfile *, const char *);
static void	pid_write(struct pidfile *);
static void	pid_remove(struct pidfile *);

static void
usage(int status)
{
	FILE	*f = status == 0 ? stdout : stderr;

	fprintf(f,
	    "usage: forkd [-dnv] [-f file] [-p pidfile]\n"
	    "       forkd [-dv] [-p pidfile] [-o name=value]... "
	    "-l address handler [arg ...]\n"
	    "       forkd -V | -h\n"
	    "\n"
	    "  -d          stay in the foreground, log to standard error\n"
	    "  -f file     configuration file (default %s)\n"
	    "  -l address  serve one service on address, no file:\n"
	    "              handler is a built-in (echo, discard, chargen,\n"
	    "              daytime, time), exec PATH [ARG...] or\n"
	    "              module PATH [ARG...]\n"
	    "  -n          check the configuration and exit\n"
	    "  -o n=v      a service directive for -l, e.g. -o timeout=10s\n"
	    "  -p pidfile  pid file (default %s when detached)\n"
	    "  -v          log every connection; repeat for more\n"
	    "  -V          print the version\n"
	    "  -h          print this help\n",
	    FORKD_CONF, FORKD_PIDFILE);
	exit(status);
}

/*
 * Descriptors 0, 1 and 2 must be open before any socket is made, or a
 * listener could land on one of them and be handed to a child as its
 * standard error.
 */
static void
stdio_ensure(void)
{
	int	fd;

	while ((fd = open(_PATH_DEVNULL, O_RDWR)) != -1 && fd <= 2)
		;
	if (fd == -1)
		err(EX_OSERR, "%s", _PATH_DEVNULL);
	close(fd);
}

/*
 * The signals glibc keeps for itself (32 and 33: thread cancellation
 * and set*id among threads) back to their default action.  forkd gives
 * its children no ignored signal, but sigaction(3) refuses these two, and
 * a process started by glibc's posix_spawn(3) has them ignored: GNU make
 * starts its jobs so, for one.  Forked children would inherit that and
 * hand it on to every program they run, while spawned ones start with
 * the default (exec.c).  The system call takes them; a kernel sigaction
 * of zeros is SIG_DFL, no flags, whatever the architecture's layout.  At
 * the start of main glibc has no handler of its own on them to lose: it
 * installs one when a thread is cancelled or ids change under threads,
 * and forkd has one thread.
 */
static void
signals_reserved(void)
{
#if defined(SYS_rt_sigaction) && defined(__SIGRTMIN)
	unsigned long	act[8];
	int		sig;

	memset(act, 0, sizeof(act));
	for (sig = __SIGRTMIN; sig < SIGRTMIN; sig++)
		(void)syscall(SYS_rt_sigaction, sig, act, NULL, _NSIG / 8);
#endif
}

/*
 * Fork into the background, in a session of its own, in /, with the
 * standard streams on /dev/null.  The starting process exits only when
 * the daemon writes to the returned descriptor (once its pid file is
 * written), so whoever started forkd can rely on it being up.
 */
static int
detach(void)
{
	int	fds[2], fd;
	char	c;

	if (pipe2(fds, O_CLOEXEC) == -1)
		err(EX_OSERR, "pipe");
	/* The daemon is the master: it takes the master's own tables. */
	pages_share(1);
	switch (fork()) {
	case -1:
		err(EX_OSERR, "fork");
	case 0:
		pages_share(0);
		break;
	default:
		close(fds[1]);
		_exit(read(fds[0], &c, 1) == 1 ? 0 : EX_OSERR);
	}
	close(fds[0]);
	if (setsid() == -1 || chdir("/") == -1)
		err(EX_OSERR, "detach");
	umask(022);
	if ((fd = open(_PATH_DEVNULL, O_RDWR)) == -1)
		err(EX_OSERR, "%s", _PATH_DEVNULL);
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
	return fds[1];
}

/*
 * The configuration file's path as an absolute one, for reloads after
 * detaching has moved to "/".  Symbolic links are left alone: a reload
 * follows them anew.
 */
static char *
abspath(const char *path)
{
	char	cwd[PATH_MAX], *abs;

	if (path[0] == '/')
		return strdup(path);
	if (getcwd(cwd, sizeof(cwd)) == NULL ||
	    asprintf(&abs, "%s/%s", cwd, path) == -1)
		return NULL;
	return abs;
}

/*
 * -n, for one module service: load the module, check its ABI and run its
 * init with the service's arguments, then its fini, as a start would, in
 * a child of its own, so that nothing of it survives the check: not its
 * constructors, not what init opens or sets.  Returns 0, or -1 with the
 * reason told.
 */
static int
check_module(const struct conf_service *cs)
{
	struct module	 m;
	void		*state = NULL;
	char		 err[256], **argv = cs->argv;
	int		 fds[2], status, argc = cs->argc;
	int		 privnet = cs->s.privnet;
	ssize_t		 n;
	pid_t		 pid;

	/* cs itself is none of a child's: what it needs, on the stack. */
	if (pipe2(fds, O_CLOEXEC) == -1) {
		svc_warnx(cs, "module %s: pipe: %s", cs->argv[0],
		    strerror(errno));
		return -1;
	}
	fflush(NULL);
	switch ((pid = fork())) {
	case -1:
		svc_warnx(cs, "module %s: fork: %s", cs->argv[0],
		    strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	case 0:
		close(fds[0]);
		if (module_open(argv[0], &m, err, sizeof(err)) == -1)
			_exit(write(fds[1], err, strlen(err)) == -1 ? 3 : 2);
		if (privnet && (m.handler->flags & FORKD_HANDLER_NETWORK))
			_exit(4);
		if (m.handler->init != NULL &&
		    m.handler->init(argc, argv, &state) != 0)
			_exit(1);
		if (m.handler->fini != NULL)
			m.handler->fini(state);
		_exit(0);
	}
	close(fds[1]);
	while ((n = read(fds[0], err, sizeof(err) - 1)) == -1 &&
	    errno == EINTR)
		;
	err[n > 0 ? n : 0] = '\0';
	close(fds[0]);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			svc_warnx(cs, "module %s: waitpid: %s", cs->argv[0],
			    strerror(errno));
			return -1;
		}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 2)
		svc_warnx(cs, "module %s: %s", cs->argv[0], err);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
		svc_warnx(cs, "module %s makes connections of its own, which "
		    "private-network forbids", cs->argv[0]);
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
		svc_warnx(cs, "module %s: init refused the service",
		    cs->argv[0]);
	else if (WIFSIGNALED(status))
		svc_warnx(cs, "module %s: init killed by signal %d",
		    cs->argv[0], WTERMSIG(status));
	else
		svc_warnx(cs, "module %s: init exited %d", cs->argv[0],
		    WEXITSTATUS(status));
	return -1;
}

/* -n: check every module service.  Returns how many failed. */
static int
check_modules(const struct conf *conf)
{
	const struct conf_service	*cs;
	int				 n = 0;

	TAILQ_FOREACH(cs, &conf->services, entry)
		if (cs->kind == CONF_HANDLER_MODULE && check_module(cs) == -1)
			n++;
	return n;
}

/*
 * -n: make every service's sandbox, as a start would, and let it go: a
 * system that refuses a namespace says so now.  Returns how many failed.
 */
static int
check_sandboxes(const struct conf *conf)
{
	const struct conf_service	*cs;
	struct sandbox			*sb;
	char				 err[PATH_MAX + 512];
	int				 n = 0;

	TAILQ_FOREACH(cs, &conf->services, entry) {
		sb = sandbox_new(cs, svc_sandbox_kind(cs), err, sizeof(err));
		if (sb == NULL && *err != '\0') {
			fprintf(stderr, "%s\n", err);
			n++;
		}
		sandbox_free(sb);
	}
	return n;
}

/*
 * -n: read every TLS service's certificates and keys, as a start would,
 * and check that each key matches its certificate.
 */
static int
check_tls(const struct conf *conf)
{
	const struct conf_service	*cs;
	struct tls			*t;
	char				 err[PATH_MAX + 512];
	int				 n = 0;

	TAILQ_FOREACH(cs, &conf->services, entry) {
		t = tls_new(cs, 1, err, sizeof(err));
		if (t == NULL && *err != '\0') {
			fprintf(stderr, "%s\n", err);
			n++;
		}
		tls_free(t);
	}
	return n;
}

/*
 * The pid of the forkd that holds the pid file, or -1: it locks the file
 * before it writes it, so an empty file is one about to be written.
 */
static pid_t
pid_read(const char *path)
{
	const char	*errstr;
	char		 buf[32];
	ssize_t		 n;
	pid_t		 pid = -1;
	int		 fd, tries;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1)
		return -1;
	for (tries = 0; tries < 20; tries++) {
		if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) > 0) {
			buf[n] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			pid = (pid_t)strtonum(buf, 1, INT32_MAX, &errstr);
			if (errstr != NULL)
				pid = -1;
			break;
		}
		usleep(5000);
	}
	close(fd);
	return pid;
}

/*
 * The pid file of a configuration: /run/forkd.pid for forkd.conf, and
 * for another one, its name's: /run/forkd-NAME.pid for NAME.conf (or
 * NAME), so that instances with their own files (SCALING OUT in
 * forkd.conf(5)) have their own pid files.
 */
static const char *
pid_default(const char *conf, char *buf, size_t size)
{
	const char	*base;
	size_t		 len;

	if (conf == NULL)
		return FORKD_PIDFILE;
	base = (base = strrchr(conf, '/')) != NULL ? base + 1 : conf;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".conf") == 0)
		len -= 5;
	if (len == 0 || (len == 5 && strncmp(base, "forkd", 5) == 0) ||
	    (size_t)snprintf(buf, size, "%s/forkd-%.*s.pid", RUNSTATEDIR,
	    (int)len, base) >= size)
		return FORKD_PIDFILE;
	return buf;
}

/*
 * Open and lock the pid file, creating it if need be.  libbsd's
 * pidfile_open(3) follows a symbolic link, so that one planted at the
 * path would have forkd, as root, truncate and write whatever file it
 * names: here the path must be a regular file of its own, neither a
 * link (O_NOFOLLOW) nor another name of some file (a hard link), nor a
 * FIFO (opened without blocking).  The lock, flock(2) as libbsd's,
 * tells a running forkd from a file left behind.  Returns 0, or the
 * exit status, the reason said.
 */
static int
pid_lock(struct pidfile *pf, const char *path)
{
	struct stat	st;
	pid_t		other;

	pf->fd = -1;
	if ((pf->path = abspath(path)) == NULL) {
		warn("%s", path);
		return EX_OSERR;
	}
	/* Looked at first for the message; what is opened, after. */
	if (lstat(pf->path, &st) == 0 && !S_ISREG(st.st_mode)) {
		warnx("%s: %s; the pid file must be a file of its own", path,
		    S_ISLNK(st.st_mode) ? "a symbolic link" :
		    "not a regular file");
		goto fail;
	}
	pf->fd = open(pf->path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY, 0644);
	if (pf->fd == -1 || fstat(pf->fd, &st) == -1) {
		warn("%s", path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		warnx("%s: %s; the pid file must be a file of its own", path,
		    S_ISREG(st.st_mode) ? "a file with other names (hard "
		    "links)" : "not a regular file");
		goto fail;
	}
	if (flock(pf->fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno != EWOULDBLOCK) {
			warn("%s", path);
			goto fail;
		}
		if ((other = pid_read(pf->path)) == -1)
			warnx("already running (%s)", path);
		else
			warnx("already running as pid %ld (%s)", (long)other,
			    path);
		warnx("another instance, with another configuration, needs a "
		    "pid file of its own: -p, the pidfile directive, or a "
		    "configuration file of another name (forkd(8), FILES)");
		close(pf->fd);
		free(pf->path);
		return EX_TEMPFAIL;
	}
	/* What a forkd that is gone wrote is no pid. */
	if (ftruncate(pf->fd, 0) == -1) {
		warn("%s", path);
		goto fail;
	}
	return 0;
fail:
	if (pf->fd != -1)
		close(pf->fd);
	free(pf->path);
	return EX_CANTCREAT;
}

/* Once detached: the daemon's own pid. */
static void
pid_write(struct pidfile *pf)
{
	char	buf[32];
	int	n;

	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(pf->fd, 0) == -1 ||
	    pwrite(pf->fd, buf, (size_t)n, 0) != n)
		log_warn("%s", pf->path);
}

/*
 * Removed only if the path still names the file this forkd locked, and
 * not one that someone put in its place since.
 */
static void
pid_remove(struct pidfile *pf)
{
	struct stat	a, b;

	if (fstat(pf->fd, &a) == 0 && lstat(pf->path, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		unlink(pf->path);
	close(pf->fd);
	free(pf->path);
}

int
main(int argc, char *argv[])
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;
	struct server		 srv;
	struct pidfile		 pf, *pfh = NULL;
	char			 defpid[PATH_MAX];
	const char		*conf_path = FORKD_CONF, *listen = NULL;
	const char		*pidfile = NULL;
	char			*opts[MAX_OPTS], *reload_path = NULL;
	size_t			 nopts = 0, i;
	int			 ch, foreground = 0, check = 0, verbose = 0;
	int			 fflag = 0, status, readyfd = -1;

	/* "+": every word after the handler belongs to the handler. */
	while ((ch = getopt(argc, argv, "+df:hl:no:p:vV")) != -1) {
		switch (ch) {
		case 'd':
			foreground = 1;
			break;
		case 'f':
			conf_path = optarg;
			fflag = 1;
			break;
		case 'h':
			usage(0);
		case 'l':
			listen = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'o':
			if (nopts == MAX_OPTS)
				errx(EX_USAGE, "too many -o options");
			opts[nopts++] = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'v':
			verbose++;
			break;
		case 'V':
			printf("forkd %s\n", PACKAGE_VERSION);
			return 0;
		default:
			usage(EX_USAGE);
		}
	}
	argc -= optind;
	argv += optind;

	if (listen == NULL && (argc > 0 || nopts > 0))
		usage(EX_USAGE);
	if (listen != NULL && (argc == 0 || fflag))
		usage(EX_USAGE);

	stdio_ensure();
	signals_reserved();
	log_init(1, verbose, 0);
	if (notify_init() == -1)
		errx(EX_USAGE, "NOTIFY_SOCKET: not a socket address");

	if (listen != NULL)
		conf = conf_cmdline(listen, argc, argv, opts, nopts, &errs);
	else
		conf = conf_parse_file(conf_path, &errs);
	if (conf != NULL && conf_check_credentials(conf, geteuid(), getegid(),
	    &errs) == -1) {
		conf_free(conf);
		conf = NULL;
	}
	if (conf == NULL) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.msg[i]);
		if (errs.n == 0)
			fprintf(stderr, "forkd: out of memory\n");
		conf_errors_free(&errs);
		return EX_CONFIG;
	}
	if (check) {
		for (i = 0; i < conf->warnings.n; i++)
			fprintf(stderr, "%s\n", conf->warnings.msg[i]);
		if (check_modules(conf) != 0 || check_sandboxes(conf) != 0 ||
		    check_tls(conf) != 0) {
			conf_free(conf);
			return EX_CONFIG;
		}
		printf("configuration OK\n");
		conf_free(conf);
		return 0;
	}

	/*
	 * Early exits free the configuration: a leak checker at exit would
	 * report it, and change the exit status.
	 */
	if (activate_collect() == -1) {
		conf_free(conf);
		return EX_OSERR;
	}
	if (activate_check(conf) > 0) {
		conf_free(conf);
		return EX_CONFIG;
	}

	if (pidfile == NULL && !foreground)
		pidfile = conf->pidfile != NULL ? conf->pidfile :
		    pid_default(listen == NULL ? conf_path : NULL, defpid,
		    sizeof(defpid));
	if (pidfile != NULL) {
		if ((status = pid_lock(&pf, pidfile)) != 0) {
			conf_free(conf);
			return status;
		}
		pfh = &pf;
	}

	if (listen == NULL && (reload_path = abspath(conf_path)) == NULL)
		err(EX_OSERR, "%s", conf_path);

	/* Listeners are bound before detaching, so failures reach the user. */
	if ((status = server_init(&srv, conf, reload_path)) != 0) {
		server_free(&srv);
		free(reload_path);
		if (pfh != NULL)
			pid_remove(pfh);
		return status;
	}

	if (!foreground) {
		readyfd = detach();
		log_init(0, verbose, conf->syslog_facility);
	}
	if (pfh != NULL)
		pid_write(pfh);
	if (readyfd != -1) {
		if (write(readyfd, "", 1) != 1)
			log_warn("cannot tell the starting process");
		close(readyfd);
	}
	for (i = 0; i < conf->warnings.n; i++)
		log_warnx("%s", conf->warnings.msg[i]);
	log_info("started, %zu services", conf->nservices);
	notify_send("READY=1");

	status = server_run(&srv);
	if (pfh != NULL)
		pid_remove(pfh);
	log_info("stopped");
	free(reload_path);
	return status;
}
