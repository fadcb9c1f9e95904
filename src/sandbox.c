/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stddef.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "conf.h"
#include "launch.h"
#include "log.h"
#include "sandbox.h"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

/* Groups name groups: no deeper than systemd's (@system-service, @known). */
#define GROUP_DEPTH	4
/* Numbers of system calls whose names a denied call is logged with. */
#define NAMED_CALLS	1024

/*
 * A compiled filter, shared by every service that asks for the same
 * calls with the same action: forkd's own for built-ins is compiled
 * once, however many services use it.
 */
struct filter {
	struct filter	*next;
	int		*calls;		/* sorted */
	size_t		 ncalls;
	int		 allow;		/* calls are allowed, or denied */
	uint32_t	 action;	/* for the others, or for them */
	struct sock_fprog prog;
	unsigned int	 refs;
};

struct sandbox {
	struct filter	*filter;	/* NULL: none */
	int		 strict;	/* SECCOMP_MODE_STRICT instead */
	int		 trap;		/* SIGSYS handler: forkd's handlers */
	int		 nnp;		/* set it for the filter */
	int		 mntns;		/* prepared namespaces, or -1 */
	int		 netns;
	int		 privtmp;
	int		 capset;	/* capabilities given */
	int		 bset;		/* and the bounding set to drop */
	uint64_t	 caps;
	int		 launchable;	/* by launch.h, with launch */
	struct launch_sandbox launch;
};

/* A set of system call numbers, as libseccomp resolves names. */
struct callset {
	int		*v;
	size_t		 n;
	size_t		 size;
};

/* What a namespace helper says: 0, or an errno and what it was doing. */
struct nsreply {
	int		 error;
	char		 what[PATH_MAX + 64];
};

static const char *const capnames[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid",
	"kill", "setgid", "setuid", "setpcap", "linux_immutable",
	"net_bind_service", "net_broadcast", "net_admin", "net_raw",
	"ipc_lock", "ipc_owner", "sys_module", "sys_rawio", "sys_chroot",
	"sys_ptrace", "sys_pacct", "sys_admin", "sys_boot", "sys_nice",
	"sys_resource", "sys_time", "sys_tty_config", "mknod", "lease",
	"audit_write", "audit_control", "setfcap", "mac_override",
	"mac_admin", "syslog", "wake_alarm", "block_suspend", "audit_read",
	"perfmon", "bpf", "checkpoint_restore",
};

/*
 * forkd's own filter for its built-in handlers, as OpenBSD's inetd
 * pledges its internal services "stdio": a socket to read and write,
 * the time, memory, and an end.  Nothing opens, connects or executes.
 */
static const char *const builtin_calls[] = {
	"read", "readv", "write", "writev", "recvfrom", "recvmsg", "sendto",
	"sendmsg", "poll", "ppoll", "close", "shutdown", "fstat",
	"newfstatat", "lseek", "brk", "mmap", "munmap", "mremap", "madvise",
	"futex", "getpid", "gettid", "getrandom", "clock_gettime",
	"gettimeofday", "time", "clock_nanosleep", "nanosleep",
	"rt_sigreturn", "rt_sigprocmask", "exit", "exit_group",
	"restart_syscall", "kill", "tgkill", "sigaltstack",
};

/*
 * A TLS service's relay (tls.h): the same, and the wait for its
 * handler, and SIGPIPE's disposition.
 */
static const char *const relay_calls[] = {
	"wait4", "rt_sigaction",
};

/*
 * What a spawner (spawner.h) calls under the filter it gives its
 * children, and what a launched child calls before its execve(2): a
 * filter that allows them all lets the service's programs be started by
 * one.  Logging is among them: an execve that failed is said there.
 */
static const char *const spawner_calls[] = {
	"recvmsg", "sendto", "sendmsg", "ppoll", "poll", "clone", "close",
	"exit", "exit_group", "write", "writev", "socket", "connect",
	"getpid", "setsid", "setpgid", "fcntl", "dup3", "close_range",
	"rt_sigprocmask", "execve", "sigaltstack",
};

static struct filter	*filters;
static char		*callnames[NAMED_CALLS];
static int		 callnames_ready;
static long		 cap_last = -1;

static int	set_add(struct callset *, int);
static void	set_del(struct callset *, int);
static void	set_sort(struct callset *);
static int	set_name(struct callset *, const char *, int, int);
static int	cmpint(const void *, const void *);
static struct filter *filter_get(const char *const *, size_t, int, int,
		    char *, size_t);
static int	filter_set(const char *const *, size_t, int, int,
		    struct callset *, int *, uint32_t *);
static int	filter_ranges(struct filter *);
static int	filter_shortest(struct filter *, char *, size_t);
static int	filter_compile(struct filter *, char *, size_t);
static void	filter_put(struct filter *);
static int	ns_prepare(const struct conf_settings *, int *, int *,
		    struct nsreply *);
static int	ns_build(const struct conf_settings *, struct nsreply *);
static char	*mountinfo_next(FILE *, char **, size_t *);
static int	ns_mountpoint(const char *);
static int	ns_scratch(const struct conf_settings *, char *, size_t);
static int	ns_readonly(const char *, struct nsreply *);
static int	ns_hide(const char *, const char *, struct nsreply *);
static int	ns_fail(struct nsreply *, const char *, const char *);
static void	unescape(char *);
static void	sigsys(int, siginfo_t *, void *);
static long	caps_last(void);
static void	sandbox_launch_prepare(struct sandbox *);
static int	filter_allows(const struct filter *, const char *);

