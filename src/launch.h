/* SPDX-License-Identifier: ISC */
/*
 * Programs started without the master waiting for them.  posix_spawn(3)
 * makes its child with CLONE_VM and CLONE_VFORK: no copy of the master,
 * but the master stops until the program is executed, which serializes
 * every start with the accept loop.  A launch makes the child with
 * CLONE_VM alone.  It runs on a stack of its own, in a slot of a ring
 * that holds its own copy of what it needs (the path, the arguments,
 * the environment), makes only system calls, and never writes the
 * master's memory but its slot: the master goes on at once, and takes
 * the slot back when the kernel says the child has let the memory go
 * (CLONE_CHILD_CLEARTID: at its execve(2), or its end).
 */

#ifndef FORKD_LAUNCH_H
#define FORKD_LAUNCH_H

#include <sys/types.h>

#include <stdint.h>

struct sock_filter;

/*
 * The sandbox a launched child takes on (sandbox.h), all of it system
 * calls: the namespaces to join, a private /tmp, capabilities, and the
 * filter, copied into the slot.
 */
struct launch_sandbox {
	int			 netns;		/* or -1 */
	int			 mntns;		/* or -1 */
	int			 privtmp;
	int			 bset;		/* drop from the bounding set */
	int			 capset;	/* lower the capability sets */
	uint64_t		 caps;		/* to keep */
	int			 cap_last;
	int			 nnp;		/* set no_new_privs */
	const struct sock_filter *filter;	/* or NULL */
	unsigned short		 filter_len;
};

/*
 * Start path with argv and envp, the socket fd on 0 and 1, errw (unless
 * -1) on 2 and nothing else, after it has sent banner (or NULL),
 * default signals and an empty mask, in a process group of its own (a
 * session with session); its exit signal is exit_signal until it
 * executes the program, SIGCHLD after (the kernel's).  With
 * LAUNCH_SIBLING, it is the caller's parent's child (CLONE_PARENT), whose
 * exit signal is the caller's own.  The pid, and in *slot where its
 * launch is, for launch_reaped(); or -1 with errno: ENOSYS where
 * launching is not built, EAGAIN when every slot is taken or the
 * program's words do not fit one, and the caller should spawn instead.
 */
#define LAUNCH_SIBLING	(-1)

pid_t	launch(const char *path, char *const argv[], char *const envp[],
	    const char *banner, int fd, int errw, int session, int exit_signal,
	    const struct launch_sandbox *, int *slot);

/*
 * The child pid of slot has been reaped: the errno of its failed
 * execve(2), with the program's path in *path until the next launch, or
 * 0; the slot is free either way.
 */
int	launch_reaped(int slot, pid_t pid, const char **path);

/* Whether launching is built here, on x86-64 and arm64. */
int	launch_available(void);

/*
 * In a process forked from one that launched: the ring is none of its
 * own (MADV_DONTFORK); make one now, before a filter that may not let
 * its first launch map one.
 */
void	launch_forked(void);

/*
 * For a process whose launches are its parent's children
 * (LAUNCH_SIBLING), which it never reaps: whether one has yet to execute
 * its program or end, and the errno of one whose execve(2) failed, with
 * the program's path in *path, or 0.  Its slot is then free again.
 */
int	launch_busy(void);
int	launch_failed(const char **path);

#endif /* FORKD_LAUNCH_H */
