/* SPDX-License-Identifier: ISC */
/*
 * Every table is open addressing with linear probing, at most half
 * full, and rules are never taken out, so a lookup stops at the first
 * empty slot.  Addresses have one table per family and prefix length
 * (the longest length holds the exact addresses), and each family a
 * list of the shorter lengths in use, longest first: a lookup costs at
 * most one probe sequence per length in use, whatever the number of
 * rules.  Names and domains have a table each, keyed in lower case.
 *
 * A slot points at its rule; when two rules have the same pattern, the
 * slot keeps the lower order, so that the first written wins whatever
 * the order they were added in.  Rules, their strings and the names
 * they are keyed by live in an arena of chunks that is freed whole.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "cidr.h"
#include "pages.h"
#include "rules.h"

#define FAM_V4		0
#define FAM_V6		1
#define MAXBITS		128

#define TABLE_MIN	8		/* slots of a table's first array */
#define NAME_HASH0	0xcbf29ce484222325ULL	/* FNV-1a's offset basis */

/*
 * Arena chunks, their headers included: the first from pages.h's pool,
 * the next ones mappings, doubling up to ARENA_MAX.
 */
#define ARENA_FIRST	2032
#define ARENA_SECOND	4096
#define ARENA_MAX	(64 * 1024)
#define ARENA_ALIGN	8

struct slot {
	uint8_t			 key[16];	/* host bits zero */
	const struct rule	*rule;		/* NULL: empty */
};

struct table {
	struct slot	*slot;		/* NULL until the first rule */
	size_t		 mask;		/* slots less one */
	size_t		 n;
};

struct nslot {
	const char		*key;		/* lower case */
	size_t			 len;
	uint64_t		 hash;
	const struct rule	*rule;		/* NULL: empty */
};

struct ntable {
	struct nslot	*slot;
	size_t		 mask;
	size_t		 n;
};

struct family {
	struct table	 len[MAXBITS + 1];	/* [bits]: exact addresses */
	uint8_t		 used[MAXBITS];		/* the shorter lengths */
	size_t		 nused;			/* ...in use, longest first */
	unsigned int	 bits;			/* 32 or 128 */
};

struct chunk {
	struct chunk	*next;
	size_t		 size;		/* this header included */
};

struct ruleset {
	struct family		 fam[2];
	struct ntable		 names;		/* "host.example" */
	struct ntable		 domains;	/* ".example" */
	const struct rule	*everyone;
	size_t			 count;
	size_t			 nnames;
	struct chunk		*chunks;
	char			*cur;		/* the arena's free space */
	size_t			 left;
	size_t			 next;		/* size of the next chunk */
};

enum pattern_kind {
	PAT_EMPTY,
	PAT_ADDR,
	PAT_RANGE,
	PAT_NAME,
	PAT_DOMAIN,
	PAT_ID		/* uid:N, gid:N: kept with the names */
};

struct pattern {
	enum pattern_kind	 kind;
	int			 fam;		/* PAT_ADDR, PAT_RANGE */
	unsigned int		 len;		/* prefix length */
	uint8_t			 addr[16];
	unsigned int		 first, last;	/* PAT_RANGE: last octet */
	const char		*name;		/* PAT_NAME: after '=' */
	size_t			 namelen;
};

/* An env entry being copied, for finding entries of the same name. */
struct envent {
	const char	*s;
	size_t		 namelen;
	size_t		 idx;		/* where it was given */
	size_t		 first;		/* where its name first was */
};

/* Scratch space of rules_parse for one line's address and env. */
struct scratch {
	char		*buf;
	size_t		 bufsize;
	char		**vec;
	size_t		 vecsize;
};

static void	*arena_alloc(struct ruleset *, size_t);
static char	*arena_strdup(struct ruleset *, const char *, size_t);
static uint64_t	 mix(uint64_t);
static uint64_t	 addr_hash(const uint8_t *);
static uint64_t	 name_step(uint64_t, unsigned char);
static unsigned char lower(unsigned char);
static struct slot *table_find(const struct table *, const uint8_t *);
static int	 table_reserve(struct table *, size_t);
static void	 table_put(struct table *, const uint8_t *,
		    const struct rule *);
static struct nslot *ntable_find(const struct ntable *, const char *,
		    size_t, uint64_t);
static int	 ntable_reserve(struct ntable *);
static void	 keep_first(const struct rule **, const struct rule *);
static void	 mask_bits(uint8_t *, unsigned int, unsigned int);
static int	 octet(const char **, unsigned int *);
static int	 pattern_range(const char *, struct pattern *, const char **);
static int	 pattern_octets(const char *, struct pattern *,
		    const char **);