int
sandbox_cap(const char *name)
{
	size_t	i;

	if (strncasecmp(name, "cap_", 4) == 0)
		name += 4;
	for (i = 0; i < sizeof(capnames) / sizeof(capnames[0]); i++)
		if (strcasecmp(name, capnames[i]) == 0)
			return (int)i;
	return -1;
}

static const struct sysgroup *
group_find(const char *name)
{
	size_t	i;

	for (i = 0; i < nsysgroups; i++)
		if (strcmp(sysgroups[i].name, name) == 0)
			return &sysgroups[i];
	return NULL;
}

int
sandbox_syscall_known(const char *name)
{
	if (*name == '@')
		return group_find(name) != NULL;
	return seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR;
}

static int
cmpint(const void *a, const void *b)
{
	int	x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static int
set_add(struct callset *s, int nr)
{
	int	*nv;
	size_t	 size;

	if (s->n == s->size) {
		size = s->size == 0 ? 256 : s->size * 2;
		if ((nv = reallocarray(s->v, size, sizeof(*nv))) == NULL)
			return -1;
		s->v = nv;
		s->size = size;
	}
	s->v[s->n++] = nr;
	return 0;
}

static void
set_del(struct callset *s, int nr)
{
	size_t	i, j;

	for (i = j = 0; i < s->n; i++)
		if (s->v[i] != nr)
			s->v[j++] = s->v[i];
	s->n = j;
}

/* Sorted, each number once. */
static void
set_sort(struct callset *s)
{
	size_t	i, j;

	if (s->n == 0)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmpint);
	for (i = j = 1; i < s->n; i++)
		if (s->v[i] != s->v[j - 1])
			s->v[j++] = s->v[i];
	s->n = j;
}

/*
 * Add or remove a system call, or a group's: names the running libseccomp
 * does not know, listed by a newer systemd, are passed over in groups.
 */
static int
set_name(struct callset *s, const char *name, int add, int depth)
{
	const struct sysgroup	*g;
	const char		*p, *e;
	char			 word[64];
	int			 nr;

	if (*name != '@') {
		if ((nr = seccomp_syscall_resolve_name(name)) ==
		    __NR_SCMP_ERROR)
			return 0;
		if (add)
			return set_add(s, nr);
		set_del(s, nr);
		return 0;
	}
	if ((g = group_find(name)) == NULL || depth > GROUP_DEPTH)
		return 0;
	for (p = g->calls; *p != '\0'; p = e) {
		while (*p == ' ')
			p++;
		for (e = p; *e != ' ' && *e != '\0'; e++)
			;
		if (e == p || (size_t)(e - p) >= sizeof(word))
			continue;
		memcpy(word, p, (size_t)(e - p));
		word[e - p] = '\0';
		if (set_name(s, word, add, depth + 1) == -1)
			return -1;
	}
	return 0;
}

/*
 * The filter for names, as syscall-filter gives them: allowed calls,
 * from @default, when the first adds; denied ones, from none, when it
 * removes ("~").  trap: a SIGSYS the child catches, to say which call,
 * instead of a kill.
 */
/* The calls of names, sorted, whether they are allowed, and the action. */
static int
filter_set(const char *const *names, size_t n, int errnoact, int trap,
    struct callset *set, int *allow, uint32_t *action)
{
	size_t	i;
	int	add;

	memset(set, 0, sizeof(*set));
	*allow = names[0][0] != '~';
	if (*allow && set_name(set, "@default", 1, 0) == -1)
		return -1;
	for (i = 0; i < n; i++) {
		add = names[i][0] != '~';
		/* An allow list adds what it allows; a deny list, the rest. */
		if (set_name(set, names[i] + !add, *allow ? add : !add,
		    0) == -1) {
			free(set->v);
			return -1;
		}
	}
	set_sort(set);
	if (errnoact)
		*action = SCMP_ACT_ERRNO(EPERM);
	else if (trap)
		*action = SCMP_ACT_TRAP;
	else
		*action = seccomp_api_get() >= 3 ? SCMP_ACT_KILL_PROCESS :
		    SCMP_ACT_KILL;
	return 0;
}

/* forkd's program or libseccomp's, whichever is shorter. */
static int
filter_shortest(struct filter *f, char *err, size_t errlen)
{
	struct sock_fprog	ours;

	if (filter_ranges(f) == -1)
		return filter_compile(f, err, errlen);
	ours = f->prog;
	if (filter_compile(f, err, errlen) == -1 ||
	    f->prog.len > ours.len) {
		free(f->prog.filter);
		f->prog = ours;
	} else
		free(ours.filter);
	return 0;
}

const struct sock_fprog *
sandbox_relay(void)
{
	static struct sock_fprog prog;
	const char	*names[nitems(builtin_calls) + nitems(relay_calls)];
	size_t		 n = 0, i;

	if (prog.filter != NULL)
		return &prog;
	for (i = 0; i < nitems(builtin_calls); i++)
		names[n++] = builtin_calls[i];
	for (i = 0; i < nitems(relay_calls); i++)
		names[n++] = relay_calls[i];
	/* forkd's own program where it writes one, else libseccomp's. */
	if (sandbox_program(names, n, 0, 1, &prog) == -1 &&
	    sandbox_program(names, n, 0, 0, &prog) == -1)
		return NULL;
	return &prog;
}

