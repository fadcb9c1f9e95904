/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/syscall.h>

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
	char		 words[SLOT_WORDS];
	char		 stack[SLOT_STACK];
};

static struct slot	*ring;
static int		 ring_failed;
static unsigned int	 next;

static long	rsys(long, long, long, long, long);
static int	child(void *);
static int	copy(struct slot *, const char *, char *const [],
		    char *const []);

/*
 * A system call with no libc in the way: the child shares the master's
 * memory, its errno included, which syscall(2) would write.
 */
__attribute__((no_sanitize("address", "undefined")))
static long
rsys(long n, long a, long b, long c, long d)
{
#if defined(__x86_64__)
	register long	r10 __asm__("r10") = d;
	long		ret;

	__asm__ volatile ("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b),
	    "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long	x8 __asm__("x8") = n;
	register long	x0 __asm__("x0") = a;
	register long	x1 __asm__("x1") = b;
	register long	x2 __asm__("x2") = c;
	register long	x3 __asm__("x3") = d;

	__asm__ volatile ("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2),
	    "r"(x3) : "memory", "cc");
	return x0;
#endif
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
	/* A kernel before 5.9 lacks it: every other descriptor is CLOEXEC. */
	(void)rsys(SYS_close_range, s->errw != -1 ? 3 : 2, ~0U, 0, 0);
	if ((r = rsys(SYS_rt_sigprocmask, SIG_SETMASK, (long)&none, 0,
	    sizeof(none))) < 0)
		goto fail;
	r = rsys(SYS_execve, (long)s->path, (long)s->argv, (long)s->envp, 0);
fail:
	s->error = (int)-r;
	rsys(SYS_exit_group, 127, 0, 0, 0);
	return 0;
}

/* The program's words, into the slot. */
static int
copy(struct slot *s, const char *path, char *const argv[],
    char *const envp[])
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
	return 0;
}

pid_t
launch(const char *path, char *const argv[], char *const envp[], int fd,
    int errw, int session, int exit_signal, int *slot)
{
	struct slot	*s = NULL;
	unsigned int	 i, k;
	pid_t		 pid;
	int		 e;

	if (ring == NULL && !ring_failed) {
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
	if (s == NULL || copy(s, path, argv, envp) == -1) {
		errno = EAGAIN;
		return -1;
	}
	s->fd = fd;
	s->errw = errw;
	s->session = session;
	s->pid = 0;
	s->busy = 1;
	pid = clone(child, s->stack + sizeof(s->stack),
	    CLONE_VM | CLONE_CHILD_CLEARTID | (exit_signal & 0xff), s, NULL,
	    NULL, &s->busy);
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
#else
pid_t
launch(const char *path, char *const argv[], char *const envp[], int fd,
    int errw, int session, int exit_signal, int *slot)
{
	errno = ENOSYS;
	return -1;
}

int
launch_reaped(int slot, pid_t pid, const char **path)
{
	return 0;
}
#endif
