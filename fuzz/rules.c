/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: rules_parse on any text, then ruleset_match and
 * ruleset_match_name for addresses and names taken from the text and a
 * few fixed ones; a tcprules file is a seed as it is.
 *
 * Whatever the text, the parser must not crash, leak or hang; it writes
 * nothing past errlen, and an error is "fuzz:LINE: reason" with LINE a
 * line of the text, the line where a parse of that line alone fails the
 * same way.  Lines parsed one by one, the last first, give a ruleset
 * that decides every client as the whole text's does.  And a slow
 * reference, a list of the lines' patterns read here on their own and
 * tried one by one, says which line must decide: the most specific of
 * those that match, the first written among equal ones.  A rule found
 * is one the parser made: allow or deny, where it was written, with one
 * "NAME=VALUE" per name.  A client decided without its name is decided
 * the same with any name; names match whatever their case; an
 * IPv4-mapped client is its IPv4 address.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "rules.h"

#define NAME		"fuzz"
#define BASE		1000
#define ERRLEN		256
#define CANARY		32
#define MAXADDRS	16
#define MAXNAMES	8
#define MAXNAMELEN	64

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

/* The reference: a line's pattern, and how specific it is. */
enum ref_kind {
	REF_EMPTY,
	REF_PREFIX,
	REF_DOMAIN,
	REF_NAME,
	REF_EXACT
};

struct ref {
	enum ref_kind	 kind;
	int		 family;
	unsigned int	 len;		/* prefix length, domain length */
	uint8_t		 addr[16];
	unsigned int	 first, last;	/* a range's last octets */
	const char	*name;		/* in the text, '=' left out */
	uint64_t	 order;
};

struct world {
	const struct ruleset	*rs;
	const struct ruleset	*each;
	const struct ref	*ref;
	size_t			 nref;
	int			 lines;
};

struct probes {
	struct sockaddr_storage	 addr[MAXADDRS];
	size_t			 naddr;
	char			 name[MAXNAMES][MAXNAMELEN + 2];
	size_t			 nname;
};

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static int	is_rule_line(const char *, size_t);
static void	add_addr(struct probes *, const char *);
static void	add_name(struct probes *, const char *, size_t);
static void	find_probes(struct probes *, const char *, size_t);
static void	check_rule(const struct rule *, int);
static int	same_rule(const struct rule *, const struct rule *);
static void	upper(char *, const char *);
static size_t	split(const char *, size_t);
static int	ref_octet(const char *, size_t);
static int	ref_pattern(const char *, size_t, struct ref *);
static int	ref_matches(const struct ref *, int, const uint8_t *,
		    const char *);
static int	ref_better(const struct ref *, const struct ref *);
static uint64_t	ref_decide(const struct world *, const struct sockaddr *,
		    const char *);
static void	check_client(const struct world *, const struct sockaddr *,
		    const struct probes *);
static void	check_error(const char *, int);

/*
 * Where a line's address ends, as rules.c documents it: a name at the
 * first colon; an address at the last colon of the leading run of hex
 * digits, dots, colons, slashes and dashes, else at the first colon.
 */
static size_t
split(const char *s, size_t n)
{
	const char	*c;
	size_t		 i, at = n;

	if (n > 0 && s[0] != '=')
		for (i = 0; i < n && s[i] != '\0' &&
		    strchr("0123456789abcdefABCDEF.:/-", s[i]) != NULL; i++)
			if (s[i] == ':')
				at = i;
	if (at == n && (c = memchr(s, ':', n)) != NULL)
		at = (size_t)(c - s);
	return at;
}

/* A decimal octet as inet_pton reads one; -1 if it is none. */
static int
ref_octet(const char *s, size_t n)
{
	if (n == 0 || n > 3 || strspn(s, "0123456789") < n ||
	    (n > 1 && s[0] == '0') || atoi(s) > 255)
		return -1;
	return atoi(s);
}

/*
 * A pattern read from scratch, with inet_pton and cidr_parse rather
 * than rules.c's own code: 0, or -1 for one the reference refuses.
 */
