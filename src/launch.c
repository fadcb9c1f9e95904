/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "launch.h"

#if defined(__x86_64__) || defined(__aarch64__)
#define LAUNCH		1
#endif

#ifdef LAUNCH
/*
 * Slots: as many children may be between their start and their execve
 * at once.  Each holds the words of its program and the stack its child
 * runs on; the ring is no part of a forked child (MADV_DONTFORK).
 */
#define SLOTS		64
#define SLOT_WORDS	(64 * 1024)	/* argv, envp and their strings */
#define SLOT_STACK	(32 * 1024)
#define SLOT_FILTER	1024		/* instructions */

struct slot {
	int		 busy;		/* the child's, until the kernel's 0 */
	int		 error;		/* its execve's, until reaped */
	pid_t		 pid;
	int		 fd;
	int		 errw;
	int		 session;
	char		*path;
	char		**argv;
	char		**envp;
	char		*banner;	/* or NULL */
	size_t		 bannerlen;
	int		 sandboxed;
	struct launch_sandbox sb;
	struct sock_fprog prog;
	struct sock_filter filter[SLOT_FILTER];
	char		 words[SLOT_WORDS];
	char		 stack[SLOT_STACK];
};

static struct slot	*ring;
static int		 ring_failed;
static unsigned int	 next;

static long	rsys5(long, long, long, long, long, long);
static void	ring_make(void);
static long	enter(struct slot *);
static long	seal(struct slot *);
static int	child(void *);
static int	copy(struct slot *, const char *, char *const [],
		    char *const [], const char *);

/*
 * A system call with no libc in the way: the child shares the master's
 * memory, its errno included, which syscall(2) would write.
 */
__attribute__((no_sanitize("address", "undefined")))
static long
rsys5(long n, long a, long b, long c, long d, long e)
{
#if defined(__x86_64__)
	register long	r10 __asm__("r10") = d;
	register long	r8 __asm__("r8") = e;
	long		ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b),
	    "d"(c), "r"(r10), "r"(r8) : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long	x8 __asm__("x8") = n;
	register long	x0 __asm__("x0") = a;
	register long	x1 __asm__("x1") = b;
	register long	x2 __asm__("x2") = c;
	register long	x3 __asm__("x3") = d;
	register long	x4 __asm__("x4") = e;

	__asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2),
	    "r"(x3), "r"(x4) : "memory", "cc");
	return x0;
#endif
}

#define rsys(n, a, b, c, d)	rsys5((n), (a), (b), (c), (d), 0)

/*
 * The sandbox's namespaces and capabilities, as sandbox_enter() and
 * sandbox_caps() take them on in a forked child.
 */
__attribute__((no_sanitize("address", "undefined")))
static long
enter(struct slot *s)
{
	struct __user_cap_header_struct	hdr;
	struct __user_cap_data_struct	data[2];
	const struct launch_sandbox	*sb = &s->sb;
	long				r;
	int				cap, i;

	if (sb->netns != -1 &&
	    (r = rsys(SYS_setns, sb->netns, CLONE_NEWNET, 0, 0)) < 0)
		return r;
	if (sb->mntns != -1) {
		if ((r = rsys(SYS_setns, sb->mntns, CLONE_NEWNS, 0, 0)) < 0)
			return r;
		if (sb->privtmp &&
		    ((r = rsys(SYS_unshare, CLONE_NEWNS, 0, 0, 0)) < 0 ||
		    (r = rsys5(SYS_mount, (long)"tmpfs", (long)"/tmp",
		    (long)"tmpfs", MS_NOSUID | MS_NODEV,
		    (long)"mode=1777")) < 0 ||
		    (r = rsys5(SYS_mount, (long)"tmpfs", (long)"/var/tmp",
		    (long)"tmpfs", MS_NOSUID | MS_NODEV,
		    (long)"mode=1777")) < 0))
			return r;
	}
	if (sb->bset)
		for (cap = 0; cap <= sb->cap_last && cap < 64; cap++)
			if (!(sb->caps & (UINT64_C(1) << cap)) &&
			    (r = rsys(SYS_prctl, PR_CAPBSET_DROP, cap, 0,
			    0)) < 0)
				return r;
	if (sb->capset) {
		hdr.version = _LINUX_CAPABILITY_VERSION_3;
		hdr.pid = 0;
		if ((r = rsys(SYS_capget, (long)&hdr, (long)data, 0, 0)) < 0)
			return r;
		for (i = 0; i < 2; i++) {
			data[i].effective &= (uint32_t)(sb->caps >> (32 * i));
			data[i].permitted &= (uint32_t)(sb->caps >> (32 * i));
			data[i].inheritable &= (uint32_t)(sb->caps >> (32 * i));
		}
		if ((r = rsys(SYS_capset, (long)&hdr, (long)data, 0, 0)) < 0)
			return r;
	}
	return 0;
}

