/* SPDX-License-Identifier: ISC */
/*
 * The configuration: forkd.conf(5) parsed into plain data.
 *
 * Pure: the parser reads files (and, as root, asks who may change them)
 * and resolves user and group names, but makes no other system call.
 * Every error is reported as "file:line: message", all of them in one
 * run; so is every warning, which the configuration carries
 * (conf->warnings) for the caller to show.
 */

#ifndef FORKD_CONF_H
#define FORKD_CONF_H

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "cidr.h"
#include "rules.h"

#define CONF_MAX_CHILDREN	1024
#define CONF_BACKLOG		1024
#define CONF_SHUTDOWN_TIMEOUT	10000	/* ms */
#define CONF_PROXY_TIMEOUT	5000	/* ms */
#define CONF_RESOLVE_TIMEOUT	5000	/* ms */
/*
 * The longest service name: as long as a socket's name in systemd
 * (FileDescriptorName=), which may name a service, and short enough for
 * the environment of an exec child (FORKD_SERVICE), whose room for it is
 * fixed.
 */
#define CONF_NAME_MAX		255

enum conf_handler_kind {
	CONF_HANDLER_BUILTIN,
	CONF_HANDLER_EXEC,
	CONF_HANDLER_MODULE,
};

enum conf_proxy {
	CONF_PROXY_OFF,
	CONF_PROXY_V1,
	CONF_PROXY_V2,
	CONF_PROXY_ANY,
};

enum conf_resolve {
	CONF_RESOLVE_NO,
	CONF_RESOLVE_YES,
	CONF_RESOLVE_PARANOID,
};

enum conf_rlimit {
	CONF_RLIMIT_CPU,
	CONF_RLIMIT_AS,
	CONF_RLIMIT_DATA,
	CONF_RLIMIT_FSIZE,
	CONF_RLIMIT_CORE,
	CONF_RLIMIT_STACK,
	CONF_RLIMIT_NOFILE,
	CONF_RLIMIT_NPROC,
	CONF_RLIMIT_MAX
};

/* Bits of conf_settings.set: which directives were given explicitly. */
#define CONF_SET_USER		(UINT64_C(1) << 0)
#define CONF_SET_GROUP		(UINT64_C(1) << 1)
#define CONF_SET_CHROOT		(UINT64_C(1) << 2)
#define CONF_SET_MAX_CHILDREN	(UINT64_C(1) << 3)
#define CONF_SET_MAX_PER_SOURCE	(UINT64_C(1) << 4)
#define CONF_SET_RATE		(UINT64_C(1) << 5)
#define CONF_SET_ACL		(UINT64_C(1) << 6)
#define CONF_SET_TIMEOUT	(UINT64_C(1) << 7)
#define CONF_SET_IDLE_TIMEOUT	(UINT64_C(1) << 8)
#define CONF_SET_RLIMIT		(UINT64_C(1) << 9)
#define CONF_SET_ENV		(UINT64_C(1) << 10)
#define CONF_SET_PASSENV	(UINT64_C(1) << 11)
#define CONF_SET_BACKLOG	(UINT64_C(1) << 12)
#define CONF_SET_REUSEPORT	(UINT64_C(1) << 13)
#define CONF_SET_PROXY		(UINT64_C(1) << 14)
#define CONF_SET_PROXY_FROM	(UINT64_C(1) << 15)
#define CONF_SET_REFUSE_MESSAGE	(UINT64_C(1) << 16)
#define CONF_SET_PROXY_TIMEOUT	(UINT64_C(1) << 17)
#define CONF_SET_BANNER		(UINT64_C(1) << 18)
#define CONF_SET_SOURCE_PREFIX	(UINT64_C(1) << 19)
#define CONF_SET_RESOLVE	(UINT64_C(1) << 20)
#define CONF_SET_RESOLVE_TIMEOUT (UINT64_C(1) << 21)
#define CONF_SET_NICE		(UINT64_C(1) << 22)
#define CONF_SET_UMASK		(UINT64_C(1) << 23)
#define CONF_SET_GROUPS		(UINT64_C(1) << 24)
#define CONF_SET_SOCKET_MODE	(UINT64_C(1) << 25)
#define CONF_SET_SOCKET_USER	(UINT64_C(1) << 26)
#define CONF_SET_SOCKET_GROUP	(UINT64_C(1) << 27)
#define CONF_SET_NNP		(UINT64_C(1) << 28)
#define CONF_SET_PRIVNET	(UINT64_C(1) << 29)
#define CONF_SET_SYSFILTER	(UINT64_C(1) << 30)
#define CONF_SET_SYSACTION	(UINT64_C(1) << 31)
#define CONF_SET_PRIVTMP	(UINT64_C(1) << 32)
#define CONF_SET_ROPATHS	(UINT64_C(1) << 33)
#define CONF_SET_INPATHS	(UINT64_C(1) << 34)
#define CONF_SET_CAPS		(UINT64_C(1) << 35)
#define CONF_SET_TLS_CERT	(UINT64_C(1) << 36)
#define CONF_SET_TLS_CLIENT_CA	(UINT64_C(1) << 37)
#define CONF_SET_TLS_VERIFY	(UINT64_C(1) << 38)
#define CONF_SET_TLS_PROTOCOLS	(UINT64_C(1) << 39)
#define CONF_SET_TLS_CIPHERS	(UINT64_C(1) << 40)
#define CONF_SET_TLS_SUITES	(UINT64_C(1) << 41)
#define CONF_SET_TLS_ALPN	(UINT64_C(1) << 42)
#define CONF_SET_TLS_TIMEOUT	(UINT64_C(1) << 43)
#define CONF_SET_COUNT		44
#define CONF_SET_TLS		(CONF_SET_TLS_CERT | CONF_SET_TLS_CLIENT_CA | \
				    CONF_SET_TLS_VERIFY | \
				    CONF_SET_TLS_PROTOCOLS | \
				    CONF_SET_TLS_CIPHERS | CONF_SET_TLS_SUITES | \
				    CONF_SET_TLS_ALPN | CONF_SET_TLS_TIMEOUT)

