/* SPDX-License-Identifier: ISC */
/*
 * The key-holding process and the keys that ask it (tlskey.h).
 *
 * OpenSSL 3 offers two ways to give a key whose private half lives
 * elsewhere: a provider, or the EC_KEY_METHOD and RSA_METHOD hooks that
 * OpenSSL 1.1 had, deprecated in 3.0 but kept, and still what OpenSSL
 * uses for a key whose method is not its own.  A provider would be many
 * times the code for the same two operations; the hooks are what relayd
 * uses with LibreSSL.  This file alone uses the deprecated interface.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "config.h"

#include <sys/types.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <seccomp.h>

#include "conf.h"
#include "fdpass.h"
#include "tlskey.h"

/* The operations a child may ask for. */
#define KEY_SIGN	1	/* EC: sign a digest, DER */
#define KEY_RSA_SIGN	2	/* RSA: private encryption, arg padding */

#define KEY_DATA	1024	/* an 8192-bit RSA block */
#define KEY_TIMEOUT	5000	/* ms a child waits for an answer */
#define KEY_FD		3	/* the channel, in the process */

struct key_req {
	uint32_t	op;
	uint32_t	index;
	uint32_t	arg;
	uint32_t	len;
	unsigned char	data[KEY_DATA];
};

struct key_rep {
	int32_t		len;		/* -1: refused */
	unsigned char	data[KEY_DATA];
};

static int		 key_fd = -1;		/* a child's channel */
static int		 ec_index = -1, rsa_index = -1;
static EC_KEY_METHOD	*ec_method;
static RSA_METHOD	*rsa_method;

static EVP_PKEY	*key_load(const struct conf_tls_cert *, X509 *, char *,
		    size_t);
static int	 key_nopass(char *, int, int, void *);
static void	 key_confine(uid_t, gid_t);
static int	 key_do(EVP_PKEY *, const struct key_req *,
		    struct key_rep *);
_Static_assert(sizeof(struct key_rep) == TLSKEY_ANSWER_MAX,
    "tlskey.h's TLSKEY_ANSWER_MAX");
static void	 key_serve(EVP_PKEY **, size_t);
static __attribute__((noreturn)) void key_main(int,
		    const struct conf_tls_cert *, X509 *const *, size_t,
		    int, uid_t, gid_t);
static int	 key_ask(uint32_t, int, uint32_t, const unsigned char *,
		    size_t, unsigned char *, size_t);
static int	 ec_sign(int, const unsigned char *, int, unsigned char *,
		    unsigned int *, const BIGNUM *, const BIGNUM *, EC_KEY *);
static ECDSA_SIG *ec_sign_sig(const unsigned char *, int, const BIGNUM *,
		    const BIGNUM *, EC_KEY *);
static int	 rsa_enc(int, const unsigned char *, unsigned char *, RSA *,
		    int);
static int	 key_methods(void);

/* An encrypted key is refused: nobody is there to type a passphrase. */
static int
key_nopass(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	*(int *)u = 1;
	return -1;
}

/* Key c->key, which must match leaf. */
static EVP_PKEY *
key_load(const struct conf_tls_cert *c, X509 *leaf, char *err, size_t errlen)
{
	EVP_PKEY	*key;
	BIO		*bio;
	int		 asked = 0, type;

	ERR_clear_error();
	if ((bio = BIO_new_file(c->key, "r")) == NULL) {
		conf_where_msg(err, errlen, &c->where,
		    "tls-certificate: %s: %s", c->key, strerror(errno));
		return NULL;
	}
	key = PEM_read_bio_PrivateKey(bio, NULL, key_nopass, &asked);
	BIO_free(bio);
	if (key == NULL) {
		conf_where_msg(err, errlen, &c->where,
		    "tls-certificate: %s: %s", c->key, asked ? "the key is "
		    "encrypted, and forkd asks for no passphrase" :
		    "no private key in PEM form");
		ERR_clear_error();
		return NULL;
	}
	type = EVP_PKEY_get_base_id(key);
	if (type != EVP_PKEY_EC && type != EVP_PKEY_RSA) {
		conf_where_msg(err, errlen, &c->where,
		    "tls-certificate: %s: a %s key: forkd takes RSA and EC "
		    "keys", c->key, OBJ_nid2sn(type));
		EVP_PKEY_free(key);
		return NULL;
	}
	if (X509_check_private_key(leaf, key) != 1) {
		conf_where_msg(err, errlen, &c->where,
		    "tls-certificate: %s does not match the certificate in %s",
		    c->key, c->chain);
		ERR_clear_error();
		EVP_PKEY_free(key);
		return NULL;
	}
	return key;
}

