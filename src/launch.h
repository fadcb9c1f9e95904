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

/*
 * Start path with argv and envp, the socket fd on 0 and 1, errw (unless
 * -1) on 2 and nothing else, default signals and an empty mask, in a
 * process group of its own (a session with session); its exit signal
 * is exit_signal.  The pid, and in *slot where its launch is, for
 * launch_reaped(); or -1 with errno: ENOSYS where launching is not
 * built, EAGAIN when every slot is taken or the program's words do not
 * fit one, and the caller should spawn instead.
 */
pid_t	launch(const char *path, char *const argv[], char *const envp[],
	    int fd, int errw, int session, int exit_signal, int *slot);

/*
 * The child pid of slot has been reaped: the errno of its failed
 * execve(2), with the program's path in *path until the next launch, or
 * 0; the slot is free either way.
 */
int	launch_reaped(int slot, pid_t pid, const char **path);

#endif /* FORKD_LAUNCH_H */
