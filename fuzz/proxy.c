/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for proxy_parse.  Besides running the parser under the
 * sanitizers, it checks what proxy_read relies on: a header found in the
 * input is found the same in every longer prefix and in none shorter, and
 * no shorter prefix asks for more bytes than the header has, so reading
 * what *need says never takes a byte past it.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proxy.h"

#define BOTH	(PROXY_V1 | PROXY_V2)

struct result {
	ssize_t			r;
	size_t			need;
	const char		*errstr;
	struct proxy_hdr	h;
};

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	parse(const uint8_t *, size_t, int, struct result *);
static void	check_one(const struct result *, size_t);
static void	check_hdr(const struct proxy_hdr *, ssize_t);
static int	iszero(const void *, size_t);

/*
 * Parse a copy of exactly len bytes, so that the address sanitizer sees
 * any read past them, into a structure filled with junk, so that a
 * header that is not returned is seen to leave it alone.
 */
static void
parse(const uint8_t *data, size_t len, int accept, struct result *res)
{
	struct proxy_hdr	 junk;
	uint8_t			*copy;

	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(copy, data, len);
	memset(&res->h, 0xa5, sizeof(res->h));
	junk = res->h;
	res->need = 0xdead;
	res->errstr = NULL;
	res->r = proxy_parse(copy, len, accept, &res->h, &res->need,
	    &res->errstr);
	free(copy);
	if (res->r <= 0 && memcmp(&res->h, &junk, sizeof(junk)) != 0)
		abort();
}

static void
check_one(const struct result *res, size_t len)
{
	if (res->r > 0) {
		if ((size_t)res->r > len || (size_t)res->r > PROXY_MAXLEN)
			abort();
		check_hdr(&res->h, res->r);
	} else if (res->r == 0) {
		if (res->need <= len || res->need > PROXY_MAXLEN)
			abort();
	} else if (res->r == -1) {
		if (res->errstr == NULL || *res->errstr == '\0')
			abort();
	} else
		abort();
}

static void
check_hdr(const struct proxy_hdr *h, ssize_t r)
{
	if (h->version == 1 && r > PROXY_V1_MAXLEN)
		abort();
	if (h->version == 2 && r < PROXY_V2_HDRLEN)
		abort();
	if (h->version != 1 && h->version != 2)
		abort();
	if (h->local) {
		if (h->local != 1 || !iszero(&h->src, sizeof(h->src)) ||
		    !iszero(&h->dst, sizeof(h->dst)))
			abort();
		return;
	}
	if (h->src.ss_family != AF_INET && h->src.ss_family != AF_INET6)
		abort();
	if (h->dst.ss_family != h->src.ss_family)
		abort();
}

static int
iszero(const void *p, size_t len)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; i < len; i++)
		if (b[i] != 0)
			return 0;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result	full, part, one;
	size_t		k, max;
	int		failed = 0;

	parse(data, size, BOTH, &full);
	check_one(&full, size);

	/*
	 * Every prefix, up to the longest header that could be in it: once
	 * a prefix fails, all longer ones fail; once one holds a header,
	 * all longer ones hold the same; before that, none asks for more
	 * bytes than the header turns out to have.
	 */
	max = size < PROXY_MAXLEN ? size : PROXY_MAXLEN;
	for (k = 0; k <= max; k++) {
		parse(data, k, BOTH, &part);
		check_one(&part, k);
		if (failed && part.r != -1)
			abort();
		failed = part.r == -1;
		if (full.r > 0 && (size_t)full.r > k &&
		    (part.r != 0 || part.need > (size_t)full.r))
			abort();
		if (full.r > 0 && (size_t)full.r <= k && (part.r != full.r ||
		    memcmp(&part.h, &full.h, sizeof(full.h)) != 0))
			abort();
		if (full.r == -1 && part.r > 0)
			abort();
	}
	if (failed && full.r != -1)
		abort();

	/* A header of the one version allowed reads the same as with both. */
	parse(data, size, PROXY_V1, &one);
	check_one(&one, size);
	if (full.r > 0 && full.h.version == 1 && (one.r != full.r ||
	    memcmp(&one.h, &full.h, sizeof(full.h)) != 0))
		abort();
	if (full.r > 0 && full.h.version == 2 && one.r != -1)
		abort();
	parse(data, size, PROXY_V2, &one);
	check_one(&one, size);
	if (full.r > 0 && full.h.version == 2 && (one.r != full.r ||
	    memcmp(&one.h, &full.h, sizeof(full.h)) != 0))
		abort();
	if (full.r > 0 && full.h.version == 1 && one.r != -1)
		abort();
	return 0;
}
