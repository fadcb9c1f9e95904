/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for tlskey_answer: the key-holding process's reading
 * of a child's request, which a child taken over by a hostile client
 * writes as it likes.  Every request is answered within the answer's
 * room, with -1 or with what the key gives, whatever its operation,
 * key index, padding and lengths.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "tlskey.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static EVP_PKEY	*keys[2];

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	unsigned char	 answer[TLSKEY_ANSWER_MAX];
	uint8_t		*copy;
	int32_t		 n;
	size_t		 got;

	if (keys[0] == NULL) {
		/* Small RSA: the fuzzer is to try requests, not primes. */
		keys[0] = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
		keys[1] = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
		if (keys[0] == NULL || keys[1] == NULL)
			abort();
	}
	/* Exactly len bytes, so that a read past them is seen. */
	if ((copy = malloc(len > 0 ? len : 1)) == NULL)
		return 0;
	memcpy(copy, data, len);
	memset(answer, 0xa5, sizeof(answer));
	got = tlskey_answer(keys, 2, copy, len, answer);
	memcpy(&n, answer, sizeof(n));
	if (got < sizeof(n) || got > sizeof(answer) ||
	    (n < 0 && got != sizeof(n)) ||
	    (n >= 0 && got != sizeof(n) + (size_t)n))
		abort();
	free(copy);
	return 0;
}