/* Last: no_new_privs and the filter, which must allow execve(2). */
__attribute__((no_sanitize("address", "undefined")))
static long
seal(struct slot *s)
{
	long	r;

	if (s->sb.nnp &&
	    (r = rsys(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0)) < 0)
		return r;
	if (s->prog.len > 0 && (r = rsys(SYS_seccomp,
	    SECCOMP_SET_MODE_FILTER, 0, (long)&s->prog, 0)) < 0)
		return r;
	return 0;
}

/*
 * The child, until its execve: system calls, its slot and its stack.
 * Signals stay blocked, as in the master, until the program is about to
 * run: none has a handler to run here.
 */
__attribute__((no_sanitize("address", "undefined")))
static int
child(void *arg)
{
	struct slot	*s = arg;
	uint64_t	 none = 0;
	const char	*p;
	size_t		 left;
	long		 r;

	if (s->session)
		r = rsys(SYS_setsid, 0, 0, 0, 0);
	else
		r = rsys(SYS_setpgid, 0, 0, 0, 0);
	if (r < 0)
		goto fail;
	if ((s->fd == 0 || s->fd == 1) &&
	    (r = rsys(SYS_fcntl, s->fd, F_SETFD, 0, 0)) < 0)
		goto fail;
	if ((s->fd != 0 && (r = rsys(SYS_dup3, s->fd, 0, 0, 0)) < 0) ||
	    (s->fd != 1 && (r = rsys(SYS_dup3, s->fd, 1, 0, 0)) < 0) ||
	    (s->errw != -1 && s->errw != 2 &&
	    (r = rsys(SYS_dup3, s->errw, 2, 0, 0)) < 0))
		goto fail;
	/* tcpserver -B: before the program, as a forked child sends it. */
	for (p = s->banner, left = s->bannerlen; left > 0; ) {
		if ((r = rsys(SYS_write, 1, (long)p, (long)left, 0)) == -EINTR)
			continue;
		if (r <= 0)
			break;
		p += r;
		left -= (size_t)r;
	}
	if (s->sandboxed && (r = enter(s)) < 0)
		goto fail;
	/* A kernel before 5.9 lacks it: every other descriptor is CLOEXEC. */
	(void)rsys(SYS_close_range, s->errw != -1 ? 3 : 2, ~0U, 0, 0);
	if ((r = rsys(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0,
	    sizeof(none))) < 0)
		goto fail;
	if (s->sandboxed && (r = seal(s)) < 0)
		goto fail;
	r = rsys(SYS_execve, (long)s->path, (long)s->argv, (long)s->envp, 0);
fail:
	s->error = (int)-r;
	rsys(SYS_exit_group, 127, 0, 0, 0);
	return 0;
}

