/* SPDX-License-Identifier: ISC */
/*
 * Whether the master can give its children the user and group the
 * configuration names.  Only root can change to another; a child that
 * cannot would fail at every connection, so forkd refuses the
 * configuration at once instead, with one error per directive.  A root
 * master refuses a chroot or a group without a user, which would leave
 * its children root with every capability.  Pure: the master's ids are
 * arguments, so that a test can play any of them.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>

#include <stdlib.h>

#include "confparse.h"

static int	cred_inherited(const struct conf_settings *,
		    const struct conf_settings *, uint64_t);
static int	cred_check(const struct conf_settings *,
		    const struct conf_settings *, uid_t, gid_t,
		    struct conf_errors *, int *);
static void	cred_drop(struct conf_settings *);
static int	cred_root(const struct conf_service *, struct conf_errors *,
		    int *);

/*
 * Whether s has the setting bit from d, the global scope, rather than of
 * its own: then it was checked, and reported, there.
 */
static int
cred_inherited(const struct conf_settings *s, const struct conf_settings *d,
    uint64_t bit)
{
	const struct conf_where	*a, *b;

	if (d == NULL || !(d->set & bit))
		return 0;
	a = conf_where(s, bit);
	b = conf_where(d, bit);
	return a->file == b->file && a->line == b->line;
}

/*
 * The user and group of one scope (d: the global one, NULL for the
 * global scope itself).  *bad counts the errors; -1 when out of memory.
 */
static int
cred_check(const struct conf_settings *s, const struct conf_settings *d,
    uid_t euid, gid_t egid, struct conf_errors *errs, int *bad)
{
	const struct conf_where	*at;

	if ((s->set & CONF_SET_USER) && s->uid != euid &&
	    !cred_inherited(s, d, CONF_SET_USER)) {
		at = conf_where(s, CONF_SET_USER);
		if (conf_errors_add(errs, at->file, at->line, "user %s: forkd "
		    "runs as uid %lu and cannot change to another user; run "
		    "it as root or remove the directive", s->user,
		    (unsigned long)euid) == -1)
			return -1;
		(*bad)++;
	}
	if ((s->set & CONF_SET_GROUP) && s->group_gid != egid &&
	    !cred_inherited(s, d, CONF_SET_GROUP)) {
		at = conf_where(s, CONF_SET_GROUP);
		if (conf_errors_add(errs, at->file, at->line, "group %s: "
		    "forkd runs as gid %lu and cannot change to another "
		    "group; run it as root or remove the directive", s->group,
		    (unsigned long)egid) == -1)
			return -1;
		(*bad)++;
	}
	if ((s->set & CONF_SET_GROUPS) && euid != 0 &&
	    !cred_inherited(s, d, CONF_SET_GROUPS)) {
		at = conf_where(s, CONF_SET_GROUPS);
		if (conf_errors_add(errs, at->file, at->line, "groups: forkd "
		    "runs as uid %lu and cannot set supplementary groups; run "
		    "it as root or remove the directive",
		    (unsigned long)euid) == -1)
			return -1;
		(*bad)++;
	}
	return 0;
}

/* The master's own user and group: nothing for a child to change. */
static void
cred_drop(struct conf_settings *s)
{
	free(s->user);
	s->user = NULL;
	s->uid = 0;
	s->gid = 0;
	free(s->group);
	s->group = NULL;
	s->group_gid = 0;
	s->set &= ~(CONF_SET_USER | CONF_SET_GROUP);
}

/*
 * A service of a root master: a chroot or a group without a user leaves
 * its children with uid 0 and every capability.  A group changes
 * nothing that matters to root, and root leaves a chroot at will (a
 * second chroot(2) and a few "..", or a mount): both mean to confine,
 * and would not.  The error is the service's, at the directive, which
 * may be a global one.
 */
static int
cred_root(const struct conf_service *cs, struct conf_errors *errs, int *bad)
{
	static const struct {
		uint64_t	 bit;
		const char	*name;
		const char	*why;
	} need[] = {
		{ CONF_SET_CHROOT, "chroot", "its children would run as "
		    "root, with every capability, and root can leave a "
		    "chroot" },
		{ CONF_SET_GROUP, "group", "its children would run as root, "
		    "with every capability, whatever their group" },
	};
	const struct conf_where	*at;
	size_t			 i;

	if (cs->s.set & CONF_SET_USER)
		return 0;
	for (i = 0; i < nitems(need); i++) {
		if (!(cs->s.set & need[i].bit))
			continue;
		at = conf_where(&cs->s, need[i].bit);
		if (conf_errors_add(errs, at->file, at->line, "service %s: "
		    "%s without user: %s; add \"user\"", cs->name,
		    need[i].name, need[i].why) == -1)
			return -1;
		(*bad)++;
	}
	return 0;
}

int
conf_check_credentials(struct conf *conf, uid_t euid, gid_t egid,
    struct conf_errors *errs)
{
	struct conf_service	*cs;
	int			 bad = 0;

	if (euid == 0) {
		TAILQ_FOREACH(cs, &conf->services, entry)
			if (cred_root(cs, errs, &bad) == -1)
				return -1;
		return bad > 0 ? -1 : 0;
	}
	if (cred_check(&conf->defaults, NULL, euid, egid, errs, &bad) == -1)
		return -1;
	TAILQ_FOREACH(cs, &conf->services, entry)
		if (cred_check(&cs->s, &conf->defaults, euid, egid, errs,
		    &bad) == -1)
			return -1;
	if (bad > 0)
		return -1;

	/* Every user and group left is the master's own. */
	cred_drop(&conf->defaults);
	TAILQ_FOREACH(cs, &conf->services, entry)
		cred_drop(&cs->s);
	return 0;
}