int
tlskey_check(const struct conf_tls_cert *certs, X509 *const *leaf, size_t n,
    char *err, size_t errlen)
{
	EVP_PKEY	*key;
	size_t		 i;

	for (i = 0; i < n; i++) {
		if ((key = key_load(&certs[i], leaf[i], err, errlen)) == NULL)
			return -1;
		EVP_PKEY_free(key);
	}
	return 0;
}

/*
 * Nobody, undumpable (which also keeps a process of the same user out
 * of /proc/PID/mem and ptrace), with a filter of the calls the loop
 * makes.  A call outside it fails with EPERM rather than killing:
 * OpenSSL may look at a file, and a failed signature is better than no
 * process to ask.
 */
static void
key_confine(uid_t uid, gid_t gid)
{
	static const int	 calls[] = {
		SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(recvmsg),
		SCMP_SYS(sendmsg), SCMP_SYS(close), SCMP_SYS(exit),
		SCMP_SYS(exit_group), SCMP_SYS(getrandom), SCMP_SYS(brk),
		SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap),
		SCMP_SYS(madvise), SCMP_SYS(futex), SCMP_SYS(rt_sigreturn),
		SCMP_SYS(clock_gettime), SCMP_SYS(getpid), SCMP_SYS(fcntl),
		SCMP_SYS(mprotect), SCMP_SYS(fstat), SCMP_SYS(newfstatat),
		SCMP_SYS(lseek), SCMP_SYS(rt_sigprocmask), SCMP_SYS(gettid),
		SCMP_SYS(sched_yield), SCMP_SYS(sigaltstack), SCMP_SYS(poll),
		SCMP_SYS(ppoll),
	};
	scmp_filter_ctx		 ctx;
	size_t			 i;

	if (getuid() == 0 && (setgroups(0, NULL) == -1 ||
	    setresgid(gid, gid, gid) == -1 || setresuid(uid, uid, uid) == -1))
		_exit(1);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1 ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		_exit(1);
	if ((ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM))) == NULL)
		_exit(1);
	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ALLOW, calls[i], 0) != 0)
			_exit(1);
	if (seccomp_load(ctx) != 0)
		_exit(1);
	seccomp_release(ctx);
}

/* One request on key, into rep. */
static int
key_do(EVP_PKEY *key, const struct key_req *req, struct key_rep *rep)
{
	EVP_PKEY_CTX	*ctx;
	size_t		 len = sizeof(rep->data);
	int		 ok;

	if ((ctx = EVP_PKEY_CTX_new(key, NULL)) == NULL)
		return -1;
	switch (req->op) {
	case KEY_SIGN:
		ok = EVP_PKEY_get_base_id(key) == EVP_PKEY_EC &&
		    EVP_PKEY_sign_init(ctx) == 1 &&
		    EVP_PKEY_sign(ctx, rep->data, &len, req->data,
		    req->len) == 1;
		break;
	case KEY_RSA_SIGN:
		ok = EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA &&
		    EVP_PKEY_sign_init(ctx) == 1 &&
		    EVP_PKEY_CTX_set_rsa_padding(ctx, (int)req->arg) == 1 &&
		    EVP_PKEY_sign(ctx, rep->data, &len, req->data,
		    req->len) == 1;
		break;
	default:
		ok = 0;
	}
	EVP_PKEY_CTX_free(ctx);
	ERR_clear_error();
	if (!ok || len > sizeof(rep->data))
		return -1;
	rep->len = (int32_t)len;
	return 0;
}

