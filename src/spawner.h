/* SPDX-License-Identifier: ISC */
/*
 * A process that starts a service's programs from inside its sandbox.
 *
 * The kernel compiles a seccomp filter for every process that installs
 * one (for BPF, into machine code, with its memory made executable),
 * which costs a launched child more than its launch; a child whose
 * parent has the filter gets it for a reference count.  A spawner takes
 * the sandbox on once: it joins the service's namespaces, drops its
 * capabilities, sets no_new_privs and installs the filter, then launches
 * (launch.h) each program it is asked for as the master's child
 * (CLONE_PARENT), which the master tracks, signals and reaps as its
 * own.  It is forked at the service's first connection, with nothing
 * of the master but a socket, the children's standard error and the
 * program's words.
 *
 * The master asks over a SOCK_SEQPACKET socket pair, with the client's
 * socket (SCM_RIGHTS), the environment and the banner, and waits for the
 * pid: a request is one clone(2), as a launch by the master would be.  A
 * program whose execve(2) failed exits 127, and the spawner logs why.  A
 * spawner that does not answer is killed, and the service's programs
 * are launched by the master again, each installing its filter.
 */

#ifndef FORKD_SPAWNER_H
#define FORKD_SPAWNER_H

#include <sys/types.h>

struct sandbox;
struct spawner;

/*
 * In the master: a spawner for service's program path with argv, whose
 * children get errw (or -1) as standard error; NULL, logged, when none
 * can be made.
 */
struct spawner	*spawner_new(const char *service, const struct sandbox *,
		    const char *path, char *const argv[], int errw);

/* Let it go: it exits once it sees the socket closed. */
void		 spawner_free(struct spawner *);

/*
 * Start the program on the socket fd with envp, after banner (or NULL),
 * in a session of its own with session: as launch() does.  The pid, or
 * -1 with errno: EAGAIN for this request only (too long, or no slot),
 * EPIPE when the spawner is gone, which it then is for good, and
 * ETIMEDOUT when it did not answer, killed then, which may have started
 * the program all the same.
 */
pid_t		 spawner_launch(struct spawner *, char *const envp[],
		    const char *banner, int fd, int session);

/*
 * A child the master does not track has ended, reaped: if it is a
 * spawner, 1, and an unexpected end is logged.
 */
int		 spawner_ended(pid_t, int status);

#endif /* FORKD_SPAWNER_H */