static int
ref_pattern(const char *s, size_t n, struct ref *r)
{
	static const uint8_t	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0, 0xff, 0xff };
	struct cidr		 c;
	const char		*errstr, *dash;
	char			 buf[64];
	size_t			 dots, i;
	int			 v;

	memset(r, 0, sizeof(*r));
	if (n == 0) {
		r->kind = REF_EMPTY;
		return 0;
	}
	if (s[0] == '=') {
		r->name = s + 1;
		r->len = (unsigned int)(n - 1);
		r->kind = n > 1 && s[1] == '.' ? REF_DOMAIN : REF_NAME;
		return r->len > (r->kind == REF_DOMAIN) ? 0 : -1;
	}
	if (n >= sizeof(buf) - 8)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (strpbrk(buf, "/:") == NULL && (dash = strchr(buf, '-')) != NULL) {
		r->kind = REF_EXACT;
		r->family = AF_INET;
		buf[dash - buf] = '\0';
		if (inet_pton(AF_INET, buf, r->addr) != 1 ||
		    (v = ref_octet(dash + 1, strlen(dash + 1))) == -1 ||
		    v < r->addr[3])
			return -1;
		r->first = r->addr[3];
		r->last = (unsigned int)v;
		return 0;
	}
	if (strpbrk(buf, "/:") == NULL && buf[n - 1] == '.') {
		for (dots = 0, i = 0; i < n; i++)
			dots += buf[i] == '.';
		if (dots > 3)
			return -1;
		strlcat(buf, "0", sizeof(buf));
		for (i = dots; i < 3; i++)
			strlcat(buf, ".0", sizeof(buf));
		r->kind = REF_PREFIX;
		r->family = AF_INET;
		r->len = 8 * (unsigned int)dots;
		return inet_pton(AF_INET, buf, r->addr) == 1 ? 0 : -1;
	}
	if (cidr_parse(buf, &c, &errstr) == -1)
		return -1;
	r->family = c.family;
	r->len = c.prefix;
	memcpy(r->addr, c.addr, 16);
	if (c.family == AF_INET6 && c.prefix >= 96 &&
	    memcmp(c.addr, mapped, 12) == 0) {
		r->family = AF_INET;
		r->len = c.prefix - 96;
		memset(r->addr, 0, 16);
		memcpy(r->addr, c.addr + 12, 4);
	}
	r->kind = r->len == (r->family == AF_INET ? 32 : 128) ? REF_EXACT :
	    REF_PREFIX;
	r->first = r->last = r->addr[3];
	return 0;
}

/* Whether the pattern holds a client of family with address a and name. */
static int
ref_matches(const struct ref *r, int family, const uint8_t *a,
    const char *name)
{
	size_t		 len, i;
	unsigned int	 b;

	switch (r->kind) {
	case REF_EMPTY:
		return 1;
	case REF_NAME:
	case REF_DOMAIN:
		if (name == NULL || (len = strlen(name)) < r->len ||
		    (r->kind == REF_NAME && len != r->len))
			return 0;
		for (i = 0; i < r->len; i++)
			if (tolower((unsigned char)name[len - r->len + i]) !=
			    tolower((unsigned char)r->name[i]))
				return 0;
		return 1;
	case REF_EXACT:
		if (family != r->family)
			return 0;
		if (family == AF_INET)
			return memcmp(a, r->addr, 3) == 0 &&
			    a[3] >= r->first && a[3] <= r->last;
		return memcmp(a, r->addr, 16) == 0;
	case REF_PREFIX:
		if (family != r->family)
			return 0;
		for (b = 0; b < r->len; b++)
			if (((a[b / 8] ^ r->addr[b / 8]) >> (7 - b % 8)) & 1)
				return 0;
		return 1;
	}
	abort();
}

/* Whether x is more specific than y, or as specific and written first. */
static int
ref_better(const struct ref *x, const struct ref *y)
{
	if (y == NULL || x->kind != y->kind)
		return y == NULL || x->kind > y->kind;
	if (x->kind != REF_NAME && x->kind != REF_EXACT && x->len != y->len)
		return x->len > y->len;
	return x->order < y->order;
}

/* The order of the rule that must decide; 0 for none. */
static uint64_t
ref_decide(const struct world *w, const struct sockaddr *sa,
    const char *name)
{
	const struct sockaddr_in6	*sin6;
	const struct ref		*best = NULL;
	uint8_t				 a[16];
	size_t				 i;
	int				 family = sa->sa_family;

	memset(a, 0, sizeof(a));
	if (family == AF_INET)
		memcpy(a, &((const struct sockaddr_in *)(const void *)sa)->
		    sin_addr, 4);
	else if (family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			family = AF_INET;
			memcpy(a, sin6->sin6_addr.s6_addr + 12, 4);
		} else
			memcpy(a, sin6->sin6_addr.s6_addr, 16);
	}
	if (name != NULL && *name == '\0')
		name = NULL;
	for (i = 0; i < w->nref; i++)
		if (ref_matches(&w->ref[i], family, a, name) &&
		    ref_better(&w->ref[i], best))
			best = &w->ref[i];
	return best != NULL ? best->order : 0;
}

