/* SPDX-License-Identifier: ISC */
/*
 * Per-client rules (SPEC section 8): the lines of tcprules(1) files and
 * the settings of `client` blocks, and for a connection the one rule
 * that decides it, the most specific:
 *
 *	an exact address (1.2.3.4, ::1, a /32 or /128, each address of a
 *	range 1.2.3.4-20), then a name (=host.example), then a domain
 *	(=.example, the longest first), then prefixes, longest first
 *	(1.2.3. is a /24, 10.0.0.0/8 a /8), then the empty address.
 *	Equal ones: the lowest order, that is, the first written.
 *
 * An IPv4-mapped IPv6 client (::ffff:1.2.3.4) matches as its IPv4
 * address.  Lookups take time that does not grow with the number of
 * rules: a hash table for exact addresses and one per prefix length in
 * use, tried from the longest.
 *
 * Everything a ruleset holds is the master's (pages.h): a child gets a
 * copy of what the matched rule says, not the ruleset.  Pure: no system
 * calls besides memory.
 */

#ifndef FORKD_RULES_H
#define FORKD_RULES_H

#include <sys/types.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

enum rule_action {
	RULE_NONE,		/* a client block with neither allow nor deny */
	RULE_ALLOW,
	RULE_DENY
};

/* What a rule says; strings and env are the ruleset's own copies. */
struct rule {
	enum rule_action action;
	unsigned int	 max_per_source;	/* with has_max_per_source */
	int		 has_max_per_source;
	char		*refuse_message;	/* NULL: the service's */
	char		*banner;		/* NULL: the service's */
	char		**env;			/* "NAME=VALUE", one per name */
	size_t		 nenv;
	const char	*file;			/* where written: not copied */
	int		 line;
	uint64_t	 order;			/* lower: written first */
};

struct ruleset;

struct ruleset	*ruleset_new(void);
void		 ruleset_free(struct ruleset *);

/* How many patterns were added; and how many are names or domains. */
size_t		 ruleset_count(const struct ruleset *);
size_t		 ruleset_names(const struct ruleset *);

/*
 * Add a rule for one pattern in tcprules' ADDRESS syntax, or a CIDR
 * prefix: "1.2.3.4", "1.2.3." (also "1.2." and "1."), "1.2.3.4-20",
 * an IPv6 address, "10.0.0.0/8", "2001:db8::/32", "=name", "=.domain",
 * or "" (everyone).  r is copied, strings and env included.  Returns 0,
 * or -1 with *errstr set to a short reason (a bad pattern, ENOMEM as
 * "out of memory").
 */
int		 ruleset_add(struct ruleset *, const char *pattern,
		    const struct rule *r, const char **errstr);

/*
 * Parse a rules file's text (len bytes, not NUL-terminated) into the
 * ruleset: lines `ADDRESS:allow` or `ADDRESS:deny`, each optionally
 * followed by `,NAME="VALUE"` items, where any character that is not
 * in VALUE may quote it, as in tcprules(1) (`X='a"b'`, `X=/a/`); `#`
 * starts a comment line; blank lines are skipped.  Rules get order
 * order_base + their line number, file path and their line.  On error,
 * -1 with the message "PATH:LINE: reason" in err (errlen bytes), and
 * the ruleset holds what came before that line.
 */
int		 rules_parse(struct ruleset *, const char *text, size_t len,
		    const char *path, uint64_t order_base, char *err,
		    size_t errlen);

/*
 * The rule for a client address, without names: the most specific of
 * the exact, prefix and empty rules.  NULL when none matches.  Sets
 * *need_name when a name or domain rule could still be more specific
 * (the ruleset has names, and no exact address matched): the decision
 * then waits for the client's name (rules_match_name).
 */
const struct rule *ruleset_match(const struct ruleset *,
		    const struct sockaddr *, int *need_name);

/*
 * With the client's name (NULL or "" for none): the most specific rule
 * of all, names included.
 */
const struct rule *ruleset_match_name(const struct ruleset *,
		    const struct sockaddr *, const char *name);

#endif /* FORKD_RULES_H */
