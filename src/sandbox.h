/* SPDX-License-Identifier: ISC */
/*
 * The sandbox of a service's children (SPEC section 11): a system call
 * filter, namespaces and capabilities.  Everything that can be prepared
 * is prepared once in the master, when the configuration is loaded: the
 * filter compiled to its BPF program, the mount and network namespaces
 * made and held open.  A child only joins and installs: a few system
 * calls, and no compiling, per connection.
 */

#ifndef FORKD_SANDBOX_H
#define FORKD_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

struct conf_service;

/* A group of syscall-filter: systemd's name, and its calls and groups. */
struct sysgroup {
	const char	*name;		/* "@basic-io" */
	const char	*calls;		/* names and "@groups", by spaces */
};

extern const struct sysgroup sysgroups[];
extern const size_t nsysgroups;

/* How a service's handler runs, which decides its filter. */
enum sandbox_kind {
	SANDBOX_STRICT,		/* a built-in of read(2) and write(2) */
	SANDBOX_BUILTIN,	/* forkd's own filter by default */
	SANDBOX_MODULE,
	SANDBOX_EXEC,
};

struct sandbox;

/* Whether name, a system call or an "@group", is known. */
int		 sandbox_syscall_known(const char *name);

struct sock_fprog;

/*
 * For the tests: the program of a filter of names, as forkd writes it
 * (ranges) or as libseccomp does; 0, or -1 where there is none.  The
 * caller frees prog->filter.
 */
int		 sandbox_program(const char *const *names, size_t n,
		    int errnoact, int ranges, struct sock_fprog *prog);

/*
 * The program of a TLS relay's filter: a socket to read and write, the
 * wait for its handler, and nothing else.  Compiled once, shared by
 * every TLS service; NULL if it cannot be.
 */
const struct sock_fprog *sandbox_relay(void);

/* The capability called name ("CAP_NET_ADMIN", "net_admin"), or -1. */
int		 sandbox_cap(const char *name);

/*
 * In the master: the sandbox of a service's children, prepared; NULL
 * both when there is nothing to do (*err is "") and on an error, which
 * err gives as "file:line: message".
 */
struct sandbox	*sandbox_new(const struct conf_service *, enum sandbox_kind,
		    char *err, size_t errlen);
void		 sandbox_free(struct sandbox *);

struct launch_sandbox;

/*
 * What a launched child (launch.h) needs of the sandbox to take it on,
 * prepared with it; NULL when only a forked child can.
 */
const struct launch_sandbox *sandbox_launch(const struct sandbox *);

/*
 * Whether the service's programs can be started by a spawner (spawner.h)
 * that has taken the sandbox on once: a filter, which the kernel would
 * otherwise compile for every child, that allows the spawner's calls,
 * and nothing to do per child (private-tmp mounts a /tmp for each,
 * which a filter of systemd's groups would deny the spawner).
 */
int		 sandbox_spawner(const struct sandbox *);

/* Whether children need descriptors of the master's (no handoff). */
int		 sandbox_fds(const struct sandbox *);

/*
 * Whether it has a system call filter: 0, 1 for a filter of BPF, 2 for
 * the kernel's strict mode, which kills with SIGKILL.
 */
int		 sandbox_filtered(const struct sandbox *);

/*
 * In the child, with the master's privileges still: join the prepared
 * namespaces, make a private /tmp, and drop capabilities from the
 * bounding set.  -1, logged, on failure.
 */
int		 sandbox_enter(const struct sandbox *, const char *service);

/* After the credentials are dropped: keep only the allowed capabilities. */
int		 sandbox_caps(const struct sandbox *, const char *service);

/*
 * Last of all, just before the handler runs or the program is exec'd:
 * install the filter.  -1, logged, on failure.
 */
int		 sandbox_seal(const struct sandbox *, const char *service);

#endif /* FORKD_SANDBOX_H */