size_t
tlskey_answer(EVP_PKEY **keys, size_t n, const void *msg, size_t len,
    void *answer)
{
	struct key_req	 req;
	struct key_rep	*rep = answer;

	rep->len = -1;
	memset(&req, 0, sizeof(req));
	memcpy(&req, msg, len < sizeof(req) ? len : sizeof(req));
	if (len >= offsetof(struct key_req, data) && len <= sizeof(req) &&
	    req.len <= len - offsetof(struct key_req, data) && req.index < n)
		(void)key_do(keys[req.index], &req, rep);
	OPENSSL_cleanse(&req, sizeof(req));
	return offsetof(struct key_rep, data) +
	    (rep->len > 0 ? (size_t)rep->len : 0);
}

/* Answer requests until the last holder of the channel has closed it. */
static void
key_serve(EVP_PKEY **keys, size_t n)
{
	struct key_req	 req;
	struct key_rep	 rep;
	struct pollfd	 pfd;
	ssize_t		 got;
	size_t		 replen;
	int		 fd;

	for (;;) {
		/* A request cut short, or without a socket, has no answer. */
		if ((got = fdpass_recv(KEY_FD, &req, sizeof(req), &fd)) == -1) {
			if (errno == EMSGSIZE)
				continue;
			_exit(1);
		}
		/*
		 * The last holder of the channel gone, or an empty record,
		 * which a child may send: only the first ends the process.
		 */
		if (got == 0) {
			if (fd != -1)
				close(fd);
			pfd.fd = KEY_FD;
			pfd.events = POLLIN | POLLRDHUP;
			if (poll(&pfd, 1, 0) == 1 &&
			    (pfd.revents & (POLLHUP | POLLRDHUP)))
				_exit(0);
			continue;
		}
		if (fd == -1)
			continue;
		replen = tlskey_answer(keys, n, &req, (size_t)got, &rep);
		/* A child gone meanwhile is no matter. */
		got = write(fd, &rep, replen);
		close(fd);
		OPENSSL_cleanse(&req, sizeof(req));
		OPENSSL_cleanse(&rep, sizeof(rep));
	}
}

/* The process: read the keys, say so, confine itself, serve. */
static void
key_main(int fd, const struct conf_tls_cert *certs, X509 *const *leaf,
    size_t n, int drop, uid_t uid, gid_t gid)
{
	EVP_PKEY	**keys;
	struct key_rep	  rep;
	struct key_req	  req;
	sigset_t	  all;
	char		  err[1024] = "";
	size_t		  i;
	int		  sig;

	/* The master's signal state is not this process's. */
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	if (dup2(fd, KEY_FD) == -1)
		_exit(1);
	closefrom(KEY_FD + 1);
	prctl(PR_SET_NAME, "forkd-tlskey", 0, 0, 0);

	if ((keys = calloc(n, sizeof(*keys))) == NULL) {
		snprintf(err, sizeof(err), "tls: out of memory");
		goto fail;
	}
	for (i = 0; i < n; i++)
		if ((keys[i] = key_load(&certs[i], leaf[i], err,
		    sizeof(err))) == NULL)
			goto fail;
	/* OpenSSL's lazy set-up, while files can still be opened. */
	memset(&req, 0, sizeof(req));
	req.len = 32;
	if (RAND_bytes(req.data, 32) != 1)
		goto fail;
	for (i = 0; i < n; i++) {
		req.op = EVP_PKEY_get_base_id(keys[i]) == EVP_PKEY_EC ?
		    KEY_SIGN : KEY_RSA_SIGN;
		req.arg = RSA_PKCS1_PADDING;
		if (key_do(keys[i], &req, &rep) == -1) {
			conf_where_msg(err, sizeof(err), &certs[i].where,
			    "tls-certificate: %s: cannot sign with it",
			    certs[i].key);
			goto fail;
		}
	}
	if (drop)
		key_confine(uid, gid);
	else
		key_confine(getuid(), getgid());
	if (write(KEY_FD, "", 1) != 1)
		_exit(1);
	key_serve(keys, n);
	_exit(0);
fail:
	if (write(KEY_FD, err, strlen(err) + 1) == -1)
		_exit(2);
	_exit(1);
}