int
sandbox_program(const char *const *names, size_t n, int errnoact,
    int ranges, struct sock_fprog *prog)
{
	struct filter	f;
	struct callset	set;
	char		err[128];
	int		rc;

	memset(&f, 0, sizeof(f));
	if (filter_set(names, n, errnoact, 0, &set, &f.allow,
	    &f.action) == -1)
		return -1;
	f.calls = set.v;
	f.ncalls = set.n;
	rc = ranges ? filter_ranges(&f) :
	    filter_compile(&f, err, sizeof(err));
	free(set.v);
	*prog = f.prog;
	return rc;
}

static struct filter *
filter_get(const char *const *names, size_t n, int errnoact, int trap,
    char *err, size_t errlen)
{
	struct callset	 set;
	struct filter	*f;
	uint32_t	 action;
	int		 allow;

	if (filter_set(names, n, errnoact, trap, &set, &allow, &action) == -1)
		goto nomem;
	for (f = filters; f != NULL; f = f->next)
		if (f->allow == allow && f->action == action &&
		    f->ncalls == set.n && (set.n == 0 ||
		    memcmp(f->calls, set.v, set.n * sizeof(*set.v)) == 0)) {
			free(set.v);
			f->refs++;
			return f;
		}
	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto nomem;
	f->calls = set.v;
	f->ncalls = set.n;
	f->allow = allow;
	f->action = action;
	if (filter_shortest(f, err, errlen) == -1) {
		free(f->calls);
		free(f);
		return NULL;
	}
	f->refs = 1;
	f->next = filters;
	filters = f;
	return f;
nomem:
	free(set.v);
	snprintf(err, errlen, "%s", strerror(ENOMEM));
	return NULL;
}

/*
 * The program as forkd writes it, where it knows the architecture: the
 * calls, as runs of consecutive numbers, by a binary search over the
 * runs' bounds.  The kernel compiles a filter anew for every process
 * that installs it, in time that grows with the filter's length, and
 * libseccomp compares the number with each call in turn (or with a tree
 * of them): @system-service, 302 calls in 27 runs on x86-64, takes 62
 * instructions here against 383 there, and costs a child a third as
 * much to install.
 *
 * Boundaries b[0] < b[1] < ..., the starts of runs and the ends plus
 * one, alternately: a number is in the set when an odd count of them
 * are at or below it.  Each node of the tree tests one boundary; the
 * count known, it jumps to one of two returns.  The shorter of this and
 * libseccomp's program is kept.
 */
#if defined(__x86_64__)
#define FILTER_ARCH	AUDIT_ARCH_X86_64
#define FILTER_X32	0x40000000U	/* x32's calls: another ABI */
#elif defined(__aarch64__)
#define FILTER_ARCH	AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define FILTER_ARCH	AUDIT_ARCH_RISCV64
#endif

#ifdef FILTER_ARCH
/* Room for the jumps of one byte: every node within 255 of the returns. */
#define FILTER_BOUNDS	250

/*
 * The nodes for counts lo to hi, from prog[at] on, in preorder: a test
 * of one boundary, falling through to the lower half; a half down to one
 * count is a jump to one of the two returns after the nodes, at ret (in
 * the set) and ret + 1.
 */
static size_t
tree_emit(struct sock_filter *prog, size_t at, const uint32_t *b, size_t lo,
    size_t hi, size_t ret)
{
	size_t	mid, left, right, n = 1;

	mid = lo + (hi - lo) / 2;
	if (lo == mid)
		left = ret + (lo % 2 ? 0 : 1);
	else {
		left = at + 1;
		n += tree_emit(prog, left, b, lo, mid, ret);
	}
	if (mid + 1 == hi)
		right = ret + (hi % 2 ? 0 : 1);
	else {
		right = at + n;
		n += tree_emit(prog, right, b, mid + 1, hi, ret);
	}
	prog[at] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K,
	    b[mid], (uint8_t)(right - at - 1), (uint8_t)(left - at - 1));
	return n;
}
#endif

static int
filter_ranges(struct filter *f)
{
#ifdef FILTER_ARCH
	struct sock_filter	*p;
	uint32_t		 b[FILTER_BOUNDS], bad, in, out;
	size_t			 i, m = 0, n = 0;

	bad = seccomp_api_get() >= 3 ? SECCOMP_RET_KILL_PROCESS :
	    SECCOMP_RET_KILL_THREAD;
	/* The same values as libseccomp's SCMP_ACT_*. */
	in = f->allow ? SECCOMP_RET_ALLOW : f->action;
	out = f->allow ? f->action : SECCOMP_RET_ALLOW;
	for (i = 0; i < f->ncalls; i++) {
		if (f->calls[i] < 0)
			continue;
		if (m > 0 && b[m - 1] == (uint32_t)f->calls[i])
			b[m - 1]++;
		else {
			if (m + 2 > FILTER_BOUNDS)
				return -1;
			b[m++] = (uint32_t)f->calls[i];
			b[m++] = (uint32_t)f->calls[i] + 1;
		}
	}
	if ((p = calloc(9 + m + 2, sizeof(*p))) == NULL)
		return -1;
	p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, arch));
	p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    FILTER_ARCH, 1, 0);
	p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, bad);
	p[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	    offsetof(struct seccomp_data, nr));