/*
 * Socket options (SPEC section 9), each given or not: a service's own
 * replace the global ones one by one.
 */
enum conf_sockopt {
	CONF_SO_NODELAY,
	CONF_SO_KEEPALIVE,
	CONF_SO_KEEPIDLE,	/* ms */
	CONF_SO_KEEPINTVL,	/* ms */
	CONF_SO_KEEPCNT,
	CONF_SO_SNDBUF,		/* bytes */
	CONF_SO_RCVBUF,
	CONF_SO_DEFER,		/* ms */
	CONF_SO_FREEBIND,
	CONF_SO_TRANSPARENT,
	CONF_SO_V6ONLY,
	CONF_SO_TOS,
	CONF_SO_MARK,
	CONF_SO_INTERFACE,	/* in interface */
	CONF_SO_MAX
};

struct conf_sockopts {
	uint32_t	 set;		/* 1U << CONF_SO_* */
	long long	 v[CONF_SO_MAX];
	char		 interface[16];	/* IFNAMSIZ */
};

/* Where a directive was given: line 0 for the command line. */
struct conf_where {
	const char	*file;		/* an entry of conf->files */
	int		 line;
};

/* tls-client-verify */
enum conf_tls_verify {
	CONF_TLS_VERIFY_NONE,
	CONF_TLS_VERIFY_OPTIONAL,
	CONF_TLS_VERIFY_REQUIRE,
};

/* tls-protocols: bits of the versions offered. */
#define CONF_TLS_1_2		0x01
#define CONF_TLS_1_3		0x02
#define CONF_TLS_HANDSHAKE_TIMEOUT 10000	/* ms */
#define CONF_TLS_ALPN_MAX	1024	/* bytes of the protocol list */

/* One tls-certificate: the chain's file and the key's, and where. */
struct conf_tls_cert {
	char			*chain;
	char			*key;
	struct conf_where	 where;
};

struct conf_rlim {
	int		set;
	rlim_t		value;		/* RLIM_INFINITY for "infinity" */
};

/*
 * Directives that may appear inside a service or, as a default for every
 * service, at global scope.  A service's own directive replaces the
 * global one; list directives (allow/deny, env, passenv, proxy-from)
 * accumulate within one scope, and a service's list replaces the global
 * list whole, with a warning.
 */
