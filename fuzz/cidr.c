/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: cidr_parse on any string, and cidr_match on the
 * prefixes it returns.
 *
 * A refused string sets errstr and leaves the caller's structure alone.
 * A prefix has a known family and a length within it, no host bit set,
 * prints and parses back to itself, and matches its first and last
 * address (an IPv4 one also as an IPv4-mapped IPv6 address) but not the
 * addresses just outside it, nor any address of the other family.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static int	bit(const uint8_t *, unsigned int);
static void	flip(uint8_t *, unsigned int);
static int	same_bits(const uint8_t *, const uint8_t *, unsigned int);
static int	match(const struct cidr *, int, const uint8_t *);
static void	check_prefix(const struct cidr *, int);
static void	check_any(const struct cidr *, const uint8_t *, size_t);

/* Bit i of an address, from the most significant one. */
static int
bit(const uint8_t *a, unsigned int i)
{
	return (a[i / 8] >> (7 - i % 8)) & 1;
}

static void
flip(uint8_t *a, unsigned int i)
{
	a[i / 8] ^= (uint8_t)(0x80 >> (i % 8));
}

/* Whether the first n bits of a and b are equal, one bit at a time. */
static int
same_bits(const uint8_t *a, const uint8_t *b, unsigned int n)
{
	unsigned int	i;

	for (i = 0; i < n; i++)
		if (bit(a, i) != bit(b, i))
			return 0;
	return 1;
}

/*
 * cidr_match on the address a (4 or 16 bytes, as family has it) as a
 * client's socket address.
 */
static int
match(const struct cidr *c, int family, const uint8_t *a)
{
	struct sockaddr_in	sin;
	struct sockaddr_in6	sin6;

	if (family == AF_INET) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = htons(1234);
		memcpy(&sin.sin_addr, a, 4);
		return cidr_match(c, (struct sockaddr *)&sin);
	}
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(1234);
	memcpy(&sin6.sin6_addr, a, 16);
	return cidr_match(c, (struct sockaddr *)&sin6);
}

static void
check_prefix(const struct cidr *c, int bare)
{
	char		 text[INET6_ADDRSTRLEN + 8];
	const char	*errstr;
	struct cidr	 again;
	uint8_t		 a[16], mapped[16];
	unsigned int	 max, i;
	int		 other;

	CHECK(c->family == AF_INET || c->family == AF_INET6);
	max = c->family == AF_INET ? 32 : 128;
	other = c->family == AF_INET ? AF_INET6 : AF_INET;
	CHECK(c->prefix <= max);
	CHECK(!bare || c->prefix == max);
	for (i = c->prefix; i < 128; i++)
		CHECK(bit(c->addr, i) == 0);

	CHECK(inet_ntop(c->family, c->addr, text, INET6_ADDRSTRLEN) != NULL);
	snprintf(text + strlen(text), 8, "/%u", c->prefix);
	memset(&again, 0xa5, sizeof(again));
	CHECK(cidr_parse(text, &again, &errstr) == 0);
	CHECK(again.family == c->family && again.prefix == c->prefix &&
	    memcmp(again.addr, c->addr, sizeof(c->addr)) == 0);

	/* The first address, then the last one. */
	memcpy(a, c->addr, sizeof(a));
	CHECK(match(c, c->family, a));
	for (i = c->prefix; i < max; i++)
		flip(a, i);
	CHECK(match(c, c->family, a));

	/* Just outside: the last network bit changed. */
	if (c->prefix > 0) {
		flip(a, c->prefix - 1);
		CHECK(!match(c, c->family, a));
		memcpy(a, c->addr, sizeof(a));
		flip(a, c->prefix - 1);
		CHECK(!match(c, c->family, a));
	}

	/* The same bytes as the other family never match. */
	memcpy(a, c->addr, sizeof(a));
	CHECK(!match(c, other, a));

	memset(mapped, 0, sizeof(mapped));
	mapped[10] = mapped[11] = 0xff;
	memcpy(mapped + 12, c->addr, 4);
	if (c->family == AF_INET) {
		CHECK(match(c, AF_INET6, mapped));
		/* Compatible, not mapped: ::a.b.c.d is IPv6. */
		mapped[10] = mapped[11] = 0;
		CHECK(!match(c, AF_INET6, mapped));
	} else
		/* An IPv6 prefix takes a mapped address as IPv6. */
		CHECK(match(c, AF_INET6, mapped) ==
		    same_bits(c->addr, mapped, c->prefix));
}

/* Any address, here the input's first bytes, as the bitwise reference. */
static void
check_any(const struct cidr *c, const uint8_t *data, size_t size)
{
	uint8_t	a[16], mapped[16];

	memset(a, 0, sizeof(a));
	memcpy(a, data, size < sizeof(a) ? size : sizeof(a));
	CHECK(match(c, c->family, a) == same_bits(c->addr, a, c->prefix));
	if (c->family == AF_INET) {
		memset(mapped, 0, sizeof(mapped));
		mapped[10] = mapped[11] = 0xff;
		memcpy(mapped + 12, a, 4);
		CHECK(match(c, AF_INET6, mapped) ==
		    same_bits(c->addr, a, c->prefix));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cidr	 c, before;
	const char	*errstr = NULL;
	char		*s;

	if ((s = malloc(size + 1)) == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	memset(&c, 0xa5, sizeof(c));
	before = c;
	if (cidr_parse(s, &c, &errstr) == -1) {
		CHECK(errstr != NULL);
		CHECK(memcmp(&c, &before, sizeof(c)) == 0);
	} else {
		check_prefix(&c, strchr(s, '/') == NULL);
		check_any(&c, data, size);
	}
	free(s);
	return 0;
}
