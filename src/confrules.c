/* SPDX-License-Identifier: ISC */
/*
 * Per-client rules in the configuration (SPEC section 8): client blocks,
 * rules files, and the ruleset a service's connections are matched
 * against, built from both in the order they are written.
 */

#include "config.h"

#include <sys/types.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confparse.h"
#include "rules.h"

#define NUMBER_MAX	1000000

static int	client_patterns(struct parser *, struct conf_client *);
static int	client_env(struct parser *, struct rule *);
static void	client_body(struct parser *, struct conf_client *);
static int	rules_id(const char *, char *, size_t, const char **);
static int	rules_source(const struct conf_service *, uint64_t,
		    const struct conf_client **, const struct conf_rulefile **);

/*
 * uid:NAME or gid:NAME, looked up now, as uid:N or gid:N in buf; buf
 * empty for any other pattern.  -1 with *errstr for a name unknown.
 */
static int
rules_id(const char *pattern, char *buf, size_t size, const char **errstr)
{
	const char	*v = pattern + 4;
	struct passwd	*pw;
	struct group	*gr;

	buf[0] = '\0';
	if ((strncmp(pattern, "uid:", 4) != 0 &&
	    strncmp(pattern, "gid:", 4) != 0) || *v == '\0' ||
	    (*v >= '0' && *v <= '9'))
		return 0;
	if (pattern[0] == 'u' && (pw = getpwnam(v)) != NULL)
		snprintf(buf, size, "uid:%lu", (unsigned long)pw->pw_uid);
	else if (pattern[0] == 'g' && (gr = getgrnam(v)) != NULL)
		snprintf(buf, size, "gid:%lu", (unsigned long)gr->gr_gid);
	else {
		*errstr = pattern[0] == 'u' ? "unknown user" : "unknown group";
		return -1;
	}
	return 0;
}

/* The order of the next client block or rules directive of cs. */
static uint64_t
rules_order(struct conf_service *cs)
{
	return (uint64_t)++cs->nrulesrc << 32;
}

/* Words and commas up to "{": the block's patterns, each with its line. */
static int
client_patterns(struct parser *p, struct conf_client *cl)
{
	enum token	 t;
	char		**np;
	int		*nl, comma = 1;

	for (;;) {
		switch ((t = conf_lex(p))) {
		case T_WORD:
			if (!comma) {
				conf_err(p, "missing \",\" before %s",
				    q(p, p->word));
				conf_recover(p, t);
				return -1;
			}
			np = reallocarray(cl->patterns, cl->npatterns + 1,
			    sizeof(*np));
			if (np == NULL)
				return conf_nomem(p);
			cl->patterns = np;
			nl = reallocarray(cl->lines, cl->npatterns + 1,
			    sizeof(*nl));
			if (nl == NULL)
				return conf_nomem(p);
			cl->lines = nl;
			if ((np[cl->npatterns] = strdup(p->word)) == NULL)
				return conf_nomem(p);
			nl[cl->npatterns++] = p->src->tokline;
			comma = 0;
			break;
		case T_COMMA:
			if (comma) {
				conf_err(p, "unexpected \",\"");
				conf_recover(p, t);
				return -1;
			}
			comma = 1;
			break;
		case T_LBRACE:
			if (cl->npatterns == 0 || comma) {
				conf_err(p, cl->npatterns == 0 ?
				    "client without an address" :
				    "unexpected \"{\" after \",\"");
				conf_recover(p, t);
				return -1;
			}
			return 0;
		default:
			if (t != T_ERROR)
				conf_err(p, "missing \"{\" after client");
			conf_recover(p, t);
			return -1;
		}
	}
}

/* env NAME=VALUE...: a later value of a name replaces the earlier one. */
static int
client_env(struct parser *p, struct rule *r)
{
	char	*eq, **ne;
	size_t	 i, j, len;
	int	 bad;

	for (i = 0; i < p->nargs; i++) {
		if ((eq = strchr(p->args[i], '=')) == NULL) {
			conf_err(p, "%s is not NAME=VALUE", q(p, p->args[i]));
			return -1;
		}
		*eq = '\0';
		bad = conf_envname(p, p->args[i]);
		*eq = '=';
		if (bad == -1)
			return -1;
	}
	for (i = 0; i < p->nargs; i++) {
		len = (size_t)(strchr(p->args[i], '=') - p->args[i]) + 1;
		for (j = 0; j < r->nenv; j++)
			if (strncmp(r->env[j], p->args[i], len) == 0)
				break;
		if (j == r->nenv) {
			ne = reallocarray(r->env, r->nenv + 1, sizeof(*ne));
			if (ne == NULL)
				return conf_nomem(p);
			r->env = ne;
			r->nenv++;
		} else
			free(r->env[j]);
		r->env[j] = conf_args_steal(p, i);
	}
	return 0;
}