struct conf_settings {
	uint64_t	 set;		/* CONF_SET_* */
	char		*user;		/* NULL: the master's credentials */
	uid_t		 uid;
	gid_t		 gid;		/* the user's primary group */
	char		*group;		/* overrides the user's group */
	gid_t		 group_gid;
	char		*chroot;
	unsigned int	 max_children;	/* 0: no per-service limit */
	unsigned int	 max_per_source; /* 0: none */
	unsigned int	 source_v4;	/* source-prefix: bits that count */
	unsigned int	 source_v6;
	unsigned int	 rate;		/* tokens per rate_ms; 0: none */
	unsigned int	 rate_ms;	/* 1000 for N/s, 60000 for N/m */
	unsigned int	 rate_burst;	/* bucket size; default rate */
	struct cidr_rule *acl;
	size_t		 nacl;
	unsigned int	 timeout;	/* ms, 0: none */
	unsigned int	 idle_timeout;	/* ms, 0: none */
	unsigned int	 proxy_timeout;	/* ms for a PROXY header */
	enum conf_resolve resolve;	/* resolve-names */
	unsigned int	 resolve_timeout; /* ms, for all the lookups */
	struct conf_rlim rlimit[CONF_RLIMIT_MAX];
	char		**env;		/* "NAME=VALUE" */
	size_t		 nenv;
	char		**passenv;	/* "NAME" */
	size_t		 npassenv;
	int		 backlog;	/* CONF_BACKLOG */
	int		 reuseport;
	enum conf_proxy	 proxy;
	struct cidr	*proxy_from;
	size_t		 nproxy_from;
	char		*refuse_message; /* escapes already applied */
	char		*banner;	/* the same */
	struct conf_sockopts sock;
	int		 nice;		/* added to forkd's */
	mode_t		 umask;
	gid_t		*groups;	/* explicit supplementary groups */
	size_t		 ngroups;
	int		 nnp;		/* no-new-privileges */
	int		 privnet;	/* private-network */
	/* The sandbox (sandbox.h). */
	char		**sysfilter;	/* syscall-filter's names, as given */
	size_t		 nsysfilter;	/* 0, with CONF_SET_SYSFILTER: off */
	int		 syserrno;	/* syscall-filter-action errno */
	int		 privtmp;	/* private-tmp */
	char		**ropaths;	/* read-only-paths */
	size_t		 nropaths;
	char		**inpaths;	/* inaccessible-paths */
	size_t		 ninpaths;
	uint64_t	 caps;		/* capabilities kept: 1 << CAP_* */
	/* TLS (tls.h): a service with certificates speaks it. */
	struct conf_tls_cert *tls_certs;
	size_t		 ntls_certs;
	char		*tls_client_ca;
	enum conf_tls_verify tls_verify;
	unsigned int	 tls_protocols;	/* CONF_TLS_* */
	char		*tls_ciphers;	/* OpenSSL's syntax, or NULL */
	char		*tls_ciphersuites;
	unsigned char	*tls_alpn;	/* the wire's format, or NULL */
	size_t		 tls_alpn_len;
	unsigned int	 tls_handshake_timeout; /* ms */
	mode_t		 socket_mode;	/* of unix socket files */
	uid_t		 socket_uid;
	gid_t		 socket_gid;
	/* Where each CONF_SET_* was first given: see conf_where(). */
	struct conf_where where[CONF_SET_COUNT];
};

struct conf_listen {
	struct addr	 addr;
	char		 text[ADDR_STRLEN];	/* addr_str() */
	const char	*file;
	int		 line;
};

/*
 * A client block (SPEC section 8): its addresses, each with its line, and
 * what it says, with the block's place in rule.file, line and order.
 */
struct conf_client {
	char		**patterns;
	int		 *lines;
	size_t		  npatterns;
	struct rule	  rule;
};

/* A rules directive: the file, where it is named, and its order. */
struct conf_rulefile {
	char		*path;
	const char	*file;
	int		 line;
	uint64_t	 order;
};

struct conf_service {
	TAILQ_ENTRY(conf_service) entry;
	char			*name;
	const char		*file;
	int			 line;
	struct conf_listen	*listen;
	size_t			 nlisten;
	enum conf_handler_kind	 kind;
	const char		*hfile;	/* where the handler was given */
	int			 hline;	/* 0: the command line */
	int			 argc;
	char			**argv;	/* NULL-terminated: builtin name,
					   exec path or module path first */
	struct conf_settings	 s;	/* global defaults merged in */
	/*
	 * Client blocks and rules directives, each given an order as
	 * written (the nrulesrc-th: nrulesrc << 32; a rules file's lines
	 * add their numbers), and the ruleset built from them, or NULL.
	 */
	struct conf_client	*clients;
	size_t			 nclients;
	struct conf_rulefile	*rulefiles;
	size_t			 nrulefiles;
	unsigned int		 nrulesrc;
	struct ruleset		*rules;
};

TAILQ_HEAD(conf_services, conf_service);