int
tlskey_start(const struct conf_tls_cert *certs, X509 *const *leaf, size_t n,
    char *err, size_t errlen)
{
	struct passwd	*pw;
	struct pollfd	 pfd;
	char		 msg[1024];
	ssize_t		 got;
	uid_t		 uid = 0;
	gid_t		 gid = 0;
	pid_t		 pid;
	int		 sv[2], status, drop = 0;

	if (getuid() == 0 && (pw = getpwnam("nobody")) != NULL) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		drop = 1;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		snprintf(err, errlen, "tls: socketpair: %s", strerror(errno));
		return -1;
	}
	/*
	 * Twice: the process is no child of the master's, which reaps
	 * every child it has as a connection's.
	 */
	switch ((pid = fork())) {
	case -1:
		snprintf(err, errlen, "tls: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	case 0:
		close(sv[1]);
		if (setsid() == -1 || fork() != 0)
			_exit(0);
		key_main(sv[0], certs, leaf, n, drop, uid, gid);
	}
	close(sv[0]);
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	pfd.fd = sv[1];
	pfd.events = POLLIN;
	got = -1;
	if (poll(&pfd, 1, 30000) == 1)
		got = read(sv[1], msg, sizeof(msg) - 1);
	if (got == 1 && msg[0] == '\0')
		return sv[1];
	if (got > 1) {
		msg[got] = '\0';
		snprintf(err, errlen, "%s", msg);
	} else
		snprintf(err, errlen, "tls: the key process did not start");
	close(sv[1]);
	return -1;
}

/* In a child: ask for op on key index; the answer's length, or -1. */
static int
key_ask(uint32_t op, int index, uint32_t arg, const unsigned char *in,
    size_t inlen, unsigned char *out, size_t outmax)
{
	struct key_req	 req;
	struct key_rep	 rep;
	struct iovec	 iov;
	struct pollfd	 pfd;
	ssize_t		 got;
	int		 sv[2];

	if (key_fd == -1 || index < 0 || inlen > sizeof(req.data))
		return -1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	req.op = op;
	req.index = (uint32_t)index;
	req.arg = arg;
	req.len = (uint32_t)inlen;
	memcpy(req.data, in, inlen);
	iov.iov_base = &req;
	iov.iov_len = offsetof(struct key_req, data) + inlen;
	got = -1;
	if (fdpass_send(key_fd, &iov, 1, sv[1]) != -1) {
		close(sv[1]);
		sv[1] = -1;
		pfd.fd = sv[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, KEY_TIMEOUT) == 1)
			got = read(sv[0], &rep, sizeof(rep));
	}
	close(sv[0]);
	if (sv[1] != -1)
		close(sv[1]);
	if (got < (ssize_t)offsetof(struct key_rep, data) || rep.len < 0 ||
	    (size_t)rep.len > outmax ||
	    (size_t)got != offsetof(struct key_rep, data) + (size_t)rep.len)
		return -1;
	memcpy(out, rep.data, (size_t)rep.len);
	return rep.len;
}

static int
ec_sign(int type, const unsigned char *dgst, int dlen, unsigned char *sig,
    unsigned int *siglen, const BIGNUM *kinv, const BIGNUM *r, EC_KEY *ec)
{
	int	n;

	(void)type;
	(void)kinv;
	(void)r;
	if (dlen < 0 || (n = key_ask(KEY_SIGN,
	    (int)(intptr_t)EC_KEY_get_ex_data(ec, ec_index) - 1, 0, dgst,
	    (size_t)dlen, sig, (size_t)ECDSA_size(ec))) < 0)
		return 0;
	*siglen = (unsigned int)n;
	return 1;
}