/* Neither blank nor a comment: what the parser makes a rule of. */
static int
is_rule_line(const char *s, size_t n)
{
	size_t	i;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	for (i = 0; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		;
	return i < n && s[0] != '#';
}

static void
add_addr(struct probes *p, const char *s)
{
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;

	if (p->naddr == MAXADDRS)
		return;
	memset(&p->addr[p->naddr], 0, sizeof(p->addr[0]));
	sin = (struct sockaddr_in *)&p->addr[p->naddr];
	sin6 = (struct sockaddr_in6 *)&p->addr[p->naddr];
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1)
		sin6->sin6_family = AF_INET6;
	else
		return;
	p->naddr++;
}

static void
add_name(struct probes *p, const char *s, size_t n)
{
	if (p->nname == MAXNAMES || n > MAXNAMELEN || memchr(s, '\0', n))
		return;
	memcpy(p->name[p->nname], s, n);
	p->name[p->nname++][n] = '\0';
}

/*
 * Runs of address characters as addresses (an octet prefix completed
 * with 9s, a range's first address and its end as a last octet), and
 * what follows '=' at a line's start as a name (a domain with a label
 * before it).
 */
static void
find_probes(struct probes *p, const char *s, size_t n)
{
	static const char	*fixed[] = { "127.0.0.1", "10.1.2.3",
				    "192.0.2.255", "0.0.0.0", "::1",
				    "2001:db8::1", "::ffff:10.1.2.3" };
	const char		*e;
	char			 buf[64], *dot;
	size_t			 i, j, k, len, dots;
	int			 last;

	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		add_addr(p, fixed[i]);
	add_name(p, "Host.Example.COM", 16);
	for (i = 0; i < n; i = j + 1) {
		for (j = i; j < n && strchr("0123456789abcdefABCDEF.:",
		    s[j]) != NULL && s[j] != '\0'; j++)
			;
		len = j - i;
		if (len == 0 || len > 45)
			continue;
		memcpy(buf, s + i, len);
		buf[len] = '\0';
		if (buf[len - 1] == '.') {
			for (dots = 0, e = buf; (e = strchr(e, '.')) != NULL;
			    e++)
				dots++;
			strlcat(buf, "9", sizeof(buf));
			for (; dots < 3; dots++)
				strlcat(buf, ".9", sizeof(buf));
		}
		add_addr(p, buf);
		if (j < n && s[j] == '-' && (dot = strrchr(buf, '.')) != NULL) {
			for (k = j + 1, last = 0; k < n && k < j + 4 &&
			    s[k] >= '0' && s[k] <= '9'; k++)
				last = last * 10 + s[k] - '0';
			snprintf(dot + 1, sizeof(buf) - (size_t)(dot + 1 - buf),
			    "%d", last);
			add_addr(p, buf);
		}
	}
	for (i = 0; i < n; i = j + 1) {
		if ((e = memchr(s + i, '\n', n - i)) == NULL)
			e = s + n;
		j = (size_t)(e - s);
		if (s[i] != '=' || (e = memchr(s + i, ':', j - i)) == NULL)
			continue;
		len = (size_t)(e - s) - i - 1;
		if (len > 0 && s[i + 1] == '.' && len < sizeof(buf) - 1) {
			buf[0] = 'x';
			memcpy(buf + 1, s + i + 1, len);
			add_name(p, buf, len + 1);
		} else
			add_name(p, s + i + 1, len);
	}
}

/* A rule of the parser's, from a text of the given number of lines. */
static void
check_rule(const struct rule *r, int lines)
{
	size_t	i, j, n;

	if (r == NULL)
		return;
	CHECK(r->action == RULE_ALLOW || r->action == RULE_DENY);
	CHECK(r->file != NULL && strcmp(r->file, NAME) == 0);
	CHECK(r->line >= 1 && r->line <= lines);
	CHECK(r->order == BASE + (uint64_t)r->line);
	CHECK(r->refuse_message == NULL && r->banner == NULL);
	CHECK(!r->has_max_per_source);
	CHECK((r->env == NULL) == (r->nenv == 0));
	for (i = 0; i < r->nenv; i++) {
		CHECK(r->env[i] != NULL);
		n = strcspn(r->env[i], "=");
		CHECK(n > 0 && r->env[i][n] == '=');
		/* Quadratic, so for short lists only. */
		for (j = 0; r->nenv <= 64 && j < i; j++)
			CHECK(strncmp(r->env[j], r->env[i], n + 1) != 0);
	}
}