struct conf_errors {
	char		**msg;		/* "file:line: message" */
	size_t		  n;
};

struct conf {
	char			*path;
	unsigned int		 max_children;		/* global */
	char			*pidfile;		/* NULL: default */
	int			 syslog_facility;	/* LOG_DAEMON */
	unsigned int		 shutdown_timeout;	/* ms */
	struct conf_settings	 defaults;
	struct conf_services	 services;
	size_t			 nservices;
	char			**files;	/* every file read */
	size_t			 nfiles;
	struct conf_errors	 warnings;	/* none stops forkd */
};

/*
 * Parse a configuration file.  The file and every file it includes must
 * be regular files of at most 16 MiB and, when forkd runs as root, files
 * that only root can change (conf_trusted).  Returns the configuration,
 * or NULL with
 * every error appended to errs (errs->n > 0); NULL with errs->n == 0 only
 * when out of memory.  A configuration's warnings are in conf->warnings,
 * for the caller to print or log as it would errors: each list directive
 * of a service that replaces a global one.
 */
struct conf	*conf_parse_file(const char *path, struct conf_errors *errs);

/*
 * The same for text in memory; name is used in messages as the file name,
 * and relative include globs are taken from the current directory.
 */
struct conf	*conf_parse_string(const char *name, const char *text,
		    size_t len, struct conf_errors *errs);

/*
 * One-shot mode (forkd -l): a single service "cmdline" listening on
 * listen, running handler words argv[0..argc-1] ("echo", or "exec" PATH
 * ARG..., or "module" PATH ARG...), with "name=value" service directives
 * from opts (-o; the value is split into words as in the file).
 */
struct conf	*conf_cmdline(const char *listen, int argc, char **argv,
		    char **opts, size_t nopts, struct conf_errors *errs);

/*
 * Whether a master running as euid and egid can give each service's
 * children the user and group the configuration names: only root can
 * change to another, and a child that fails to would fail at every
 * connection.  A root master refuses instead a service with chroot or
 * group but no user, whose children would stay root with every
 * capability (and root leaves a chroot at will).  Returns 0, or -1 with
 * one error appended to errs for each directive it cannot honour
 * ("file:line: user NAME: forkd runs as uid N and cannot change to
 * another user; ..."), or none when out of memory.  On 0 from a master
 * that is not root, every user and group left is the master's own, and
 * is taken out of conf: it is no change, and a child that is not root
 * could not even set the supplementary groups a user brings.  To be
 * called after every successful parse: forkd -n, the start, one-shot
 * mode and every reload.
 */
int		 conf_check_credentials(struct conf *, uid_t euid, gid_t egid,
		    struct conf_errors *errs);

/*
 * Whether forkd, running as root, may trust the file at path, which the
 * caller opened and gave to fstat(2) as st: it reads it as root, a
 * configuration that names programs to run as root, a module whose code
 * runs in the master.  The file, and every folder from its own up to
 * /, must be owned by root (or by owner, when it is not 0) and writable
 * by no one else; a folder writable by others passes only with the
 * sticky bit, as /tmp, where no one can rename or remove an entry of
 * root's.  When path is a symbolic link, the folders of each link on the
 * way are checked too: who can replace a link chooses the file.  Returns
 * 0, or -1 with the reason in err ("writable by its group and others
 * (mode 0666)", "folder /x is owned by uid 1000, not root").
 */
int		 conf_trusted(const char *path, const struct stat *st,
		    uid_t owner, char *err, size_t errlen);

/*
 * The ruleset of a service's client blocks and rules files, read anew:
 * NULL with each error appended to errs ("file:line: message", a rules
 * file's own lines named), or with none when out of memory.
 */
struct ruleset	*conf_rules_build(const struct conf_service *,
		    struct conf_errors *errs);

void		 conf_free(struct conf *);
void		 conf_errors_free(struct conf_errors *);

/* The service of that name, or NULL. */
struct conf_service *conf_service_find(const struct conf *, const char *);

/* Where setting bit (one CONF_SET_*) of s was given, if it was. */
const struct conf_where *conf_where(const struct conf_settings *s,
		    uint64_t bit);

/*
 * Into buf, "file:line: " where w was given ("file: " for the command
 * line), then the message.
 */
void		 conf_where_msg(char *buf, size_t size,
		    const struct conf_where *w, const char *fmt, ...)
		    __attribute__((__format__(__printf__, 4, 5)));

#endif /* FORKD_CONF_H */