/* The directives of a client block, up to its "}". */
static void
client_body(struct parser *p, struct conf_client *cl)
{
	struct rule	*r = &cl->rule;
	enum token	 t;
	char		 name[32];
	long long	 v;
	int		 line = p->src->tokline;

	for (;;) {
		switch ((t = conf_lex(p))) {
		case T_EOD:
			continue;
		case T_RBRACE:
			return;
		case T_EOF:
			conf_errat(p, p->src->name, line,
			    "client block has no closing \"}\"");
			return;
		case T_WORD:
			break;
		default:
			if (t != T_ERROR)
				conf_err(p, "unexpected \"%c\"",
				    t == T_LBRACE ? '{' : ',');
			conf_recover(p, t);
			continue;
		}
		if (strlcpy(name, p->word, sizeof(name)) >= sizeof(name))
			name[0] = '\0';
		if (strcmp(name, "allow") != 0 && strcmp(name, "deny") != 0 &&
		    strcmp(name, "env") != 0 &&
		    strcmp(name, "max-per-source") != 0 &&
		    strcmp(name, "refuse-message") != 0 &&
		    strcmp(name, "banner") != 0) {
			conf_err(p, "%s is not allowed in a client block",
			    q(p, p->word));
			conf_skip(p);
			continue;
		}
		if (conf_args_read(p, strcmp(name, "env") == 0) == -1)
			continue;
		if (strcmp(name, "allow") == 0 || strcmp(name, "deny") == 0) {
			if (p->nargs > 0)
				conf_err(p, "%s in a client block takes no "
				    "address", q(p, name));
			else if (r->action != RULE_NONE)
				conf_err(p, "allow or deny given twice");
			else
				r->action = name[0] == 'a' ? RULE_ALLOW :
				    RULE_DENY;
			continue;
		}
		if (strcmp(name, "env") == 0) {
			if (p->nargs == 0)
				conf_err(p, "missing argument to \"env\"");
			else
				(void)client_env(p, r);
			continue;
		}
		if (p->nargs != 1) {
			conf_err(p, p->nargs == 0 ? "missing argument to %s" :
			    "too many arguments to %s", q(p, name));
			continue;
		}
		if (strcmp(name, "max-per-source") == 0) {
			if (r->has_max_per_source)
				conf_err(p, "\"max-per-source\" given twice");
			else if (conf_number(p, p->args[0], 1, NUMBER_MAX,
			    &v) == 0) {
				r->max_per_source = (unsigned int)v;
				r->has_max_per_source = 1;
			}
		} else if (strcmp(name, "refuse-message") == 0) {
			if (r->refuse_message != NULL)
				conf_err(p, "\"refuse-message\" given twice");
			else
				r->refuse_message = conf_args_steal(p, 0);
		} else {
			if (r->banner != NULL)
				conf_err(p, "\"banner\" given twice");
			else
				r->banner = conf_args_steal(p, 0);
		}
	}
}

int
conf_client(struct parser *p, const struct keyword *kw)
{
	struct conf_service	*cs = p->cs;
	struct conf_client	*cl, *ncl;

	(void)kw;
	ncl = reallocarray(cs->clients, cs->nclients + 1, sizeof(*ncl));
	if (ncl == NULL)
		return conf_nomem(p);
	cs->clients = ncl;
	cl = &cs->clients[cs->nclients++];
	memset(cl, 0, sizeof(*cl));
	cl->rule.file = p->src->file;
	cl->rule.line = p->src->noline ? 0 : p->src->tokline;
	cl->rule.order = rules_order(cs);
	if (client_patterns(p, cl) == -1)
		return -1;
	client_body(p, cl);
	return 0;
}