/* The ring, no part of a forked child; ring_failed if it cannot be. */
static void
ring_make(void)
{
	ring = mmap(NULL, SLOTS * sizeof(*ring), PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (ring == MAP_FAILED ||
	    madvise(ring, SLOTS * sizeof(*ring), MADV_DONTFORK) == -1) {
		if (ring != MAP_FAILED)
			munmap(ring, SLOTS * sizeof(*ring));
		ring = NULL;
		ring_failed = 1;
	}
}

/* The program's words, into the slot. */
static int
copy(struct slot *s, const char *path, char *const argv[],
    char *const envp[], const char *banner)
{
	char	*p = s->words, *end = s->words + sizeof(s->words);
	size_t	 na, ne, i, len;
	char	**v;

	for (na = 0; argv[na] != NULL; na++)
		;
	for (ne = 0; envp[ne] != NULL; ne++)
		;
	len = (na + ne + 2) * sizeof(char *);
	if (len > sizeof(s->words))
		return -1;
	v = (char **)(void *)p;
	p += len;
	s->argv = v;
	s->envp = v + na + 1;
	for (i = 0; i < na + ne; i++) {
		const char *w = i < na ? argv[i] : envp[i - na];

		len = strlen(w) + 1;
		if (len > (size_t)(end - p))
			return -1;
		memcpy(p, w, len);
		if (i < na)
			s->argv[i] = p;
		else
			s->envp[i - na] = p;
		p += len;
	}
	s->argv[na] = NULL;
	s->envp[ne] = NULL;
	len = strlen(path) + 1;
	if (len > (size_t)(end - p))
		return -1;
	memcpy(p, path, len);
	s->path = p;
	p += len;
	s->banner = NULL;
	s->bannerlen = 0;
	if (banner != NULL && *banner != '\0') {
		len = strlen(banner);
		if (len > (size_t)(end - p))
			return -1;
		memcpy(p, banner, len);
		s->banner = p;
		s->bannerlen = len;
	}
	return 0;
}

pid_t
launch(const char *path, char *const argv[], char *const envp[],
    const char *banner, int fd, int errw, int session, int exit_signal,
    const struct launch_sandbox *sb, int *slot)
{
	struct slot	*s = NULL;
	unsigned int	 i, k;
	pid_t		 pid;
	int		 e;

	if (ring == NULL && !ring_failed)
		ring_make();
	if (ring == NULL) {
		errno = ENOSYS;
		return -1;
	}
	for (i = 0; i < SLOTS; i++) {
		k = (next + i) % SLOTS;
		if (__atomic_load_n(&ring[k].busy, __ATOMIC_ACQUIRE) == 0 &&
		    ring[k].error == 0) {
			s = &ring[k];
			break;
		}
	}
	if (s == NULL || copy(s, path, argv, envp, banner) == -1 ||
	    (sb != NULL && sb->filter_len > SLOT_FILTER)) {
		errno = EAGAIN;
		return -1;
	}
	/* The filter too: a reload may free the master's copy meanwhile. */
	s->sandboxed = sb != NULL;
	s->prog.len = 0;
	if (sb != NULL) {
		s->sb = *sb;
		if (sb->filter != NULL) {
			memcpy(s->filter, sb->filter,
			    sb->filter_len * sizeof(*sb->filter));
			s->prog.len = sb->filter_len;
			s->prog.filter = s->filter;
		}
	}
	s->fd = fd;
	s->errw = errw;
	s->session = session;
	s->pid = 0;
	s->busy = 1;
	pid = clone(child, s->stack + sizeof(s->stack),
	    CLONE_VM | CLONE_CHILD_CLEARTID | (exit_signal == LAUNCH_SIBLING ?
	    CLONE_PARENT : (exit_signal & 0xff)), s, NULL, NULL, &s->busy);
	if (pid == -1) {
		e = errno;
		s->busy = 0;
		errno = e;
		return -1;
	}
	s->pid = pid;
	next = (k + 1) % SLOTS;
	*slot = (int)k;
	return pid;
}

int
launch_reaped(int slot, pid_t pid, const char **path)
{
	struct slot	*s;
	int		 e;

	if (ring == NULL || slot < 0 || slot >= SLOTS)
		return 0;
	s = &ring[slot];
	if (s->pid != pid)
		return 0;
	*path = s->path;
	e = s->error;
	s->error = 0;
	s->pid = 0;
	return e;
}
void
launch_forked(void)
{
	ring = NULL;
	ring_failed = 0;
	next = 0;
	ring_make();
}

int
launch_available(void)
{
	return 1;
}

int
launch_busy(void)
{
	unsigned int	k;

	for (k = 0; ring != NULL && k < SLOTS; k++)
		if (__atomic_load_n(&ring[k].busy, __ATOMIC_ACQUIRE) != 0)
			return 1;
	return 0;
}

int
launch_failed(const char **path)
{
	struct slot	*s;
	unsigned int	 k;
	int		 e;

	for (k = 0; ring != NULL && k < SLOTS; k++) {
		s = &ring[k];
		if (__atomic_load_n(&s->busy, __ATOMIC_ACQUIRE) == 0 &&
		    s->error != 0) {
			*path = s->path;
			e = s->error;
			s->error = 0;
			s->pid = 0;
			return e;
		}
	}
	return 0;
}
#else
pid_t
launch(const char *path, char *const argv[], char *const envp[],
    const char *banner, int fd, int errw, int session, int exit_signal,
    const struct launch_sandbox *sb, int *slot)
{
	errno = ENOSYS;
	return -1;
}

int
launch_reaped(int slot, pid_t pid, const char **path)
{
	return 0;
}

void
launch_forked(void)
{
}

int
launch_available(void)
{
	return 0;
}

int
launch_busy(void)
{
	return 0;
}

int
launch_failed(const char **path)
{
	return 0;
}
#endif
