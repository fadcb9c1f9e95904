/* SPDX-License-Identifier: ISC */
/*
 * The names of a connection's ends, for resolve-names: TCPREMOTEHOST and
 * TCPLOCALHOST, and the =name client rules.  In the child only.
 */

#ifndef FORKD_RESOLVE_H
#define FORKD_RESOLVE_H

#include <sys/types.h>
#include <sys/socket.h>

#include <netdb.h>

#ifndef NI_MAXHOST
#define NI_MAXHOST	1025
#endif

struct resolved {
	char	remote[NI_MAXHOST];
	int	has_remote;
	char	local[NI_MAXHOST];
	int	has_local;
};

/*
 * Look up the names of remote and local, in timeout_ms at most in all;
 * with paranoid, the remote name only if its addresses include remote.
 * What is not found in time is left out.
 */
void	resolve_names(const struct sockaddr *remote,
	    const struct sockaddr *local, int paranoid, unsigned int timeout_ms,
	    struct resolved *out);

#endif /* FORKD_RESOLVE_H */
