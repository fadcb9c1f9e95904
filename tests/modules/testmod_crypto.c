/* SPDX-License-Identifier: ISC */
/*
 * Test module linked with OpenSSL: its handler writes the SHA-256 of
 * "forkd" in hex, which OpenSSL's initialisation and its digest tables
 * (writable data of libcrypto) give.  forkd keeps OpenSSL's data out of
 * its children when no service needs it: not from this module's.
 */

#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include <forkd/handler.h>

static int
crypto_handle(const struct forkd_conn *conn, void *state)
{
	unsigned char	md[EVP_MAX_MD_SIZE];
	unsigned int	len, i;
	char		hex[2 * EVP_MAX_MD_SIZE + 2];

	(void)state;
	if (EVP_Digest("forkd", 5, md, &len, EVP_sha256(), NULL) != 1)
		return 1;
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[2 * len] = '\n';
	return forkd_write(conn, hex, 2 * len + 1) == -1;
}

const struct forkd_handler forkd_handler = {
	.abi = FORKD_HANDLER_ABI,
	.name = "testmod_crypto",
	.handle = crypto_handle,
};