static int	 pattern_cidr(const char *, struct pattern *, const char **);
static int	 pattern_parse(const char *, struct pattern *, const char **);
static int	 envent_byname(const void *, const void *);
static int	 envent_byfirst(const void *, const void *);
static int	 env_copy(struct ruleset *, struct rule *, char *const *,
		    size_t, const char **);
static struct rule *rule_copy(struct ruleset *, const struct rule *,
		    const char **);
static int	 add_addr(struct ruleset *, const struct pattern *,
		    const struct rule *);
static int	 add_name(struct ruleset *, const struct pattern *,
		    const struct rule *);
static int	 client_key(const struct sockaddr *, uint8_t *);
static const struct rule *match_exact(const struct ruleset *, int,
		    const uint8_t *);
static const struct rule *match_prefix(const struct ruleset *, int,
		    const uint8_t *);
static const struct rule *match_name(const struct ruleset *, const char *);
static const struct rule *match_cred(const struct ruleset *,
		    const struct sockaddr *, int *);
static int	 is_blank(char);
static int	 is_addrchar(char);
static size_t	 line_colon(const char *, size_t);
static int	 scratch_reserve(struct scratch *, size_t);
static void	 scratch_free(struct scratch *);
static int	 parse_env(const char *, size_t, size_t *, char **,
		    const char **);
static int	 parse_line(struct ruleset *, struct scratch *, const char *,
		    size_t, struct rule *, const char **);

/*
 * len bytes of the arena, aligned for a struct rule or a pointer.  A
 * request bigger than a quarter of the next chunk gets a chunk of its
 * own, leaving the current one to smaller requests.
 */