#ifdef FILTER_X32
	/*
	 * -1, which a tracer sets to skip a call, is none of x32's: it is
	 * decided as a number outside the set, as libseccomp decides it.
	 */
	p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K,
	    FILTER_X32, 0, 2);
	p[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
	    UINT32_MAX, 1, 0);
	p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, bad);
#endif
	/* No call at all: only the return for what is not in the set. */
	if (m > 0)
		n += tree_emit(p, n, b, 0, m, n + m);
	p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, in);
	p[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, out);
	if (m == 0)
		p[n - 2] = p[n - 1];
	f->prog.filter = p;
	f->prog.len = (unsigned short)n;
	return 0;
#else
	(void)f;
	return -1;
#endif
}

/*
 * libseccomp's program, exported through a memory file: the version in
 * Debian 12 has no export to memory.
 */
static int
filter_compile(struct filter *f, char *err, size_t errlen)
{
	scmp_filter_ctx	 ctx;
	struct stat	 st;
	size_t		 i;
	ssize_t		 n;
	int		 fd = -1, rc;

	if ((ctx = seccomp_init(f->allow ? f->action : SCMP_ACT_ALLOW)) ==
	    NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	/* forkd sets no_new_privs itself, where the service wants it. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) != 0 ||
	    /*
	     * A binary tree rather than a list: the kernel's work to take a
	     * filter grows with its length, and that is every child's.
	     */
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    seccomp_api_get() >= 3 ? SCMP_ACT_KILL_PROCESS :
	    SCMP_ACT_KILL)) != 0)
		goto fail;
	for (i = 0; i < f->ncalls; i++) {
		rc = seccomp_rule_add(ctx, f->allow ? SCMP_ACT_ALLOW : f->action,
		    f->calls[i], 0);
		/* A call of another architecture only. */
		if (rc != 0 && f->calls[i] >= 0)
			goto fail;
	}
	if ((fd = memfd_create("forkd-filter", MFD_CLOEXEC)) == -1) {
		rc = -errno;
		goto fail;
	}
	if ((rc = seccomp_export_bpf(ctx, fd)) != 0)
		goto fail;
	if (fstat(fd, &st) == -1 || st.st_size <= 0 ||
	    st.st_size % (off_t)sizeof(struct sock_filter) != 0 ||
	    st.st_size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS) {
		rc = -EINVAL;
		goto fail;
	}
	f->prog.len = (unsigned short)(st.st_size /
	    (off_t)sizeof(struct sock_filter));
	if ((f->prog.filter = malloc((size_t)st.st_size)) == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	n = pread(fd, f->prog.filter, (size_t)st.st_size, 0);
	if (n != (ssize_t)st.st_size) {
		free(f->prog.filter);
		f->prog.filter = NULL;
		rc = n == -1 ? -errno : -EIO;
		goto fail;
	}
	close(fd);
	seccomp_release(ctx);
	return 0;
fail:
	snprintf(err, errlen, "compiling the filter: %s", strerror(-rc));
	if (fd != -1)
		close(fd);
	seccomp_release(ctx);
	return -1;
}

static void
filter_put(struct filter *f)
{
	struct filter	**pf;

	if (f == NULL || --f->refs > 0)
		return;
	for (pf = &filters; *pf != NULL; pf = &(*pf)->next)
		if (*pf == f) {
			*pf = f->next;
			break;
		}
	free(f->prog.filter);
	free(f->calls);
	free(f);
}

static long
caps_last(void)
{
	FILE	*fp;
	long	 n;

	if (cap_last != -1)
		return cap_last;
	cap_last = CAP_LAST_CAP;
	if ((fp = fopen("/proc/sys/kernel/cap_last_cap", "re")) != NULL) {
		if (fscanf(fp, "%ld", &n) == 1 && n > 0 && n < 64)
			cap_last = n;
		fclose(fp);
	}
	return cap_last;
}

/* Whether this process has capability cap in its effective set. */
static int
cap_have(int cap)
{
	struct __user_cap_header_struct	hdr;
	struct __user_cap_data_struct	data[2];

	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &hdr, data) == -1)
		return 0;
	return (data[cap / 32].effective >> (cap % 32)) & 1;
}