/* The same decision, from two rulesets: the same line's rule. */
static int
same_rule(const struct rule *a, const struct rule *b)
{
	size_t	i;

	if (a == NULL || b == NULL)
		return a == b;
	if (a->order != b->order || a->action != b->action ||
	    a->nenv != b->nenv)
		return 0;
	for (i = 0; i < a->nenv; i++)
		if (strcmp(a->env[i], b->env[i]) != 0)
			return 0;
	return 1;
}

static void
upper(char *dst, const char *src)
{
	for (; *src != '\0'; src++, dst++)
		*dst = *src >= 'a' && *src <= 'z' ? *src - 'a' + 'A' : *src;
	*dst = '\0';
}

/*
 * w->rs from the whole text, w->each from its lines backwards, and the
 * reference: the same decisions.
 */
static void
check_client(const struct world *w, const struct sockaddr *sa,
    const struct probes *p)
{
	const struct sockaddr_in	*sin;
	struct sockaddr_in6		 mapped;
	const struct rule		*r, *rn, *ru;
	char				 up[MAXNAMELEN + 2];
	size_t				 i;
	int				 need = -1;

	r = ruleset_match(w->rs, sa, &need);
	check_rule(r, w->lines);
	CHECK(need == 0 || need == 1);
	CHECK(!need || ruleset_names(w->rs) > 0);
	CHECK(ruleset_match_name(w->rs, sa, NULL) == r);
	CHECK(ruleset_match_name(w->rs, sa, "") == r);
	CHECK(same_rule(ruleset_match(w->each, sa, NULL), r));
	CHECK((r != NULL ? r->order : 0) == ref_decide(w, sa, NULL));
	for (i = 0; i < p->nname; i++) {
		rn = ruleset_match_name(w->rs, sa, p->name[i]);
		check_rule(rn, w->lines);
		CHECK(need || rn == r);
		CHECK(r == NULL || rn != NULL);
		CHECK(same_rule(ruleset_match_name(w->each, sa, p->name[i]),
		    rn));
		CHECK((rn != NULL ? rn->order : 0) ==
		    ref_decide(w, sa, p->name[i]));
		upper(up, p->name[i]);
		ru = ruleset_match_name(w->rs, sa, up);
		CHECK(ru == rn);
	}

	if (sa->sa_family != AF_INET)
		return;
	sin = (const struct sockaddr_in *)(const void *)sa;
	memset(&mapped, 0, sizeof(mapped));
	mapped.sin6_family = AF_INET6;
	mapped.sin6_addr.s6_addr[10] = mapped.sin6_addr.s6_addr[11] = 0xff;
	memcpy(mapped.sin6_addr.s6_addr + 12, &sin->sin_addr, 4);
	CHECK(ruleset_match(w->rs, (const struct sockaddr *)&mapped, NULL) ==
	    r);
	for (i = 0; i < p->nname; i++)
		CHECK(ruleset_match_name(w->rs,
		    (const struct sockaddr *)&mapped, p->name[i]) ==
		    ruleset_match_name(w->rs, sa, p->name[i]));
}