int
conf_rules(struct parser *p, const struct keyword *kw)
{
	struct conf_service	*cs = p->cs;
	struct conf_rulefile	*rf;

	(void)kw;
	if (p->args[0][0] != '/') {
		conf_err(p, "%s is not an absolute path", q(p, p->args[0]));
		return -1;
	}
	rf = reallocarray(cs->rulefiles, cs->nrulefiles + 1, sizeof(*rf));
	if (rf == NULL)
		return conf_nomem(p);
	cs->rulefiles = rf;
	rf = &cs->rulefiles[cs->nrulefiles++];
	rf->path = conf_args_steal(p, 0);
	rf->file = p->src->file;
	rf->line = p->src->noline ? 0 : p->src->tokline;
	rf->order = rules_order(cs);
	return 0;
}

/*
 * At the end of a service: its ruleset, whose errors (rules files may
 * have many) count as the parser's.
 */
int
conf_rules_finish(struct parser *p, struct conf_service *cs)
{
	size_t	n = p->errs->n;

	if (cs->nrulesrc == 0 || p->stop)
		return 0;
	if ((cs->rules = conf_rules_build(cs, p->errs)) != NULL)
		return 0;
	p->nerr += p->errs->n - n;
	if (p->errs->n == n)
		conf_nomem(p);
	return -1;
}

/* The client block or rules file of cs written at order, if any. */
static int
rules_source(const struct conf_service *cs, uint64_t order,
    const struct conf_client **clp, const struct conf_rulefile **rfp)
{
	size_t	i;

	*clp = NULL;
	*rfp = NULL;
	for (i = 0; i < cs->nclients; i++)
		if (cs->clients[i].rule.order == order) {
			*clp = &cs->clients[i];
			return 1;
		}
	for (i = 0; i < cs->nrulefiles; i++)
		if (cs->rulefiles[i].order == order) {
			*rfp = &cs->rulefiles[i];
			return 1;
		}
	return 0;
}

struct ruleset *
conf_rules_build(const struct conf_service *cs, struct conf_errors *errs)
{
	const struct conf_client	*cl;
	const struct conf_rulefile	*rf;
	struct ruleset			*rs;
	const char			*errstr;
	char				*buf, err[512], *end, idpat[32];
	size_t				 i, len, plen;
	unsigned int			 k;
	long				 line;
	int				 bad = 0;

	if ((rs = ruleset_new()) == NULL) {
		conf_errors_add(errs, cs->file, cs->line, "out of memory");
		return NULL;
	}
	for (k = 1; k <= cs->nrulesrc; k++) {
		if (!rules_source(cs, (uint64_t)k << 32, &cl, &rf))
			continue;
		if (cl != NULL) {
			for (i = 0; i < cl->npatterns; i++)
				if (rules_id(cl->patterns[i], idpat,
				    sizeof(idpat), &errstr) == -1 ||
				    ruleset_add(rs, idpat[0] != '\0' ? idpat :
				    cl->patterns[i], &cl->rule, &errstr) == -1) {
					conf_errors_add(errs, cl->rule.file,
					    cl->lines[i], "client %s: %s",
					    cl->patterns[i], errstr);
					bad = 1;
				}
			continue;
		}
		if (conf_slurp(rf->path, RULES_FILE_MAX, &buf, &len, err,
		    sizeof(err)) == -1) {
			conf_errors_add(errs, rf->file, rf->line,
			    "rules %s: %s", rf->path, err);
			bad = 1;
			continue;
		}
		if (rules_parse(rs, buf, len, rf->path, rf->order, err,
		    sizeof(err)) == -1) {
			/* "PATH:LINE: reason", at the line of the file. */
			plen = strlen(rf->path);
			line = 0;
			if (strncmp(err, rf->path, plen) == 0 &&
			    err[plen] == ':') {
				errno = 0;
				line = strtol(err + plen + 1, &end, 10);
				if (errno != 0 || strncmp(end, ": ", 2) != 0)
					line = 0;
			}
			if (line > 0 && line <= INT32_MAX)
				conf_errors_add(errs, rf->path, (int)line,
				    "%s", end + 2);
			else
				conf_errors_add(errs, rf->path, 0, "%s", err);
			bad = 1;
		}
		free(buf);
	}
	if (bad) {
		ruleset_free(rs);
		return NULL;
	}
	return rs;
}