static ECDSA_SIG *
ec_sign_sig(const unsigned char *dgst, int dlen, const BIGNUM *kinv,
    const BIGNUM *r, EC_KEY *ec)
{
	unsigned char		 buf[KEY_DATA];
	const unsigned char	*p = buf;
	unsigned int		 len;

	if ((size_t)ECDSA_size(ec) > sizeof(buf) ||
	    !ec_sign(0, dgst, dlen, buf, &len, kinv, r, ec))
		return NULL;
	return d2i_ECDSA_SIG(NULL, &p, (long)len);
}

static int
rsa_enc(int flen, const unsigned char *from, unsigned char *to, RSA *rsa,
    int padding)
{
	if (flen < 0)
		return -1;
	return key_ask(KEY_RSA_SIGN, (int)(intptr_t)RSA_get_ex_data(rsa,
	    rsa_index) - 1, (uint32_t)padding, from, (size_t)flen, to,
	    (size_t)RSA_size(rsa));
}

static int
key_methods(void)
{
	if (ec_method != NULL)
		return 0;
	ec_index = EC_KEY_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	rsa_index = RSA_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	if (ec_index < 0 || rsa_index < 0)
		return -1;
	if ((rsa_method = RSA_meth_dup(RSA_get_default_method())) == NULL ||
	    RSA_meth_set1_name(rsa_method, "forkd key process") != 1 ||
	    RSA_meth_set_priv_enc(rsa_method, rsa_enc) != 1)
		return -1;
	if ((ec_method = EC_KEY_METHOD_new(EC_KEY_OpenSSL())) == NULL)
		return -1;
	EC_KEY_METHOD_set_sign(ec_method, ec_sign, NULL, ec_sign_sig);
	return 0;
}

EVP_PKEY *
tlskey_stub(X509 *leaf, int index, char *err, size_t errlen)
{
	EVP_PKEY	*pub, *stub;
	EC_KEY		*ec = NULL;
	RSA		*rsa = NULL;

	if (key_methods() == -1) {
		snprintf(err, errlen, "tls: out of memory");
		return NULL;
	}
	if ((pub = X509_get0_pubkey(leaf)) == NULL ||
	    (stub = EVP_PKEY_new()) == NULL) {
		snprintf(err, errlen, "tls: no public key");
		return NULL;
	}
	switch (EVP_PKEY_get_base_id(pub)) {
	case EVP_PKEY_EC:
		/* Set before it is assigned: OpenSSL then keeps it its own. */
		if ((ec = EC_KEY_dup(EVP_PKEY_get0_EC_KEY(pub))) == NULL ||
		    EC_KEY_set_method(ec, ec_method) != 1 ||
		    EC_KEY_set_ex_data(ec, ec_index,
		    (void *)(intptr_t)(index + 1)) != 1 ||
		    EVP_PKEY_assign_EC_KEY(stub, ec) != 1)
			goto fail;
		return stub;
	case EVP_PKEY_RSA:
		if ((rsa = RSAPublicKey_dup(EVP_PKEY_get0_RSA(pub))) == NULL ||
		    RSA_set_method(rsa, rsa_method) != 1 ||
		    RSA_set_ex_data(rsa, rsa_index,
		    (void *)(intptr_t)(index + 1)) != 1 ||
		    EVP_PKEY_assign_RSA(stub, rsa) != 1)
			goto fail;
		return stub;
	}
	snprintf(err, errlen, "tls: a %s certificate: forkd takes RSA and EC",
	    OBJ_nid2sn(EVP_PKEY_get_base_id(pub)));
	EVP_PKEY_free(stub);
	return NULL;
fail:
	snprintf(err, errlen, "tls: cannot make the key's stand-in");
	EC_KEY_free(ec);
	RSA_free(rsa);
	EVP_PKEY_free(stub);
	ERR_clear_error();
	return NULL;
}

void
tlskey_use(int fd)
{
	key_fd = fd;
}