struct sandbox *
sandbox_new(const struct conf_service *cs, enum sandbox_kind kind,
    char *err, size_t errlen)
{
	const struct conf_settings	*s = &cs->s;
	const struct conf_where		*at = NULL;
	const char *const		*names = NULL;
	struct sandbox			*sb;
	struct nsreply			 r;
	size_t				 nnames = 0;
	char				 why[PATH_MAX + 128];
	int				 strict = 0;

	*err = '\0';
	if (kind == SANDBOX_STRICT && !(s->set & CONF_SET_SYSFILTER))
		strict = 1;
	else if (s->set & CONF_SET_SYSFILTER) {
		names = (const char *const *)s->sysfilter;
		nnames = s->nsysfilter;
		at = conf_where(s, CONF_SET_SYSFILTER);
	} else if (kind == SANDBOX_BUILTIN) {
		names = builtin_calls;
		nnames = nitems(builtin_calls);
	}
	if (!strict && nnames == 0 && !s->privnet && !s->privtmp &&
	    s->nropaths == 0 &&
	    s->ninpaths == 0 && !(s->set & CONF_SET_CAPS))
		return NULL;
	if ((sb = calloc(1, sizeof(*sb))) == NULL) {
		snprintf(err, errlen, "service %s: %s", cs->name,
		    strerror(errno));
		return NULL;
	}
	sb->mntns = sb->netns = -1;
	sb->strict = strict;
	sb->privtmp = s->privtmp;
	sb->capset = (s->set & CONF_SET_CAPS) != 0;
	/*
	 * Under no_new_privs, what a program executed gets is bounded by
	 * the permitted set it was executed with (the kernel intersects
	 * the two), set-user-ID root programs included: the permitted set
	 * does, in two system calls, what the bounding set would in one
	 * each per capability (a change of credentials each, 1 us here).
	 */
	sb->bset = sb->capset && !s->nnp;
	sb->caps = s->caps;

	if (nnames > 0) {
		/*
		 * Without no_new_privs, only CAP_SYS_ADMIN may install a
		 * filter, which children that change their user lose; a
		 * built-in, which never executes a program, gets the flag
		 * all the same.
		 */
		sb->nnp = s->nnp || kind == SANDBOX_BUILTIN ||
		    kind == SANDBOX_STRICT;
		if (!sb->nnp && ((s->user != NULL && s->uid != 0) ||
		    (sb->capset && !(s->caps & (UINT64_C(1) << CAP_SYS_ADMIN))))) {
			snprintf(why, sizeof(why), "syscall-filter with "
			    "no-new-privileges no needs children that keep "
			    "CAP_SYS_ADMIN: running as root, with it in "
			    "capabilities");
			goto fail;
		}
		/* forkd's own handlers say which call was denied. */
		sb->trap = kind != SANDBOX_EXEC && !s->syserrno;
		if ((sb->filter = filter_get(names, nnames, s->syserrno,
		    sb->trap, why, sizeof(why))) == NULL)
			goto fail;
		if (sb->trap && !callnames_ready) {
			for (int i = 0; i < NAMED_CALLS; i++)
				callnames[i] = seccomp_syscall_resolve_num_arch(
				    SCMP_ARCH_NATIVE, i);
			callnames_ready = 1;
		}
	}
	if (sb->bset && caps_last() >= 0 && !cap_have(CAP_SETPCAP)) {
		at = conf_where(s, CONF_SET_CAPS);
		snprintf(why, sizeof(why), "capabilities: forkd lacks "
		    "CAP_SETPCAP, which taking capabilities from its children "
		    "needs");
		goto fail;
	}
	if (s->privnet || s->privtmp || s->nropaths > 0 || s->ninpaths > 0) {
		if (ns_prepare(s, &sb->mntns, &sb->netns, &r) == -1) {
			if (s->privnet && strncmp(r.what, "private-network",
			    15) == 0)
				at = conf_where(s, CONF_SET_PRIVNET);
			else if (s->privtmp)
				at = conf_where(s, CONF_SET_PRIVTMP);
			else if (s->nropaths > 0)
				at = conf_where(s, CONF_SET_ROPATHS);
			else
				at = conf_where(s, CONF_SET_INPATHS);
			snprintf(why, sizeof(why), "%s: %s", r.what,
			    strerror(r.error));
			goto fail;
		}
	}
	sandbox_launch_prepare(sb);
	return sb;
fail:
	if (at != NULL && at->line > 0)
		snprintf(err, errlen, "%s:%d: service %s: %s", at->file,
		    at->line, cs->name, why);
	else
		snprintf(err, errlen, "service %s: %s", cs->name, why);
	sandbox_free(sb);
	return NULL;
}

void
sandbox_free(struct sandbox *sb)
{
	if (sb == NULL)
		return;
	filter_put(sb->filter);
	if (sb->mntns != -1)
		close(sb->mntns);
	if (sb->netns != -1)
		close(sb->netns);
	free(sb);
}

const struct launch_sandbox *
sandbox_launch(const struct sandbox *sb)
{
	return sb->launchable ? &sb->launch : NULL;
}

/*
 * Whether the filter lets a call through: one libseccomp does not know
 * is in no allow list, and one this architecture lacks is never made.
 */
static int
filter_allows(const struct filter *f, const char *name)
{
	int	nr;

	if ((nr = seccomp_syscall_resolve_name(name)) == __NR_SCMP_ERROR)
		return !f->allow;
	if (nr < 0)
		return 1;
	return (bsearch(&nr, f->calls, f->ncalls, sizeof(*f->calls),
	    cmpint) != NULL) == (f->allow != 0);
}

int
sandbox_spawner(const struct sandbox *sb)
{
	size_t	i;

	if (sb == NULL || !sb->launchable || sb->filter == NULL ||
	    sb->privtmp)
		return 0;
	for (i = 0; i < nitems(spawner_calls); i++)
		if (!filter_allows(sb->filter, spawner_calls[i]))
			return 0;
	return 1;
}

/* What a launched child needs of the sandbox, once for all of them. */
static void
sandbox_launch_prepare(struct sandbox *sb)
{
	struct launch_sandbox	*l = &sb->launch;

	if (sb->strict || sb->trap)
		return;
	sb->launchable = 1;
	l->netns = sb->netns;
	l->mntns = sb->mntns;
	l->privtmp = sb->privtmp;
	l->bset = sb->bset;
	l->capset = sb->capset;
	l->caps = sb->caps;
	l->cap_last = (int)(sb->bset ? caps_last() : 0);
	l->nnp = sb->filter != NULL && sb->nnp;
	if (sb->filter != NULL) {
		l->filter = sb->filter->prog.filter;
		l->filter_len = sb->filter->prog.len;
	}
}

