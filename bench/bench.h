/* SPDX-License-Identifier: ISC */
/*
 * forkd-bench: a load generator and connection holder for forkd and the
 * reference servers beside it.  Loopback only: one process, epoll over
 * the connections in flight, TLS (tls.c, with OpenSSL) among them.
 */

#ifndef BENCH_H
#define BENCH_H

#include <sys/types.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <stddef.h>
#include <stdint.h>

#define BENCH_CAP_S	600	/* no run, and no hold, lasts longer */
#define BENCH_SCAN_MS	100	/* how often timeouts are looked for */
#define BENCH_MAX_SRC	254	/* 127.0.0.1 to 127.0.0.254 */
#define BENCH_MAX_BULK	(1024U * 1024 * 1024)	/* -b: bytes at most */

enum mode {
	MODE_ECHO,		/* read until the payload has come back */
	MODE_EOF,		/* read until the server closes */
	MODE_NONE,		/* read nothing */
};

enum fail {
	FAIL_REFUSED,		/* ECONNREFUSED */
	FAIL_RESET,		/* ECONNRESET, EPIPE */
	FAIL_TIMEOUT,		/* no progress within the timeout */
	FAIL_SHORT,		/* end of file before the whole echo */
	FAIL_TLS,		/* the handshake or a TLS record failed */
	FAIL_OTHER,
	FAIL_NKINDS
};

struct tls;

/* What every connection shares: where to, what to send, what to expect. */
struct client {
	struct sockaddr_storage	 dst;
	socklen_t		 dstlen;
	struct sockaddr_storage	 src[BENCH_MAX_SRC];
	socklen_t		 srclen;
	size_t			 nsrc;
	size_t			 nextsrc;
	const char		*payload;
	size_t			 paylen;
	size_t			 want;		/* reply bytes that complete */
	enum mode		 mode;
	int			 reset;		/* close with a RST */
	uint64_t		 established;	/* connects that completed */
	uint64_t		 received;	/* reply bytes, all conns */
	struct tls		*tls;		/* NULL: plain TCP */
	uint64_t		 handshakes;	/* TLS handshakes completed */
	uint64_t		 offered;	/* ... that offered a session */
	uint64_t		 resumed;	/* ... that resumed it */
};

enum conn_state {
	CONN_FREE,
	CONN_CONNECTING,
	CONN_HANDSHAKE,		/* TLS, before the payload */
	CONN_TALKING,
	CONN_HELD,
};

struct conn {
	int		 fd;
	enum conn_state	 state;
	uint32_t	 events;	/* registered with epoll; 0: none */
	int		 shut;		/* our side is shut down */
	size_t		 sent;
	size_t		 got;
	uint64_t	 start;		/* us, CLOCK_MONOTONIC */
	uint64_t	 last;		/* last progress */
	enum fail	 fail;		/* when a step returns STEP_FAILED */
	int		 err;		/* its errno; 0 for a wrong echo */
	void		*ssl;		/* SSL *, with TLS */
	void		*session;	/* SSL_SESSION * to offer next */
	uint32_t	 tls_wants;	/* EPOLLIN or EPOLLOUT, for TLS */
	int		 tls_up;	/* handshake done, no fatal error */
};

enum step {
	STEP_AGAIN,		/* waiting for the socket */
	STEP_DONE,		/* the exchange is complete */
	STEP_FAILED,		/* see conn.fail and conn.err */
};

/* Failures by kind, and the first "other" one's errno for the summary. */
struct tally {
	uint64_t	 ok;
	uint64_t	 fail[FAIL_NKINDS];
	int		 other_err;
	int		 other_seen;
	uint64_t	 aborted;	/* cut short by a signal or the cap */
};

struct load {
	uint64_t	 n;		/* connections; 0: for a duration */
	unsigned int	 seconds;
	unsigned int	 concurrency;
	uint64_t	 timeout_us;
};

struct load_result {
	struct tally	 tally;
	uint64_t	 elapsed_us;
	uint32_t	*lat;		/* latencies of the good ones, us */
	size_t		 nlat;
	size_t		 latcap;
	int		 interrupted;
};

struct pss {
	long		 master_kb;
	unsigned int	 nchildren;
	unsigned long	 children_kb;
};

struct hold {
	unsigned int	 k;
	unsigned int	 concurrency;	/* connects under way at once */
	uint64_t	 timeout_us;
	unsigned int	 seconds;	/* to hold */

	struct conn	*conns;		/* k of them, from hold_open */
	int		 ep;
};

struct hold_result {
	struct tally	 tally;		/* ok: answered */
	uint64_t	 established;
	uint64_t	 ramp_us;
	uint64_t	 held_us;
	uint64_t	 dropped;	/* closed by the server while held */
	uint64_t	 asked;		/* held ones the check asked again */
	struct tally	 check;		/* ok: answered again */
	uint64_t	 check_us;
	int		 interrupted;
	int		 released;	/* SIGUSR1: the hold ends in order */
};

/* loop.c */
uint64_t	 clock_us(void);
int		 loop_open(int);
int		 loop_wait(int, struct epoll_event *, int, int, int *, int *);

/* conn.c */
enum step	 conn_failed(struct conn *, enum fail, int);
enum step	 conn_errno(struct conn *, int);
enum step	 conn_open(struct conn *, struct client *, int, uint64_t);
enum step	 conn_event(struct conn *, struct client *, int, uint32_t,
		    uint64_t);
enum step	 conn_hold(struct conn *, int);
enum step	 conn_ask(struct conn *, struct client *, int, uint64_t);
void		 conn_close(struct conn *, const struct client *);
const char	*fail_name(enum fail);
void		 tally_fail(struct tally *, const struct conn *);

/* load.c */
void		 load_run(struct client *, const struct load *,
		    struct load_result *);
uint32_t	 load_percentile(const struct load_result *, unsigned int);

/* hold.c */
void		 hold_open(struct client *, struct hold *, struct hold_result *);
void		 hold_keep(struct client *, struct hold *, struct hold_result *);
void		 hold_check(struct client *, struct hold *,
		    struct hold_result *);
void		 hold_close(struct client *, struct hold *);

/* pss.c */
int		 pss_read(pid_t, struct pss *);

/*
 * tls.c: the TLS side of a connection.  The steps return STEP_AGAIN with
 * conn.tls_wants set to what the socket must become for them to go on,
 * STEP_FAILED with conn.fail set, or STEP_DONE; *n is the number of bytes
 * moved (0 from tls_recv: the server closed).
 */
struct tls	*tls_new(int);
void		 tls_free(struct tls *);
const char	*tls_first_error(const struct tls *);
enum step	 tls_handshake(struct conn *, struct client *);
enum step	 tls_send(struct conn *, struct client *, const char *, size_t,
		    size_t *);
enum step	 tls_recv(struct conn *, struct client *, char *, size_t,
		    size_t *);
int		 tls_pending(const struct conn *);
enum step	 tls_shutdown(struct conn *);
void		 tls_close(struct conn *, const struct client *);
void		 tls_forget(struct conn *);

#endif