/* "fuzz:LINE: reason", LINE one of the text's. */
static void
check_error(const char *err, int lines)
{
	char	*end;
	long	 line;

	CHECK(strncmp(err, NAME ":", sizeof(NAME)) == 0);
	line = strtol(err + sizeof(NAME), &end, 10);
	CHECK(line >= 1 && line <= lines);
	CHECK(strncmp(end, ": ", 2) == 0 && end[2] != '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ruleset		*rs, *each;
	struct world		 w;
	struct probes		 p;
	struct ref		*ref, bad;
	struct sockaddr_un	 sun;
	char			 err[ERRLEN + CANARY], one[ERRLEN], tiny[16];
	char			*text;
	const char		*reason = NULL, *s, *nl;
	size_t			*start, i, n, cut, at, nrules = 0;
	int			 rv, lines = 0, line, errline = 0;

	/* A copy of exactly size bytes, so that reads past it are seen. */
	if ((text = malloc(size > 0 ? size : 1)) == NULL ||
	    (start = malloc((size + 1) * sizeof(*start))) == NULL ||
	    (ref = malloc((size + 1) * sizeof(*ref))) == NULL)
		abort();
	memcpy(text, data, size);

	/* Where each line starts, as the parser counts them. */
	for (i = 0; i < size; i = (size_t)(nl - text) + 1) {
		start[lines++] = i;
		if ((nl = memchr(text + i, '\n', size - i)) == NULL)
			nl = text + size;
	}

	CHECK((rs = ruleset_new()) != NULL);
	memset(err, 0x5a, sizeof(err));
	rv = rules_parse(rs, text, size, NAME, BASE, err, ERRLEN);
	CHECK(rv == 0 || rv == -1);
	for (i = ERRLEN; i < sizeof(err); i++)
		CHECK(err[i] == 0x5a);
	CHECK(memchr(err, '\0', ERRLEN) != NULL);
	if (rv == 0)
		CHECK(err[0] == '\0');
	else {
		check_error(err, lines);
		errline = (int)strtol(err + sizeof(NAME), NULL, 10);
		reason = strchr(err + sizeof(NAME), ' ') + 1;
	}

	/*
	 * Each line alone, from the last: those before the error give the
	 * same rules, the error's line the same error, as its line 1.
	 */
	CHECK((each = ruleset_new()) != NULL);
	for (line = lines; line >= 1; line--) {
		if (errline != 0 && line > errline)
			continue;
		s = text + start[line - 1];
		n = size - start[line - 1];
		if ((nl = memchr(s, '\n', n)) != NULL)
			n = (size_t)(nl - s);
		memset(one, 0, sizeof(one));
		rv = rules_parse(each, s, n, NAME, BASE + (uint64_t)line - 1,
		    one, sizeof(one));
		/* Without its CR, as the parser reads it. */
		cut = n > 0 && s[n - 1] == '\r' ? n - 1 : n;
		at = split(s, cut);
		if (line != errline) {
			CHECK(rv == 0);
			if (!is_rule_line(s, n))
				continue;
			CHECK(at < cut &&
			    ref_pattern(s, at, &ref[nrules]) == 0);
			ref[nrules++].order = BASE + (uint64_t)line;
			continue;
		}
		CHECK(rv == -1);
		/* A pattern refused is one the reference refuses too. */
		if (strcmp(reason, "bad address") == 0 ||
		    strcmp(reason, "bad range") == 0 ||
		    strcmp(reason, "bad prefix length") == 0 ||
		    strcmp(reason, "empty name") == 0 ||
		    strcmp(reason, "empty domain") == 0 ||
		    strcmp(reason, "range ends before it starts") == 0 ||
		    strcmp(reason, "missing prefix length") == 0 ||
		    strcmp(reason, "missing address") == 0)
			CHECK(at < cut && ref_pattern(s, at, &bad) == -1);
		CHECK(strncmp(one, NAME ":1: ", sizeof(NAME) + 3) == 0);
		CHECK(strcmp(one + sizeof(NAME) + 3, reason) == 0);
		/* Cut short, safely. */
		memset(tiny, 0x5a, sizeof(tiny));
		CHECK(rules_parse(each, s, n, NAME, 0, tiny, 7) == -1);
		CHECK(strlen(tiny) == 6 && tiny[7] == 0x5a);
	}
	CHECK(ruleset_count(rs) == nrules);
	CHECK(ruleset_count(each) == nrules);
	CHECK(ruleset_names(each) == ruleset_names(rs));
	CHECK(ruleset_names(rs) <= ruleset_count(rs));

	memset(&p, 0, sizeof(p));
	find_probes(&p, text, size);
	w.rs = rs;
	w.each = each;
	w.ref = ref;
	w.nref = nrules;
	w.lines = lines;
	for (i = 0; i < p.naddr; i++)
		check_client(&w, (const struct sockaddr *)&p.addr[i], &p);
	/* Neither IPv4 nor IPv6: the empty rule or none, names or not. */
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	CHECK(ruleset_match(rs, (const struct sockaddr *)&sun, NULL) ==
	    ruleset_match_name(rs, (const struct sockaddr *)&sun, NULL));

	ruleset_free(each);
	ruleset_free(rs);
	free(ref);
	free(start);
	free(text);
	return 0;
}