int
sandbox_fds(const struct sandbox *sb)
{
	return sb != NULL && (sb->mntns != -1 || sb->netns != -1);
}

int
sandbox_filtered(const struct sandbox *sb)
{
	if (sb == NULL)
		return 0;
	return sb->strict ? 2 : sb->filter != NULL;
}

/*
 * The namespaces every child of the service joins, made once by a helper
 * process that builds them and waits while the master opens them.  A
 * namespace lives as long as a descriptor of it is open: the helper then
 * exits.
 */
static int
ns_prepare(const struct conf_settings *s, int *mntns, int *netns,
    struct nsreply *r)
{
	struct conf_settings	copy;
	char			path[64];
	size_t			got = 0;
	ssize_t			n;
	pid_t			pid;
	int			ready[2], go[2], status;

	memset(r, 0, sizeof(*r));
	if (pipe2(ready, O_CLOEXEC) == -1) {
		r->error = errno;
		strlcpy(r->what, "pipe", sizeof(r->what));
		return -1;
	}
	if (pipe2(go, O_CLOEXEC) == -1) {
		r->error = errno;
		strlcpy(r->what, "pipe", sizeof(r->what));
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	/* The master's records are none of a child's (pages.h). */
	copy = *s;
	if ((pid = fork()) == 0) {
		close(ready[0]);
		close(go[1]);
		(void)ns_build(&copy, r);
		if (write(ready[1], r, sizeof(*r)) != (ssize_t)sizeof(*r))
			_exit(1);
		/* Until the master has opened what it needs. */
		_exit(read(go[0], path, 1) == -1);
	}
	close(ready[1]);
	close(go[0]);
	if (pid == -1) {
		r->error = errno;
		strlcpy(r->what, "fork", sizeof(r->what));
	} else {
		/* More than a pipe moves at once. */
		while (got < sizeof(*r) && ((n = read(ready[0],
		    (char *)r + got, sizeof(*r) - got)) > 0 ||
		    (n == -1 && errno == EINTR)))
			if (n > 0)
				got += (size_t)n;
		if (got != sizeof(*r)) {
			r->error = EIO;
			strlcpy(r->what, "preparing the namespaces",
			    sizeof(r->what));
		}
		if (r->error == 0 && s->privnet) {
			snprintf(path, sizeof(path), "/proc/%ld/ns/net",
			    (long)pid);
			if ((*netns = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
				r->error = errno;
				snprintf(r->what, sizeof(r->what), "%s", path);
			}
		}
		if (r->error == 0 && (s->privtmp || s->nropaths > 0 ||
		    s->ninpaths > 0)) {
			snprintf(path, sizeof(path), "/proc/%ld/ns/mnt",
			    (long)pid);
			if ((*mntns = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
				r->error = errno;
				snprintf(r->what, sizeof(r->what), "%s", path);
			}
		}
	}
	close(go[1]);
	close(ready[0]);
	if (pid != -1)
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	if (r->error == 0)
		return 0;
	if (*netns != -1)
		close(*netns);
	if (*mntns != -1)
		close(*mntns);
	*netns = *mntns = -1;
	return -1;
}

static int
ns_fail(struct nsreply *r, const char *what, const char *path)
{
	r->error = errno;
	if (path != NULL)
		snprintf(r->what, sizeof(r->what), "%s %s", what, path);
	else
		snprintf(r->what, sizeof(r->what), "%s", what);
	return -1;
}

/* In the helper: its namespaces, as the service's children will find them. */
static int
ns_build(const struct conf_settings *s, struct nsreply *r)
{
	struct stat	st;
	char		scratch[64] = "", file[96] = "";
	size_t		i;

	if (s->privnet && unshare(CLONE_NEWNET) == -1)
		return ns_fail(r, "private-network: a network namespace of its "
		    "own is refused here", NULL);
	if (!s->privtmp && s->nropaths == 0 && s->ninpaths == 0)
		return 0;
	if (unshare(CLONE_NEWNS) == -1)
		return ns_fail(r, "a mount namespace of its own is refused here",
		    NULL);
	/*
	 * Mounts of the system still reach the children; theirs go nowhere.
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == -1)
		return ns_fail(r, "mount namespace propagation", NULL);
	for (i = 0; i < s->nropaths; i++)
		if (ns_readonly(s->ropaths[i], r) == -1)
			return -1;
	/*
	 * Files are hidden behind a file of mode 0, made on a tmpfs put
	 * for a moment over a folder that holds none of them, and which
	 * lives on in what is mounted from it; folders, behind a tmpfs of
	 * their own.
	 */
	for (i = 0; i < s->ninpaths; i++) {
		if (stat(s->inpaths[i], &st) == -1)
			return ns_fail(r, "inaccessible-paths", s->inpaths[i]);
		if (S_ISDIR(st.st_mode))
			continue;
		if (*scratch == '\0') {
			if (ns_scratch(s, scratch, sizeof(scratch)) == -1)
				return ns_fail(r, "inaccessible-paths: a folder "
				    "for an empty file", NULL);
			if (mount("tmpfs", scratch, "tmpfs", MS_NOSUID |
			    MS_NODEV | MS_NOEXEC, "mode=0700,size=4k") == -1)
				return ns_fail(r, "a tmpfs on", scratch);
			snprintf(file, sizeof(file), "%s/inaccessible",
			    scratch);
			if (mknod(file, S_IFREG, 0) == -1)
				return ns_fail(r, "a file in", scratch);
		}
		if (ns_hide(s->inpaths[i], file, r) == -1)
			return -1;
	}
	if (*scratch != '\0' && umount2(scratch, MNT_DETACH) == -1)
		return ns_fail(r, "unmounting", scratch);
	for (i = 0; i < s->ninpaths; i++)
		if (stat(s->inpaths[i], &st) == 0 && S_ISDIR(st.st_mode) &&
		    ns_hide(s->inpaths[i], NULL, r) == -1)
			return -1;
	return 0;
}

/*
 * A folder over which a tmpfs hides none of the files to hide: the
 * first of a few that every system has.
 */
static int
ns_scratch(const struct conf_settings *s, char *dir, size_t len)
{
	static const char *const dirs[] = {
		"/tmp", "/run", "/dev", "/mnt", "/var/tmp", "/srv", "/opt",
	};
	struct stat	st;
	size_t		i, k, n;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (stat(dirs[i], &st) == -1 || !S_ISDIR(st.st_mode))
			continue;
		n = strlen(dirs[i]);
		for (k = 0; k < s->ninpaths; k++)
			if (strncmp(s->inpaths[k], dirs[i], n) == 0 &&
			    (s->inpaths[k][n] == '/' ||
			    s->inpaths[k][n] == '\0'))
				break;
		if (k == s->ninpaths) {
			strlcpy(dir, dirs[i], len);
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

/* Octal escapes of /proc/self/mountinfo: "\040" for a space. */
static void
unescape(char *s)
{
	char	*d = s;

	while (*s != '\0') {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 4;
		} else
			*d++ = *s++;
	}
	*d = '\0';
}

/*
 * The mount point of the next line of /proc/self/mountinfo, "ID PARENT
 * MAJ:MIN ROOT MOUNTPOINT ...", in *line; NULL at the end.
 */
static char *
mountinfo_next(FILE *fp, char **line, size_t *len)
{
	char	*mp, *save;
	int	 i;

	while (getline(line, len, fp) != -1) {
		mp = strtok_r(*line, " ", &save);
		for (i = 0; i < 4 && mp != NULL; i++)
			mp = strtok_r(NULL, " ", &save);
		if (mp != NULL) {
			unescape(mp);
			return mp;
		}
	}
	return NULL;
}

/* Whether path is where something is mounted: 1, 0, or -1. */
static int
ns_mountpoint(const char *path)
{
	FILE	*fp;
	char	*line = NULL, *mp;
	size_t	 len = 0;
	int	 found = 0;

	if ((fp = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	while (!found && (mp = mountinfo_next(fp, &line, &len)) != NULL)
		found = strcmp(mp, path) == 0;
	free(line);
	fclose(fp);
	return found;
}

/*
 * A bind mount of path onto itself, unless it is a mount already, then
 * every mount at or below it read-only, keeping each one's other flags,
 * which a remount may not clear.  The namespace's mounts are its own:
 * the system's stay as they are.  "/" is always a mount, and one put
 * over it would be no process's root.
 */
static int
ns_readonly(const char *path, struct nsreply *r)
{
	struct statvfs	 sv;
	unsigned long	 flags;
	FILE		*fp;
	char		*line = NULL, *mp;
	size_t		 len = 0, plen = strlen(path);
	int		 rc = 0;

	if (ns_mountpoint(path) != 1 &&
	    mount(path, path, NULL, MS_BIND | MS_REC, NULL) == -1)
		return ns_fail(r, "read-only-paths: bind mount of", path);
	if ((fp = fopen("/proc/self/mountinfo", "re")) == NULL)
		return ns_fail(r, "read-only-paths: open",
		    "/proc/self/mountinfo");
	while (rc == 0 && (mp = mountinfo_next(fp, &line, &len)) != NULL) {
		if (strncmp(mp, path, plen) != 0 || (mp[plen] != '\0' &&
		    mp[plen] != '/' && !(plen == 1 && path[0] == '/')))
			continue;
		if (statvfs(mp, &sv) == -1) {
			rc = ns_fail(r, "read-only-paths: statvfs", mp);
			break;
		}
		flags = MS_BIND | MS_REMOUNT | MS_RDONLY;
		if (sv.f_flag & ST_NOSUID)
			flags |= MS_NOSUID;
		if (sv.f_flag & ST_NODEV)
			flags |= MS_NODEV;
		if (sv.f_flag & ST_NOEXEC)
			flags |= MS_NOEXEC;
		if (sv.f_flag & ST_NOATIME)
			flags |= MS_NOATIME;
		if (sv.f_flag & ST_NODIRATIME)
			flags |= MS_NODIRATIME;
		if (sv.f_flag & ST_RELATIME)
			flags |= MS_RELATIME;
		if (mount(NULL, mp, NULL, flags, NULL) == -1)
			rc = ns_fail(r, "read-only-paths: remount of", mp);
	}
	free(line);
	fclose(fp);
	return rc;
}

/*
 * An empty, read-only directory over a directory, a file of mode 0 over
 * anything else: what is below cannot be seen, written or run.
 */
static int
ns_hide(const char *path, const char *file, struct nsreply *r)
{
	if (file == NULL) {
		if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID |
		    MS_NODEV | MS_NOEXEC, "mode=0000,size=4k") == -1)
			return ns_fail(r, "inaccessible-paths: a tmpfs on",
			    path);
		return 0;
	}
	if (mount(file, path, NULL, MS_BIND, NULL) == -1 ||
	    mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY |
	    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		return ns_fail(r, "inaccessible-paths: a bind mount over",
		    path);
	return 0;
}

int
sandbox_enter(const struct sandbox *sb, const char *service)
{
	long	cap;

	if (sb == NULL)
		return 0;
	if (sb->netns != -1 && setns(sb->netns, CLONE_NEWNET) == -1) {
		log_warn("service %s: private-network: setns", service);
		return -1;
	}
	if (sb->mntns != -1) {
		if (setns(sb->mntns, CLONE_NEWNS) == -1) {
			log_warn("service %s: setns to its mount namespace",
			    service);
			return -1;
		}
		/* A /tmp and a /var/tmp of its own, gone when it ends. */
		if (sb->privtmp && (unshare(CLONE_NEWNS) == -1 ||
		    mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
		    "mode=1777") == -1 ||
		    mount("tmpfs", "/var/tmp", "tmpfs", MS_NOSUID | MS_NODEV,
		    "mode=1777") == -1)) {
			log_warn("service %s: private-tmp", service);
			return -1;
		}
	}
	if (sb->bset)
		for (cap = 0; cap <= cap_last && cap < 64; cap++)
			if (!(sb->caps & (UINT64_C(1) << cap)) &&
			    prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1) {
				log_warn("service %s: capabilities: "
				    "PR_CAPBSET_DROP", service);
				return -1;
			}
	return 0;
}

int
sandbox_caps(const struct sandbox *sb, const char *service)
{
	struct __user_cap_header_struct	hdr;
	struct __user_cap_data_struct	data[2];
	int				i;

	if (sb == NULL || !sb->capset)
		return 0;
	memset(&hdr, 0, sizeof(hdr));
	hdr.version = _LINUX_CAPABILITY_VERSION_3;
	if (syscall(SYS_capget, &hdr, data) == -1) {
		log_warn("service %s: capabilities: capget", service);
		return -1;
	}
	/* An exec'd program as root gets its bounding set and these. */
	for (i = 0; i < 2; i++) {
		data[i].effective &= (uint32_t)(sb->caps >> (32 * i));
		data[i].permitted &= (uint32_t)(sb->caps >> (32 * i));
		data[i].inheritable &= (uint32_t)(sb->caps >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) == -1) {
		log_warn("service %s: capabilities: capset", service);
		return -1;
	}
	return 0;
}

/*
 * A denied call in forkd's own handlers: its name on standard error,
 * which the master logs under the service's name, and the call once more
 * with the handler gone (SA_RESETHAND), which the kernel answers with the
 * default action of SIGSYS: the end of the process.
 */
static void
sigsys(int sig, siginfo_t *si, void *uc)
{
	char		 msg[160], num[16];
	const char	*name = NULL;
	unsigned int	 nr = (unsigned int)si->si_syscall;
	size_t		 i = sizeof(num);
	ssize_t		 n;

	(void)sig;
	(void)uc;
	if (nr < NAMED_CALLS)
		name = callnames[nr];
	if (name == NULL) {
		num[--i] = '\0';
		do
			num[--i] = (char)('0' + nr % 10);
		while ((nr /= 10) != 0 && i > 0);
		name = num + i;
	}
	strlcpy(msg, "system call ", sizeof(msg));
	strlcat(msg, name, sizeof(msg));
	strlcat(msg, " denied by syscall-filter\n", sizeof(msg));
	n = write(STDERR_FILENO, msg, strlen(msg));
	(void)n;
	syscall(si->si_syscall, 0, 0, 0, 0, 0, 0);
	_exit(128 + SIGSYS);
}

int
sandbox_seal(const struct sandbox *sb, const char *service)
{
	struct sigaction	sa;
	sigset_t		set;

	if (sb == NULL)
		return 0;
	/*
	 * read(2), write(2), exit(2) and rt_sigreturn(2): no program for
	 * the kernel to take in, which costs a child more than the rest of
	 * its life (sandbox.h).
	 */
	if (sb->strict) {
		if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT, 0, 0, 0) == -1) {
			log_warn("service %s: SECCOMP_MODE_STRICT", service);
			return -1;
		}
		return 0;
	}
	if (sb->filter == NULL)
		return 0;
	if (sb->trap) {
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sigsys;
		sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		sigemptyset(&set);
		sigaddset(&set, SIGSYS);
		if (sigaction(SIGSYS, &sa, NULL) == -1 ||
		    sigprocmask(SIG_UNBLOCK, &set, NULL) == -1) {
			log_warn("service %s: syscall-filter: sigaction",
			    service);
			return -1;
		}
	}
	if (sb->nnp && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		log_warn("service %s: PR_SET_NO_NEW_PRIVS", service);
		return -1;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0,
	    &sb->filter->prog) == -1 && (errno != ENOSYS ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &sb->filter->prog,
	    0, 0) == -1)) {
		log_warn("service %s: syscall-filter", service);
		return -1;
	}
	return 0;
}