static void *
arena_alloc(struct ruleset *rs, size_t len)
{
	struct chunk	*c;
	size_t		 size;
	char		*p;

	if (len > SIZE_MAX - ARENA_MAX - sizeof(*c)) {
		errno = ENOMEM;
		return NULL;
	}
	len = (len + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (len > rs->left) {
		size = rs->next;
		if (len > (size - sizeof(*c)) / 4)
			size = sizeof(*c) + len;
		if ((c = pages_alloc(1, size)) == NULL)
			return NULL;
		c->next = rs->chunks;
		c->size = size;
		rs->chunks = c;
		if (size != rs->next)
			return c + 1;
		rs->cur = (char *)(c + 1);
		rs->left = size - sizeof(*c);
		if (rs->next < ARENA_SECOND)
			rs->next = ARENA_SECOND;
		else if (rs->next < ARENA_MAX)
			rs->next *= 2;
	}
	p = rs->cur;
	rs->cur += len;
	rs->left -= len;
	return p;
}

/* A NUL-terminated copy of len bytes of s. */
static char *
arena_strdup(struct ruleset *rs, const char *s, size_t len)
{
	char	*p;

	if ((p = arena_alloc(rs, len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/*
 * splitmix64's finaliser.  The keys are the administrator's, and a
 * client only looks one up, so no secret seed is needed.
 */
static uint64_t
mix(uint64_t h)
{
	h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
	h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
	return h ^ (h >> 31);
}

static uint64_t
addr_hash(const uint8_t *key)
{
	uint64_t	a, b;

	memcpy(&a, key, 8);
	memcpy(&b, key + 8, 8);
	return mix(mix(a + 0x9e3779b97f4a7c15ULL) ^ b);
}

/*
 * FNV-1a on the lower-case bytes, fed from the last byte to the first:
 * going over a client's name once from its end gives the hash of every
 * suffix that starts at a dot on the way, each a domain to look up.
 */
static uint64_t
name_step(uint64_t h, unsigned char c)
{
	return (h ^ lower(c)) * 0x100000001b3ULL;
}

/* ASCII only: names are compared the same whatever the locale. */
static unsigned char
lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* The key's slot, or the empty slot where it would go. */
static struct slot *
table_find(const struct table *t, const uint8_t *key)
{
	size_t	i = (size_t)addr_hash(key) & t->mask;

	while (t->slot[i].rule != NULL && memcmp(t->slot[i].key, key, 16) != 0)
		i = (i + 1) & t->mask;
	return &t->slot[i];
}

/*
 * Room for more keys, so that adding them cannot fail half-way: a rule
 * is in the tables for all of its addresses or for none.
 */
static int
table_reserve(struct table *t, size_t more)
{
	struct slot	*old = t->slot, *s;
	size_t		 oldn = old != NULL ? t->mask + 1 : 0, n, i;

	if (more > SIZE_MAX / 4 - t->n) {
		errno = ENOMEM;
		return -1;
	}
	if (t->n + more <= oldn / 2)
		return 0;
	for (n = oldn > 0 ? oldn : TABLE_MIN; n / 2 < t->n + more; n *= 2)
		;
	if ((t->slot = pages_alloc(n, sizeof(*t->slot))) == NULL) {
		t->slot = old;
		return -1;
	}
	t->mask = n - 1;
	for (i = 0; i < oldn; i++)
		if (old[i].rule != NULL) {
			s = table_find(t, old[i].key);
			*s = old[i];
		}
	pages_free(old, oldn, sizeof(*old));
	return 0;
}

/* After table_reserve: cannot fail. */
static void
table_put(struct table *t, const uint8_t *key, const struct rule *r)
{
	struct slot	*s = table_find(t, key);

	if (s->rule == NULL) {
		memcpy(s->key, key, 16);
		s->rule = r;
		t->n++;
	} else
		keep_first(&s->rule, r);
}

static struct nslot *
ntable_find(const struct ntable *t, const char *name, size_t len,
    uint64_t hash)
{
	struct nslot	*s;
	size_t		 i = (size_t)hash & t->mask, j;

	for (;; i = (i + 1) & t->mask) {
		s = &t->slot[i];
		if (s->rule == NULL)
			return s;
		if (s->hash != hash || s->len != len)
			continue;
		for (j = 0; j < len; j++)
			if (lower((unsigned char)name[j]) !=
			    (unsigned char)s->key[j])
				break;
		if (j == len)
			return s;
	}
}

/* Room for one more name. */
static int
ntable_reserve(struct ntable *t)
{
	struct nslot	*old = t->slot, *s;
	size_t		 oldn = old != NULL ? t->mask + 1 : 0, n, i;

	if (t->n + 1 <= oldn / 2)
		return 0;
	n = oldn > 0 ? oldn * 2 : TABLE_MIN;
	if (n > SIZE_MAX / 2 / sizeof(*s)) {
		errno = ENOMEM;
		return -1;
	}
	if ((t->slot = pages_alloc(n, sizeof(*t->slot))) == NULL) {
		t->slot = old;
		return -1;
	}
	t->mask = n - 1;
	for (i = 0; i < oldn; i++)
		if (old[i].rule != NULL) {
			s = ntable_find(t, old[i].key, old[i].len, old[i].hash);
			*s = old[i];
		}
	pages_free(old, oldn, sizeof(*old));
	return 0;
}

/* Of two rules for one pattern, the first written stays. */
static void
keep_first(const struct rule **slot, const struct rule *r)
{
	if (*slot == NULL || r->order < (*slot)->order)
		*slot = r;
}

/* Clears the bits of a 16-byte key from bit len on. */
static void
mask_bits(uint8_t *a, unsigned int len, unsigned int bits)
{
	unsigned int	i;

	for (i = len / 8; i < bits / 8; i++) {
		if (i == len / 8 && len % 8 != 0)
			a[i] &= (uint8_t)(0xff << (8 - len % 8));
		else
			a[i] = 0;
	}
}

/*
 * A decimal octet, 0 to 255, without a leading zero (as inet_pton has
 * it): advances *sp past it.
 */
static int
octet(const char **sp, unsigned int *v)
{
	const char	*s = *sp;
	unsigned int	 n = 0;
	int		 digits = 0;

	if (s[0] == '0' && s[1] >= '0' && s[1] <= '9')
		return -1;
	for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
		n = n * 10 + (unsigned int)(*s - '0');
	if (digits == 0 || digits > 3 || n > 255)
		return -1;
	*v = n;
	*sp = s;
	return 0;
}

/* a.b.c.d-e: each address from a.b.c.d to a.b.c.e. */
static int
pattern_range(const char *s, struct pattern *p, const char **errstr)
{
	const char	*dash = strchr(s, '-');
	unsigned int	 n, v;

	p->kind = PAT_RANGE;
	p->fam = FAM_V4;
	p->len = 32;
	for (n = 0; n < 4; n++) {
		if ((n > 0 && *s++ != '.') || octet(&s, &v) == -1)
			goto bad;
		p->addr[n] = (uint8_t)v;
	}
	if (s != dash)
		goto bad;
	s++;
	if (octet(&s, &p->last) == -1 || *s != '\0') {
		*errstr = "bad range";
		return -1;
	}
	p->first = p->addr[3];
	if (p->last < p->first) {
		*errstr = "range ends before it starts";
		return -1;
	}
	return 0;
bad:
	*errstr = "bad address";
	return -1;
}

/* 1.2.3. is 1.2.3.0/24, 1.2. a /16 and 1. a /8. */
static int
pattern_octets(const char *s, struct pattern *p, const char **errstr)
{
	unsigned int	n, v;

	p->kind = PAT_ADDR;
	p->fam = FAM_V4;
	for (n = 0; *s != '\0'; n++) {
		if (n == 3 || octet(&s, &v) == -1 || *s++ != '.') {
			*errstr = "bad address";
			return -1;
		}
		p->addr[n] = (uint8_t)v;
	}
	p->len = 8 * n;
	return 0;
}

/* A CIDR prefix or a bare address, of either family. */
static int
pattern_cidr(const char *s, struct pattern *p, const char **errstr)
{
	static const uint8_t	 v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0, 0xff, 0xff };
	struct cidr		 c;

	if (cidr_parse(s, &c, errstr) == -1)
		return -1;
	p->kind = PAT_ADDR;
	if (c.family == AF_INET) {
		p->fam = FAM_V4;
		memcpy(p->addr, c.addr, 4);
		p->len = c.prefix;
	} else if (c.prefix >= 96 && memcmp(c.addr, v4mapped, 12) == 0) {
		/*
		 * Clients of this form are matched as IPv4: so is a rule
		 * for them, or it could never match.
		 */
		p->fam = FAM_V4;
		memcpy(p->addr, c.addr + 12, 4);
		p->len = c.prefix - 96;
	} else {
		p->fam = FAM_V6;
		memcpy(p->addr, c.addr, 16);
		p->len = c.prefix;
	}
	return 0;
}

static int
pattern_parse(const char *s, struct pattern *p, const char **errstr)
{
	memset(p, 0, sizeof(*p));
	if (*s == '\0') {
		p->kind = PAT_EMPTY;
		return 0;
	}
	/*
	 * A unix-domain client's user or group, by number: a key that no
	 * host name can be (none has a colon), in the table of names.
	 */
	if (strncmp(s, "uid:", 4) == 0 || strncmp(s, "gid:", 4) == 0) {
		if (s[4] == '\0' || strspn(s + 4, "0123456789") !=
		    strlen(s + 4) || strlen(s + 4) > 10) {
			*errstr = "a uid or gid is a number";
			return -1;
		}
		p->kind = PAT_ID;
		p->name = s;
		p->namelen = strlen(s);
		return 0;
	}
	if (*s == '=') {
		p->kind = s[1] == '.' ? PAT_DOMAIN : PAT_NAME;
		p->name = s + 1;
		p->namelen = strlen(p->name);
		if (p->namelen == 0 || (p->kind == PAT_DOMAIN &&
		    p->namelen == 1)) {
			*errstr = p->kind == PAT_DOMAIN ? "empty domain" :
			    "empty name";
			return -1;
		}
		return 0;
	}
	if (strpbrk(s, "/:") == NULL) {
		if (strchr(s, '-') != NULL)
			return pattern_range(s, p, errstr);
		if (s[strlen(s) - 1] == '.')
			return pattern_octets(s, p, errstr);
	}
	return pattern_cidr(s, p, errstr);
}

static int
envent_byname(const void *a, const void *b)
{
	const struct envent	*x = a, *y = b;
	int			 c;

	c = memcmp(x->s, y->s, x->namelen < y->namelen ? x->namelen :
	    y->namelen);
	if (c != 0)
		return c;
	if (x->namelen != y->namelen)
		return x->namelen < y->namelen ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
envent_byfirst(const void *a, const void *b)
{
	const struct envent	*x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/*
 * The rule's own copy of n env entries, one per name: a later entry's
 * value replaces an earlier one's, in the place where the name first
 * was.  Sorting, not comparing each with each, so that a line of
 * thousands of entries costs no more than it must.
 */
static int
env_copy(struct ruleset *rs, struct rule *c, char *const *env, size_t n,
    const char **errstr)
{
	struct envent	*e;
	size_t		 i, j, k, first;
	int		 rv = -1;

	if (n == 0)
		return 0;
	if ((e = pages_alloc(n, sizeof(*e))) == NULL) {
		*errstr = "out of memory";
		return -1;
	}
	for (i = 0; i < n; i++) {
		if (env[i] == NULL || (e[i].namelen = strcspn(env[i], "=")) ==
		    0 || env[i][e[i].namelen] != '=') {
			*errstr = "bad environment entry";
			goto out;
		}
		e[i].s = env[i];
		e[i].idx = i;
	}
	qsort(e, n, sizeof(*e), envent_byname);
	for (i = 0, k = 0; i < n; i = j) {
		for (j = i + 1; j < n && e[j].namelen == e[i].namelen &&
		    memcmp(e[j].s, e[i].s, e[i].namelen) == 0; j++)
			;
		first = e[i].idx;
		e[k] = e[j - 1];
		e[k++].first = first;
	}
	qsort(e, k, sizeof(*e), envent_byfirst);
	if ((c->env = arena_alloc(rs, k * sizeof(*c->env))) == NULL)
		goto nomem;
	for (i = 0; i < k; i++)
		if ((c->env[i] = arena_strdup(rs, e[i].s,
		    strlen(e[i].s))) == NULL)
			goto nomem;
	c->nenv = k;
	rv = 0;
	goto out;
nomem:
	*errstr = "out of memory";
out:
	pages_free(e, n, sizeof(*e));
	return rv;
}

static struct rule *
rule_copy(struct ruleset *rs, const struct rule *r, const char **errstr)
{
	struct rule	*c;

	if (r->action != RULE_NONE && r->action != RULE_ALLOW &&
	    r->action != RULE_DENY) {
		*errstr = "bad action";
		return NULL;
	}
	if ((c = arena_alloc(rs, sizeof(*c))) == NULL)
		goto nomem;
	*c = *r;
	c->env = NULL;
	c->nenv = 0;
	if (r->refuse_message != NULL && (c->refuse_message =
	    arena_strdup(rs, r->refuse_message,
	    strlen(r->refuse_message))) == NULL)
		goto nomem;
	if (r->banner != NULL && (c->banner = arena_strdup(rs, r->banner,
	    strlen(r->banner))) == NULL)
		goto nomem;
	if (env_copy(rs, c, r->env, r->nenv, errstr) == -1)
		return NULL;
	return c;
nomem:
	*errstr = "out of memory";
	return NULL;
}

static int
add_addr(struct ruleset *rs, const struct pattern *p, const struct rule *r)
{
	struct family	*f = &rs->fam[p->fam];
	struct table	*t = &f->len[p->len];
	uint8_t		 key[16];
	unsigned int	 i;
	size_t		 j;

	if (table_reserve(t, p->kind == PAT_RANGE ?
	    p->last - p->first + 1 : 1) == -1)
		return -1;
	if (t->n == 0 && p->len < f->bits) {
		for (j = f->nused; j > 0 && f->used[j - 1] < p->len; j--)
			f->used[j] = f->used[j - 1];
		f->used[j] = (uint8_t)p->len;
		f->nused++;
	}
	memcpy(key, p->addr, 16);
	if (p->kind == PAT_ADDR) {
		table_put(t, key, r);
		return 0;
	}
	for (i = p->first; i <= p->last; i++) {
		key[3] = (uint8_t)i;
		table_put(t, key, r);
	}
	return 0;
}

static int
add_name(struct ruleset *rs, const struct pattern *p, const struct rule *r)
{
	struct ntable	*t = p->kind == PAT_DOMAIN ? &rs->domains : &rs->names;
	struct nslot	*s;
	uint64_t	 h = NAME_HASH0;
	size_t		 i;
	char		*key;

	for (i = p->namelen; i > 0; i--)
		h = name_step(h, (unsigned char)p->name[i - 1]);
	h = mix(h);
	if (ntable_reserve(t) == -1)
		return -1;
	s = ntable_find(t, p->name, p->namelen, h);
	if (s->rule != NULL) {
		keep_first(&s->rule, r);
		return 0;
	}
	if ((key = arena_strdup(rs, p->name, p->namelen)) == NULL)
		return -1;
	for (i = 0; i < p->namelen; i++)
		key[i] = (char)lower((unsigned char)key[i]);
	s->key = key;
	s->len = p->namelen;
	s->hash = h;
	s->rule = r;
	t->n++;
	return 0;
}

struct ruleset *
ruleset_new(void)
{
	struct ruleset	*rs;

	if ((rs = pages_alloc(1, sizeof(*rs))) == NULL)
		return NULL;
	rs->fam[FAM_V4].bits = 32;
	rs->fam[FAM_V6].bits = 128;
	rs->next = ARENA_FIRST;
	return rs;
}

void
ruleset_free(struct ruleset *rs)
{
	struct chunk	*c, *next;
	struct table	*t;
	int		 f;
	unsigned int	 len;

	if (rs == NULL)
		return;
	for (f = 0; f < 2; f++)
		for (len = 0; len <= MAXBITS; len++) {
			t = &rs->fam[f].len[len];
			if (t->slot != NULL)
				pages_free(t->slot, t->mask + 1,
				    sizeof(*t->slot));
		}
	if (rs->names.slot != NULL)
		pages_free(rs->names.slot, rs->names.mask + 1,
		    sizeof(*rs->names.slot));
	if (rs->domains.slot != NULL)
		pages_free(rs->domains.slot, rs->domains.mask + 1,
		    sizeof(*rs->domains.slot));
	for (c = rs->chunks; c != NULL; c = next) {
		next = c->next;
		pages_free(c, 1, c->size);
	}
	pages_free(rs, 1, sizeof(*rs));
}

size_t
ruleset_count(const struct ruleset *rs)
{
	return rs->count;
}

size_t
ruleset_names(const struct ruleset *rs)
{
	return rs->nnames;
}

int
ruleset_add(struct ruleset *rs, const char *pattern, const struct rule *r,
    const char **errstr)
{
	struct pattern	 p;
	struct rule	*c;
	const char	*why = "out of memory";
	int		 rv = 0;

	if (pattern_parse(pattern, &p, &why) == -1 ||
	    (c = rule_copy(rs, r, &why)) == NULL)
		goto fail;
	switch (p.kind) {
	case PAT_EMPTY:
		keep_first(&rs->everyone, c);
		break;
	case PAT_ADDR:
	case PAT_RANGE:
		rv = add_addr(rs, &p, c);
		break;
	case PAT_NAME:
	case PAT_DOMAIN:
	case PAT_ID:
		rv = add_name(rs, &p, c);
		break;
	}
	if (rv == -1) {
		why = "out of memory";
		goto fail;
	}
	rs->count++;
	if (p.kind == PAT_NAME || p.kind == PAT_DOMAIN)
		rs->nnames++;
	return 0;
fail:
	if (errstr != NULL)
		*errstr = why;
	return -1;
}

/* The family a client is matched in, and its key; -1 for another. */
static int
client_key(const struct sockaddr *sa, uint8_t *key)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	memset(key, 0, 16);
	if (sa == NULL)
		return -1;
	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)(const void *)sa;
		memcpy(key, &sin->sin_addr, 4);
		return FAM_V4;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			memcpy(key, sin6->sin6_addr.s6_addr + 12, 4);
			return FAM_V4;
		}
		memcpy(key, sin6->sin6_addr.s6_addr, 16);
		return FAM_V6;
	default:
		return -1;
	}
}

static const struct rule *
match_exact(const struct ruleset *rs, int fam, const uint8_t *key)
{
	const struct table	*t;

	if (fam == -1)
		return NULL;
	t = &rs->fam[fam].len[rs->fam[fam].bits];
	return t->n > 0 ? table_find(t, key)->rule : NULL;
}

/* The longest prefix that holds the client, or else the empty rule. */
static const struct rule *
match_prefix(const struct ruleset *rs, int fam, const uint8_t *key)
{
	const struct family	*f;
	const struct rule	*r;
	uint8_t			 k[16];
	size_t			 i;

	if (fam == -1)
		return rs->everyone;
	f = &rs->fam[fam];
	memcpy(k, key, 16);
	for (i = 0; i < f->nused; i++) {
		/* Longest first: each mask only clears more bits. */
		mask_bits(k, f->used[i], f->bits);
		if ((r = table_find(&f->len[f->used[i]], k)->rule) != NULL)
			return r;
	}
	return rs->everyone;
}

/*
 * The name's rule, else the longest of its domains: one pass over the
 * name from its end, every dot on the way starting a domain to look up;
 * the last one found is the longest.
 */
static const struct rule *
match_name(const struct ruleset *rs, const char *name)
{
	const struct nslot	*s;
	const struct rule	*dom = NULL;
	uint64_t		 h = NAME_HASH0;
	size_t			 len = strlen(name), i;

	for (i = len; i > 0; i--) {
		h = name_step(h, (unsigned char)name[i - 1]);
		if (name[i - 1] != '.' || rs->domains.n == 0)
			continue;
		s = ntable_find(&rs->domains, name + i - 1, len - i + 1,
		    mix(h));
		if (s->rule != NULL)
			dom = s->rule;
	}
	if (rs->names.n > 0 &&
	    (s = ntable_find(&rs->names, name, len, mix(h)))->rule != NULL)
		return s->rule;
	return dom;
}

/*
 * A unix-domain client with credentials: its uid's rule, its gid's, or
 * the empty pattern's.  NULL otherwise, with *found 0.
 */
static const struct rule *
match_cred(const struct ruleset *rs, const struct sockaddr *sa, int *found)
{
	const struct rule	*r;
	unsigned int		 uid, gid;
	char			 key[16];

	*found = addr_cred(sa, &uid, &gid) == 0;
	if (!*found)
		return NULL;
	if (rs->names.n > 0) {
		snprintf(key, sizeof(key), "uid:%u", uid);
		if ((r = match_name(rs, key)) != NULL)
			return r;
		snprintf(key, sizeof(key), "gid:%u", gid);
		if ((r = match_name(rs, key)) != NULL)
			return r;
	}
	return rs->everyone;
}

const struct rule *
ruleset_match(const struct ruleset *rs, const struct sockaddr *sa,
    int *need_name)
{
	const struct rule	*r;
	uint8_t			 key[16];
	int			 fam, cred;

	if ((r = match_cred(rs, sa, &cred)) != NULL || cred) {
		if (need_name != NULL)
			*need_name = 0;
		return r;
	}
	fam = client_key(sa, key);
	if ((r = match_exact(rs, fam, key)) != NULL) {
		if (need_name != NULL)
			*need_name = 0;
		return r;
	}
	if (need_name != NULL)
		*need_name = rs->nnames > 0;
	return match_prefix(rs, fam, key);
}

const struct rule *
ruleset_match_name(const struct ruleset *rs, const struct sockaddr *sa,
    const char *name)
{
	const struct rule	*r;
	uint8_t			 key[16];
	int			 fam, cred;

	if ((r = match_cred(rs, sa, &cred)) != NULL || cred)
		return r;
	fam = client_key(sa, key);
	if ((r = match_exact(rs, fam, key)) != NULL)
		return r;
	if (name != NULL && *name != '\0' && rs->nnames > 0 &&
	    (r = match_name(rs, name)) != NULL)
		return r;
	return match_prefix(rs, fam, key);
}

static int
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* What IPv4 and IPv6 addresses, prefixes and ranges are written with. */
static int
is_addrchar(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F') || c == '.' || c == ':' || c == '/' ||
	    c == '-';
}

/*
 * Where the address ends.  IPv6 addresses hold colons too, but neither
 * "allow" nor "deny" is made of hex digits only: the address ends at
 * the last colon before the first character that no address has.  A
 * name has no colon, and ends at the first.  n when there is none.
 */
static size_t
line_colon(const char *s, size_t n)
{
	const char	*c;
	size_t		 i, last = n;

	if (n > 0 && s[0] != '=')
		for (i = 0; i < n && is_addrchar(s[i]); i++)
			if (s[i] == ':')
				last = i;
	if (last == n && (c = memchr(s, ':', n)) != NULL)
		last = (size_t)(c - s);
	return last;
}

/*
 * Room for a line of n bytes: its address and each "NAME=VALUE" with
 * its NUL take no more bytes than the line and two, and an entry takes
 * at least four bytes of the line (",N=''").
 */
static int
scratch_reserve(struct scratch *sc, size_t n)
{
	char	 *buf, **vec;
	size_t	  bufsize = n + 2, vecsize = n / 4 + 1;

	if (n > SIZE_MAX - 2) {
		errno = ENOMEM;
		return -1;
	}
	if (bufsize > sc->bufsize) {
		if ((buf = pages_alloc(bufsize, 1)) == NULL)
			return -1;
		pages_free(sc->buf, sc->bufsize, 1);
		sc->buf = buf;
		sc->bufsize = bufsize;
	}
	if (vecsize > sc->vecsize) {
		if ((vec = pages_alloc(vecsize, sizeof(*vec))) == NULL)
			return -1;
		pages_free(sc->vec, sc->vecsize, sizeof(*vec));
		sc->vec = vec;
		sc->vecsize = vecsize;
	}
	return 0;
}

static void
scratch_free(struct scratch *sc)
{
	pages_free(sc->buf, sc->bufsize, 1);
	pages_free(sc->vec, sc->vecsize, sizeof(*sc->vec));
}

/*
 * One ",NAME=qVALUEq" at s[*p], where q is any character and VALUE runs
 * to the next q: "NAME=VALUE" and its NUL written at *out, both moved
 * past what they took.
 */
static int
parse_env(const char *s, size_t n, size_t *p, char **out, const char **why)
{
	const char	*q;
	size_t		 name = *p + 1, i, nlen, vlen;

	for (i = name; i < n && s[i] != '=' && s[i] != ','; i++)
		if (is_blank(s[i])) {
			*why = "blank in a variable's name";
			return -1;
		}
	if (i == n || s[i] != '=') {
		*why = "missing '=' after a variable's name";
		return -1;
	}
	if ((nlen = i - name) == 0) {
		*why = "empty variable name";
		return -1;
	}
	if (++i == n) {
		*why = "missing value after '='";
		return -1;
	}
	if ((q = memchr(s + i + 1, s[i], n - i - 1)) == NULL) {
		*why = "unterminated value";
		return -1;
	}
	vlen = (size_t)(q - (s + i + 1));
	memcpy(*out, s + name, nlen + 1);
	memcpy(*out + nlen + 1, s + i + 1, vlen);
	(*out)[nlen + 1 + vlen] = '\0';
	*out += nlen + vlen + 2;
	*p = (size_t)(q - s) + 1;
	return 0;
}

/*
 * One line, its newline and CR taken off, neither blank nor a comment:
 * ADDRESS:ACTION[,NAME=qVALUEq]...  Spaces and tabs may end the line.
 */
static int
parse_line(struct ruleset *rs, struct scratch *sc, const char *s, size_t n,
    struct rule *r, const char **why)
{
	char	*out;
	size_t	 colon, p, i;

	if (memchr(s, '\0', n) != NULL) {
		*why = "NUL byte";
		return -1;
	}
	if ((colon = line_colon(s, n)) == n) {
		*why = "missing ':' after the address";
		return -1;
	}
	if (scratch_reserve(sc, n) == -1) {
		*why = "out of memory";
		return -1;
	}
	memcpy(sc->buf, s, colon);
	sc->buf[colon] = '\0';
	out = sc->buf + colon + 1;

	for (p = colon + 1; p < n && s[p] != ',' && !is_blank(s[p]); p++)
		;
	if (p - colon - 1 == 5 && memcmp(s + colon + 1, "allow", 5) == 0)
		r->action = RULE_ALLOW;
	else if (p - colon - 1 == 4 && memcmp(s + colon + 1, "deny", 4) == 0)
		r->action = RULE_DENY;
	else {
		*why = "allow or deny expected after ':'";
		return -1;
	}

	r->nenv = 0;
	for (;;) {
		for (i = p; i < n && is_blank(s[i]); i++)
			;
		if (i == n)
			break;
		if (s[p] != ',') {
			*why = "',' or the end of the line expected";
			return -1;
		}
		sc->vec[r->nenv] = out;
		if (parse_env(s, n, &p, &out, why) == -1)
			return -1;
		r->nenv++;
	}
	r->env = r->nenv > 0 ? sc->vec : NULL;
	return ruleset_add(rs, sc->buf, r, why);
}

int
rules_parse(struct ruleset *rs, const char *text, size_t len,
    const char *path, uint64_t order_base, char *err, size_t errlen)
{
	struct scratch	 sc;
	struct rule	 r;
	const char	*s, *nl, *why = NULL;
	size_t		 off, next, n, i;
	int		 line = 0, rv = 0;

	memset(&sc, 0, sizeof(sc));
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	for (off = 0; off < len; off = next) {
		s = text + off;
		if ((nl = memchr(s, '\n', len - off)) != NULL) {
			n = (size_t)(nl - s);
			next = off + n + 1;
		} else {
			n = len - off;
			next = len;
		}
		if (line == INT_MAX) {
			why = "too many lines";
			break;
		}
		line++;
		if (n > 0 && s[n - 1] == '\r')
			n--;
		for (i = 0; i < n && is_blank(s[i]); i++)
			;
		if (i == n || s[0] == '#')
			continue;
		memset(&r, 0, sizeof(r));
		r.file = path;
		r.line = line;
		r.order = order_base + (uint64_t)line;
		if (parse_line(rs, &sc, s, n, &r, &why) == -1)
			break;
	}
	if (why != NULL) {
		if (err != NULL && errlen > 0)
			(void)snprintf(err, errlen, "%s:%d: %s",
			    path != NULL ? path : "-", line, why);
		rv = -1;
	}
	scratch_free(&sc);
	return rv;
}
