/* SPDX-License-Identifier: ISC */
/*
 * Open addressing with linear probing, at most half full, and deletion by
 * shifting the following entries back, so there are no tombstones and a
 * lookup stops at the first empty slot.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "pages.h"
#include "srctab.h"

struct entry {
	uint8_t		addr[16];	/* IPv6, or IPv4-mapped */
	unsigned int	count;		/* 0: empty slot */
};

struct srctab {
	struct entry	*slot;
	size_t		 mask;		/* slots - 1, a power of two less one */
	size_t		 size;
	size_t		 max;
	uint64_t	 seed;
	unsigned int	 v4len;		/* bits of an address that count */
	unsigned int	 v6len;
};

static int	key(const struct srctab *, const struct sockaddr *,
		    uint8_t [16]);
static void	cut(uint8_t *, size_t, unsigned int);
static size_t	hash(const struct srctab *, const uint8_t [16]);
static struct entry *lookup(const struct srctab *, const uint8_t [16]);

struct srctab *
srctab_new(size_t max, uint64_t seed)
{
	struct srctab	*t;
	size_t		 n = 4;

	if (max == 0)
		max = 1;
	while (n < 2 * max) {
		if (n > SIZE_MAX / 4 / sizeof(struct entry))
			return NULL;
		n *= 2;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->slot = pages_alloc(n, sizeof(*t->slot))) == NULL) {
		free(t);
		return NULL;
	}
	t->mask = n - 1;
	t->max = max;
	t->seed = seed;
	t->v4len = 32;
	t->v6len = 128;
	return t;
}

void
srctab_prefix(struct srctab *t, unsigned int v4len, unsigned int v6len)
{
	t->v4len = v4len > 32 ? 32 : v4len;
	t->v6len = v6len > 128 ? 128 : v6len;
}

/* Clear the bits of the len bytes at b beyond the first bits. */
static void
cut(uint8_t *b, size_t len, unsigned int bits)
{
	size_t	i;

	for (i = bits / 8; i < len; i++)
		b[i] &= i == bits / 8 ? (uint8_t)(0xff00 >> (bits % 8)) : 0;
}

void
srctab_free(struct srctab *t)
{
	if (t == NULL)
		return;
	pages_free(t->slot, t->mask + 1, sizeof(*t->slot));
	free(t);
}

/*
 * The key of an address: IPv6, or IPv4-mapped, cut to the table's
 * prefix lengths (source-prefix), so that one network counts as one
 * client.
 */
static int
key(const struct srctab *t, const struct sockaddr *sa, uint8_t k[16])
{
	static const uint8_t	mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0xff, 0xff };
	unsigned int		uid;
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	switch (sa->sa_family) {
	case AF_INET:
		sin = (const struct sockaddr_in *)sa;
		memcpy(k, mapped, 12);
		memcpy(k + 12, &sin->sin_addr, 4);
		cut(k + 12, 4, t->v4len);
		return 0;
	case AF_INET6:
		sin6 = (const struct sockaddr_in6 *)sa;
		memcpy(k, &sin6->sin6_addr, 16);
		if (memcmp(k, mapped, 12) == 0)
			cut(k + 12, 4, t->v4len);
		else
			cut(k, 16, t->v6len);
		return 0;
	case AF_UNIX:
		/*
		 * A unix-domain client counts by its uid, as ::fffe:0:0/96
		 * keys, a prefix no IPv6 client reaches the host from (::/8
		 * is reserved).
		 */
		if (addr_cred(sa, &uid, NULL) == -1)
			return -1;
		memcpy(k, mapped, 12);
		k[11] = 0xfe;
		memcpy(k + 12, &uid, 4);
		return 0;
	}
	return -1;
}

/* Two rounds of a 64-bit mix (splitmix64's finaliser) over the seed. */
static size_t
hash(const struct srctab *t, const uint8_t k[16])
{
	uint64_t	h = t->seed, w;
	int		i;

	for (i = 0; i < 16; i += 8) {
		memcpy(&w, k + i, 8);
		h ^= w;
		h += 0x9e3779b97f4a7c15ULL;
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
		h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
		h ^= h >> 31;
	}
	return (size_t)h;
}

/* The address's slot, or the empty slot where it would go. */
static struct entry *
lookup(const struct srctab *t, const uint8_t k[16])
{
	size_t	i = hash(t, k) & t->mask;

	while (t->slot[i].count != 0 && memcmp(t->slot[i].addr, k, 16) != 0)
		i = (i + 1) & t->mask;
	return &t->slot[i];
}

unsigned int
srctab_count(const struct srctab *t, const struct sockaddr *sa)
{
	uint8_t	k[16];

	if (key(t, sa, k) == -1)
		return 0;
	return lookup(t, k)->count;
}

unsigned int
srctab_add(struct srctab *t, const struct sockaddr *sa)
{
	struct entry	*e;
	uint8_t		 k[16];

	if (key(t, sa, k) == -1)
		return 0;
	e = lookup(t, k);
	if (e->count == 0) {
		if (t->size >= t->max)
			return 0;
		memcpy(e->addr, k, 16);
		t->size++;
	}
	return ++e->count;
}

void
srctab_del(struct srctab *t, const struct sockaddr *sa)
{
	struct entry	*e;
	size_t		 i, j, home;
	uint8_t		 k[16];

	if (key(t, sa, k) == -1)
		return;
	e = lookup(t, k);
	if (e->count == 0 || --e->count > 0)
		return;
	t->size--;
	/*
	 * Close the gap: an entry further along the run moves into it
	 * unless its home slot lies cyclically after the gap.
	 */
	i = (size_t)(e - t->slot);
	j = i;
	for (;;) {
		j = (j + 1) & t->mask;
		if (t->slot[j].count == 0)
			break;
		home = hash(t, t->slot[j].addr) & t->mask;
		if (((j - home) & t->mask) < ((j - i) & t->mask))
			continue;
		t->slot[i] = t->slot[j];
		t->slot[j].count = 0;
		i = j;
	}
}

size_t
srctab_size(const struct srctab *t)
{
	return t->size;
}
