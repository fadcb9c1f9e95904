/* SPDX-License-Identifier: ISC */
/*
 * The key-holding process, as OpenBSD relayd's ca processes: the private
 * keys of a TLS service live in one small process, never in the master
 * nor in a child.  A child that needs a signature (the only private
 * operation: RSA key exchange, a decryption, is never offered) makes a
 * socket pair, sends one end with
 * its request over the service's channel, and reads the answer from the
 * other end: only forkd's own children hold the channel.  The process
 * runs as nobody, cannot be traced or dumped, under a system call filter,
 * and ends when the last holder of the channel closes it: the master at
 * the next load, and the children it served.
 *
 * In the children, OpenSSL sees a key made of the certificate's public
 * key and methods that ask the process: an EC_KEY_METHOD or an
 * RSA_METHOD.
 */

#ifndef FORKD_TLSKEY_H
#define FORKD_TLSKEY_H

#include <sys/types.h>

#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

struct conf_tls_cert;

/*
 * Start the process for the n keys of certs, key i to match the
 * certificate leaf[i].  Returns the channel's end for the children
 * (close-on-exec) once the process has read and checked every key, or
 * -1 with "file:line: ..." in err.
 */
int		 tlskey_start(const struct conf_tls_cert *certs,
		    X509 *const *leaf, size_t n, char *err, size_t errlen);

/* forkd -n: read and check the keys here, and let them go. */
int		 tlskey_check(const struct conf_tls_cert *certs,
		    X509 *const *leaf, size_t n, char *err, size_t errlen);

/*
 * What OpenSSL is given as key index: leaf's public key, whose private
 * operations are asked of the process.  NULL with err set for a key
 * type other than RSA and EC.
 */
EVP_PKEY	*tlskey_stub(X509 *leaf, int index, char *err, size_t errlen);

/*
 * The process's answer to one request of len bytes from a child, which
 * is untrusted input, into answer (TLSKEY_ANSWER_MAX bytes): its length.
 */
#define TLSKEY_ANSWER_MAX	(4 + 1024)
size_t		 tlskey_answer(EVP_PKEY **keys, size_t n, const void *msg,
		    size_t len, void *answer);

/* In a child: the channel to ask on. */
void		 tlskey_use(int fd);

#endif /* FORKD_TLSKEY_H */
