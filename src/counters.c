/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stddef.h>

#include "counters.h"

/*
 * Rows of one metric follow each other, and the first carries the
 * metric's help.  doc is mdoc text for the manual's list of status
 * columns.
 */
const struct counter_info counters[COUNT_MAX] = {
	[COUNT_ACCEPTED] = { "accepted", "accepted", COUNT_SERVED,
	    "forkd_connections_accepted_total", NULL, NULL,
	    "Connections served: handed to a child (and, with "
	    "proxy-protocol, let go on once its header was read; with TLS, "
	    "once its handshake was done).",
	    "connections served: handed to a child, forked or spawned\n"
	    "(a status child counts its own), and with\n.Ic proxy-protocol\n"
	    "let go on once its header was read, with TLS once its\n"
	    "handshake was done; a connection closed\n"
	    "unserved is counted only under its reason below" },
	[COUNT_REFUSED_ACL] = { "acl", "refused by allow/deny", COUNT_REFUSED,
	    "forkd_connections_refused_total", "reason", "acl",
	    "Connections closed unserved, by reason.",
	    "refused by\n.Ic allow Ns / Ns Ic deny" },
	[COUNT_REFUSED_SOURCE] = { "source", "over max-per-source",
	    COUNT_REFUSED, "forkd_connections_refused_total", "reason",
	    "max_per_source", NULL,
	    "refused over\n.Ic max-per-source" },
	[COUNT_REFUSED_PROXY] = { "proxy", "by PROXY protocol", COUNT_REFUSED,
	    "forkd_connections_refused_total", "reason", "proxy", NULL,
	    "refused by the PROXY protocol: a peer not in\n.Ic proxy-from ,\n"
	    "or no valid header" },
	[COUNT_REFUSED_TLS] = { "tls", "by TLS handshake", COUNT_REFUSED,
	    "forkd_connections_refused_total", "reason", "tls", NULL,
	    "closed by the child because the TLS handshake failed, timed\n"
	    "out, or was no TLS at all; the handler did not run" },
	[COUNT_FORK_FAILED] = { "fork", "fork failed", COUNT_REFUSED,
	    "forkd_connections_refused_total", "reason", "fork", NULL,
	    "closed because\n.Xr fork 2\nfailed" },
	[COUNT_RATE_DELAYED] = { "rate", "waited for the rate", COUNT_WAITED,
	    "forkd_rate_delayed_total", NULL, NULL,
	    "Clients that waited in the backlog for the rate limit.",
	    "clients that waited in the backlog for the\n.Ic rate\nlimit" },
	[COUNT_EMFILE] = { "emfile", "out of descriptors", COUNT_WAITED,
	    "forkd_accept_emfile_total", NULL, NULL,
	    "Times accept ran out of descriptors or memory and accepting "
	    "paused.",
	    "times\n.Xr accept 2\nran out of descriptors or memory and "
	    "accepting paused" },
	[COUNT_EXEC_FAILED] = { "exec", "exec failed", COUNT_SERVED,
	    "forkd_exec_failures_total", NULL, NULL,
	    "exec children whose program could not be run.",
	    "programs that could not be run" },
	[COUNT_TIMEOUT_KILLED] = { "timeout", "killed by timeout",
	    COUNT_SERVED, "forkd_timeout_kills_total", NULL, NULL,
	    "Children killed over their timeout.",
	    "children killed over their\n.Ic timeout" },
	[COUNT_SECCOMP_KILLED] = { "seccomp", "killed by syscall-filter",
	    COUNT_SERVED, "forkd_children_killed_total", "reason", "seccomp",
	    "Children killed by their sandbox, by reason.",
	    "children killed by their\n.Ic syscall-filter" },
	[COUNT_EXIT_OK] = { "ok", "exited ok", COUNT_SERVED,
	    "forkd_children_exited_total", "result", "ok",
	    "Children ended, with status 0 or otherwise.",
	    "children that exited with status 0" },
	[COUNT_EXIT_ERROR] = { "error", "failed", COUNT_SERVED,
	    "forkd_children_exited_total", "result", "error", NULL,
	    "children that exited with another status or were killed by a "
	    "signal" },
};
