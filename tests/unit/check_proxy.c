/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proxy.h"
#include "check_main.h"

/*
 * Most of what is checked here is one table of headers, each with what
 * proxy_parse must make of it: a header and its fields, a request for
 * more bytes, or an error.  One loop test runs every row through both
 * functions (check() says what is asserted); a few generated cases (bad
 * ports and addresses in each place, every byte of the v2 signature)
 * share the same check.  The tests after the table are for what a row
 * cannot say: lengths at the limits, NULL outputs, and proxy_read on a
 * TCP socket, non-blocking, byte by byte, against its timeout and
 * signals.
 */

#define BOTH		(PROXY_V1 | PROXY_V2)
#define PAYLOAD		"GET / HTTP/1.0\r\n\r\n"
#define SIG		"\r\n\r\n\0\r\nQUIT\n"
#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/* The longest v1 line: UNKNOWN with the spec's worst-case fields. */
#define V6MAX		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"
#define V6LONG		"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255"
#define V1_LONGEST	"PROXY UNKNOWN " V6MAX " " V6MAX " 65535 65535\r\n"

/* An address a header must give; family 0 for none (all bytes zero). */
struct want_addr {
	int		 family;
	const char	*ip;
	unsigned int	 port;
};

/* One case: the bytes that come, and what must become of them. */
struct parse_case {
	int		 accept;	/* the versions allowed */
	/* The input: text (any bytes), or else a v2 header from parts. */
	const char	*text;
	size_t		 textlen;
	uint8_t		 vercmd;
	uint8_t		 fam;
	size_t		 bodylen;	/* in the length field, and sent */
	/*
	 * The v2 body: the addresses (IPv4, IPv6 or else UNIX paths), cut
	 * to bodylen, then raw bytes, and fill up to bodylen.
	 */
	const char	*from;
	const char	*to;
	uint16_t	 sport;
	uint16_t	 dport;
	const char	*raw;
	size_t		 rawlen;
	uint8_t		 fill;
	size_t		 cut;		/* only so many bytes come; 0: all */
	/* What proxy_parse makes of it. */
	enum { HEADER = 1, NEED, FAIL } want;
	size_t		 need;		/* NEED: *need */
	const char	*err;		/* FAIL: *errstr */
	size_t		 at;		/* FAIL: fails from at bytes on */
	int		 version;	/* HEADER: its fields */
	int		 local;
	struct want_addr src;
	struct want_addr dst;
};

/* The rows are written with these. */
#define T(s)		.text = (s), .textlen = sizeof(s) - 1
#define V2(vc, f, n)	.vercmd = (vc), .fam = (f), .bodylen = (n)
#define ADDR(a, b, p, q) .from = (a), .to = (b), .sport = (p), .dport = (q)
#define RAW(s)		.raw = (s), .rawlen = sizeof(s) - 1
#define HDR(v, s, d)	.want = HEADER, .version = (v), .src = s, .dst = d
#define LOCAL(v)	.want = HEADER, .version = (v), .local = 1
#define MORE(n)		.want = NEED, .need = (n)
#define ERR(s)		.want = FAIL, .err = (s)
#define IN4(ip, port)	{ AF_INET, (ip), (port) }
#define IN6(ip, port)	{ AF_INET6, (ip), (port) }
/* A header with addresses of zero bytes: a body of zeros. */
#define ZERO4(v)	HDR(v, IN4("0.0.0.0", 0), IN4("0.0.0.0", 0))
#define ZERO6(v)	HDR(v, IN6("::", 0), IN6("::", 0))

#define U16		"uuuuuuuuuuuuuuuu"
#define U128		U16 U16 U16 U16 U16 U16 U16 U16

static const struct parse_case cases[] = {
	/* v1 TCP4. */
	{ BOTH, T("PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n"),
	    HDR(1, IN4("192.0.2.1", 56324), IN4("198.51.100.2", 443)) },
	{ BOTH, T("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535"
	    "\r\n"), HDR(1, IN4("255.255.255.255", 65535),
	    IN4("255.255.255.255", 65535)) },
	/* The shortest TCP4 line, with port 0 as a lone zero. */
	{ BOTH, T("PROXY TCP4 0.0.0.0 0.0.0.0 0 0\r\n"), ZERO4(1) },
	{ BOTH, T("PROXY TCP4 10.0.0.1 10.0.0.2 1 10\r\n"),
	    HDR(1, IN4("10.0.0.1", 1), IN4("10.0.0.2", 10)) },
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.2 0 65535\r\n"),
	    HDR(1, IN4("192.0.2.1", 0), IN4("192.0.2.2", 65535)) },
	{ BOTH, T("PROXY TCP4 192.0.2.9 198.51.100.99 9 59999\r\n"),
	    HDR(1, IN4("192.0.2.9", 9), IN4("198.51.100.99", 59999)) },

	/* v1 TCP6. */
	{ BOTH, T("PROXY TCP6 2001:db8::1 2001:db8::2 1234 80\r\n"),
	    HDR(1, IN6("2001:db8::1", 1234), IN6("2001:db8::2", 80)) },
	/* The longest TCP6 line, 104 bytes. */
	{ BOTH, T("PROXY TCP6 " V6MAX " " V6MAX " 65535 65535\r\n"),
	    HDR(1, IN6(V6MAX, 65535), IN6(V6MAX, 65535)) },
	{ BOTH, T("PROXY TCP6 :: ::1 0 65535\r\n"),
	    HDR(1, IN6("::", 0), IN6("::1", 65535)) },
	{ BOTH, T("PROXY TCP6 ::ffff:192.0.2.1 FE80::A 40000 22\r\n"),
	    HDR(1, IN6("::ffff:192.0.2.1", 40000), IN6("fe80::a", 22)) },
	{ BOTH, T("PROXY TCP6 ::1 ::2 65535 0\r\n"),
	    HDR(1, IN6("::1", 65535), IN6("::2", 0)) },
	{ BOTH, T("PROXY TCP6 2001:db8::9 2001:db8::99 19999 9\r\n"),
	    HDR(1, IN6("2001:db8::9", 19999), IN6("2001:db8::99", 9)) },

	/* v1 UNKNOWN: whatever follows is ignored, even if not addresses. */
	{ BOTH, T("PROXY UNKNOWN\r\n"), LOCAL(1) },
	{ BOTH, T("PROXY UNKNOWN 192.0.2.1 198.51.100.2 56324 443\r\n"),
	    LOCAL(1) },
	{ BOTH, T("PROXY UNKNOWN what ever  \t\x01\x7f\xff\r\n"), LOCAL(1) },
	{ BOTH, T("PROXY UNKNOWN \r\n"), LOCAL(1) },
	/* A NUL in the ignored part is no terminator. */
	{ BOTH, T("PROXY UNKNOWN a\0b\r\n"), LOCAL(1) },

	/* How a v1 line ends. */
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\n"),
	    ERR("v1 header ends in lf without cr") },
	{ BOTH, T("PROXY UNKNOWN\n"), ERR("v1 header ends in lf without cr") },
	{ BOTH, T("PROXY UNKNOWN a\nb\r\n"),
	    ERR("v1 header ends in lf without cr") },
	{ BOTH, T("PROXY UNKNOWN\n\r"),
	    ERR("v1 header ends in lf without cr") },
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\rX"),
	    ERR("v1 header has cr without lf") },
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\r\n"),
	    ERR("v1 header has cr without lf") },
	{ BOTH, T("PROXY UNKNOWN a\rb\r\n"),
	    ERR("v1 header has cr without lf") },

	/* v1 fields. */
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.2 1\r\n"),
	    ERR("missing v1 field") },
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.2\r\n"),
	    ERR("missing v1 field") },
	{ BOTH, T("PROXY TCP4 192.0.2.1\r\n"), ERR("missing v1 field") },
	{ BOTH, T("PROXY TCP4\r\n"), ERR("missing v1 field") },
	{ BOTH, T("PROXY TCP6\r\n"), ERR("missing v1 field") },
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.2 1 2 3\r\n"),
	    ERR("extra v1 field") },
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.2 1 2 \r\n"),
	    ERR("extra v1 field") },
	{ BOTH, T("PROXY \r\n"), ERR("bad v1 spacing") },
	{ BOTH, T("PROXY  TCP4 192.0.2.1 192.0.2.2 1 2\r\n"),
	    ERR("bad v1 spacing") },
	{ BOTH, T("PROXY TCP4  192.0.2.1 192.0.2.2 1 2\r\n"),
	    ERR("bad v1 spacing") },
	{ BOTH, T("PROXY TCP4 192.0.2.1  192.0.2.2 1 2\r\n"),
	    ERR("bad v1 spacing") },
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.2  1 2\r\n"),
	    ERR("bad v1 spacing") },
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.2 1  2\r\n"),
	    ERR("bad v1 spacing") },
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.2 1 \r\n"),
	    ERR("bad v1 spacing") },
	{ BOTH, T("PROXY TCP4 \r\n"), ERR("bad v1 spacing") },
	{ BOTH, T("PROXY  UNKNOWN\r\n"), ERR("bad v1 spacing") },
	{ BOTH, T("PROXY TCP4\t192.0.2.1 192.0.2.2 1 2\r\n"),
	    ERR("bad v1 protocol") },
	{ BOTH, T("PROXY tcp4 192.0.2.1 192.0.2.2 1 2\r\n"),
	    ERR("bad v1 protocol") },
	{ BOTH, T("PROXY TCP5 192.0.2.1 192.0.2.2 1 2\r\n"),
	    ERR("bad v1 protocol") },
	{ BOTH, T("PROXY UDP4 192.0.2.1 192.0.2.2 1 2\r\n"),
	    ERR("bad v1 protocol") },
	{ BOTH, T("PROXY TCP 192.0.2.1 192.0.2.2 1 2\r\n"),
	    ERR("bad v1 protocol") },
	{ BOTH, T("PROXY TCP44 192.0.2.1 192.0.2.2 1 2\r\n"),
	    ERR("bad v1 protocol") },
	{ BOTH, T("PROXY UNKNOWNX\r\n"), ERR("bad v1 protocol") },
	{ BOTH, T("PROXY UNKNOW\r\n"), ERR("bad v1 protocol") },
	{ BOTH, T("PROXY unknown\r\n"), ERR("bad v1 protocol") },
	{ BOTH, T("PROXY X\r\n"), ERR("bad v1 protocol") },
	/* A NUL must not cut the address short for inet_pton. */
	{ BOTH, T("PROXY TCP4 1.2.3.4\0x 1.2.3.4 1 2\r\n"),
	    ERR("bad v1 address") },
	{ BOTH, T("PROXY TCP6 ::1\0:1 ::2 1 2\r\n"), ERR("bad v1 address") },
	{ BOTH, T("PROXY TCP4 192.0.2.1 192.0.2.256 1 2\r\n"),
	    ERR("bad v1 address") },

	/* A line that cannot end well is refused before its CRLF comes. */
	{ BOTH, T("PROXY X"), ERR("bad v1 protocol") },
	{ BOTH, T("PROXY TCP5"), ERR("bad v1 protocol") },
	{ BOTH, T("PROXY TCP4X"), ERR("bad v1 protocol") },
	{ BOTH, T("PROXY UNKNOWNX"), ERR("bad v1 protocol") },
	{ BOTH, T("PROXY  "), ERR("bad v1 spacing") },
	{ BOTH, T("PROXY TCP4 1.2.3.4x"), ERR("bad v1 address") },
	{ BOTH, T("PROXY TCP4 1.2.3.456789012345"), ERR("bad v1 address") },
	{ BOTH, T("PROXY TCP4 ::"), ERR("bad v1 address") },
	{ BOTH, T("PROXY TCP6 ::g"), ERR("bad v1 address") },
	{ BOTH, T("PROXY TCP4 1.2.3.4  "), ERR("bad v1 spacing") },
	{ BOTH, T("PROXY TCP4 1.2.3.4 1.2.3.4 00"), ERR("bad v1 port") },
	{ BOTH, T("PROXY TCP4 1.2.3.4 1.2.3.4 655360"), ERR("bad v1 port") },
	{ BOTH, T("PROXY TCP4 1.2.3.4 1.2.3.4 65536"), ERR("bad v1 port") },
	{ BOTH, T("PROXY TCP4 1.2.3.4 1.2.3.4 1 +"), ERR("bad v1 port") },
	{ BOTH, T("PROXY TCP4 1.2.3.4 1.2.3.4 1 2 "), ERR("extra v1 field") },
	{ BOTH, T("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\n"),
	    ERR("v1 header ends in lf without cr") },

	/*
	 * Part of a v1 line: until the first byte, the shortest header of
	 * any allowed version, then the shortest line that can follow.
	 */
	{ BOTH, T(""), MORE(15) },
	{ PROXY_V1, T(""), MORE(15) },
	{ PROXY_V2, T(""), MORE(16) },
	{ BOTH, T("P"), MORE(15) },
	{ BOTH, T("PROXY "), MORE(15) },
	{ BOTH, T("PROXY TCP4"), MORE(15) },
	/* The shortest lines: "PROXY TCP4 0.0.0.0 0.0.0.0 0 0\r\n" ... */
	{ BOTH, T("PROXY TCP4 "), MORE(32) },
	{ BOTH, T("PROXY TCP4 192."), MORE(32) },
	{ BOTH, T("PROXY TCP4 192.0.2.1"), MORE(34) },
	{ BOTH, T("PROXY TCP4 192.0.2.1 "), MORE(34) },
	{ BOTH, T("PROXY TCP4 192.0.2.1 1.2.3.4 "), MORE(34) },
	/* ... "PROXY TCP6 :: :: 0 0\r\n". */
	{ BOTH, T("PROXY TCP6 "), MORE(22) },
	{ BOTH, T("PROXY TCP6 2001:db8::"), MORE(30) },
	{ BOTH, T("PROXY UNKNOWN"), MORE(15) },
	{ BOTH, T("PROXY UNKNOWN "), MORE(16) },
	{ BOTH, T("PROXY UNKNOWN\r"), MORE(15) },
	{ BOTH, T("PROXY TCP4 1.2.3.4 1.2.3.4 1 2\r"), MORE(32) },
	{ BOTH, T("PROXY TCP4 1.2.3.4 1.2.3.4 1 2"), MORE(32) },
	{ BOTH, T("PROXY TCP4 1.2.3.4 1.2.3.4 1 "), MORE(32) },

	/* v2 PROXY over IPv4 and IPv6. */
	{ BOTH, V2(0x21, 0x11, 12),
	    ADDR("192.0.2.1", "198.51.100.2", 56324, 443),
	    HDR(2, IN4("192.0.2.1", 56324), IN4("198.51.100.2", 443)) },
	{ BOTH, V2(0x21, 0x11, 12),
	    ADDR("255.255.255.255", "0.0.0.0", 65535, 0),
	    HDR(2, IN4("255.255.255.255", 65535), IN4("0.0.0.0", 0)) },
	{ BOTH, V2(0x21, 0x11, 12), ZERO4(2) },
	{ BOTH, V2(0x21, 0x21, 36),
	    ADDR("2001:db8::1", "2001:db8::2", 1234, 80),
	    HDR(2, IN6("2001:db8::1", 1234), IN6("2001:db8::2", 80)) },
	{ PROXY_V2, V2(0x21, 0x21, 36),
	    ADDR("::ffff:192.0.2.1", V6MAX, 0, 65535),
	    HDR(2, IN6("::ffff:192.0.2.1", 0), IN6(V6MAX, 65535)) },
	/* TLVs are skipped by the header's length, not walked. */
	{ BOTH, V2(0x21, 0x21, 36 + 300), ZERO6(2) },
	{ BOTH, V2(0x21, 0x21, 36 + 100), ADDR("2001:db8::1", "2001:db8::2",
	    1, 2), .fill = 0xff,
	    HDR(2, IN6("2001:db8::1", 1), IN6("2001:db8::2", 2)) },
	/* Addresses, then a CRC32C, a 128-byte unique ID and a NOOP. */
	{ BOTH, V2(0x21, 0x11, 12 + 7 + 131 + 3),
	    ADDR("192.0.2.1", "198.51.100.2", 56324, 443),
	    RAW("\x03\x00\x04\xde\xad\xbe\xef" "\x05\x00\x80" U128
	    "\x04\x00\x00"),
	    HDR(2, IN4("192.0.2.1", 56324), IN4("198.51.100.2", 443)) },

	/* LOCAL ignores the family and skips whatever addresses come. */
	{ BOTH, V2(0x20, 0x00, 0), LOCAL(2) },
	{ BOTH, V2(0x20, 0x11, 12),
	    ADDR("192.0.2.1", "198.51.100.2", 56324, 443), LOCAL(2) },
	{ BOTH, V2(0x20, 0x21, 5),
	    ADDR("192.0.2.1", "198.51.100.2", 56324, 443), LOCAL(2) },
	{ BOTH, V2(0x20, 0x12, 0), LOCAL(2) },
	{ BOTH, V2(0x20, 0xff, 0), LOCAL(2) },
	/* UNSPEC: whatever is there is skipped. */
	{ BOTH, V2(0x21, 0x00, 0), LOCAL(2) },
	{ BOTH, V2(0x21, 0x00, 5), RAW("\1\2\3\4\5"), LOCAL(2) },
	{ BOTH, V2(0x21, 0x01, 12), LOCAL(2) },
	{ BOTH, V2(0x21, 0x02, 0), LOCAL(2) },
	/* UNIX: the paths are not used, nor the block's length. */
	{ BOTH, V2(0x21, 0x31, 216),
	    ADDR("/run/client.sock", "/run/forkd.sock", 0, 0), LOCAL(2) },
	{ BOTH, V2(0x21, 0x32, 216),
	    ADDR("/run/client.sock", "/run/forkd.sock", 0, 0), LOCAL(2) },
	{ BOTH, V2(0x21, 0x31, 0), LOCAL(2) },

	/* v2 length: the longest taken, and refused on the fixed part. */
	{ BOTH, V2(0x21, 0x11, PROXY_V2_MAXLEN), ZERO4(2) },
	{ BOTH, V2(0x20, 0x00, PROXY_V2_MAXLEN), LOCAL(2) },
	{ PROXY_V2, V2(0x20, 0x00, PROXY_V2_MAXLEN), .fill = 'x', LOCAL(2) },
	{ BOTH, V2(0x21, 0x31, PROXY_V2_MAXLEN), LOCAL(2) },
	{ BOTH, V2(0x21, 0x11, PROXY_V2_MAXLEN + 1), .cut = 16,
	    ERR("v2 header too long") },
	{ BOTH, V2(0x20, 0x00, PROXY_V2_MAXLEN + 1), .cut = 16,
	    ERR("v2 header too long") },
	{ BOTH, V2(0x21, 0x00, 0xffff), .cut = 16, ERR("v2 header too long") },
	/* The address block must be all there. */
	{ BOTH, V2(0x21, 0x11, 11), .cut = 16,
	    ERR("v2 address block too short") },
	{ BOTH, V2(0x21, 0x11, 0), ERR("v2 address block too short") },
	{ BOTH, V2(0x21, 0x21, 35), .cut = 16,
	    ERR("v2 address block too short") },
	{ BOTH, V2(0x21, 0x21, 12), ERR("v2 address block too short") },
	/* With the fixed part in, need is the whole header. */
	{ BOTH, V2(0x21, 0x11, 300), .cut = 16, MORE(316) },
	{ BOTH, V2(0x21, 0x11, 300), .cut = 15, MORE(16) },
	{ BOTH, V2(0x21, 0x11, 300), .cut = 315, MORE(316) },
	{ BOTH, V2(0x21, 0x11, 12), .cut = 27, MORE(28) },

	/* Refused as soon as the byte that is wrong has come. */
	{ BOTH, T("\r\n\r\n\0\r\nQUIT\r"), ERR("not a PROXY protocol header") },
	{ BOTH, V2(0x01, 0x11, 12), .at = 13, ERR("unsupported v2 version") },
	{ BOTH, V2(0x11, 0x11, 12), .at = 13, ERR("unsupported v2 version") },
	{ BOTH, V2(0x31, 0x11, 12), .at = 13, ERR("unsupported v2 version") },
	{ BOTH, V2(0x30, 0x11, 12), .at = 13, ERR("unsupported v2 version") },
	{ BOTH, V2(0xf1, 0x11, 12), .at = 13, ERR("unsupported v2 version") },
	{ BOTH, V2(0x10, 0x11, 12), .at = 13, ERR("unsupported v2 version") },
	{ BOTH, V2(0x22, 0x11, 12), .at = 13, ERR("unsupported v2 command") },
	{ BOTH, V2(0x23, 0x11, 12), .at = 13, ERR("unsupported v2 command") },
	{ BOTH, V2(0x2f, 0x11, 12), .at = 13, ERR("unsupported v2 command") },
	{ BOTH, V2(0x21, 0x41, 36), .at = 14,
	    ERR("unsupported v2 address family") },
	{ BOTH, V2(0x21, 0x51, 36), .at = 14,
	    ERR("unsupported v2 address family") },
	{ BOTH, V2(0x21, 0xf1, 36), .at = 14,
	    ERR("unsupported v2 address family") },
	{ BOTH, V2(0x21, 0x40, 36), .at = 14,
	    ERR("unsupported v2 address family") },
	/* UDP is refused: this is a TCP connection. */
	{ BOTH, V2(0x21, 0x12, 36), .at = 14, ERR("unsupported v2 transport") },
	{ BOTH, V2(0x21, 0x22, 36), .at = 14, ERR("unsupported v2 transport") },
	{ BOTH, V2(0x21, 0x10, 36), .at = 14, ERR("unsupported v2 transport") },
	{ BOTH, V2(0x21, 0x20, 36), .at = 14, ERR("unsupported v2 transport") },
	{ BOTH, V2(0x21, 0x13, 36), .at = 14, ERR("unsupported v2 transport") },
	{ BOTH, V2(0x21, 0x23, 36), .at = 14, ERR("unsupported v2 transport") },
	{ BOTH, V2(0x21, 0x03, 36), .at = 14, ERR("unsupported v2 transport") },
	{ BOTH, V2(0x21, 0x33, 36), .at = 14, ERR("unsupported v2 transport") },
	{ BOTH, V2(0x21, 0x1f, 36), .at = 14, ERR("unsupported v2 transport") },

	/* The versions allowed; bits beyond the two are ignored. */
	{ PROXY_V2, T("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n"), .at = 1,
	    ERR("v1 header not allowed") },
	{ PROXY_V2, T("PROXY UNKNOWN\r\n"), ERR("v1 header not allowed") },
	{ 0, T("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n"),
	    ERR("no PROXY protocol version allowed") },
	{ 0, T(""), ERR("no PROXY protocol version allowed") },
	{ PROXY_V1, V2(0x21, 0x11, 12), .at = 1, ERR("v2 header not allowed") },
	{ PROXY_V1, T("\r\n\r\n"), ERR("v2 header not allowed") },
	{ 0, V2(0x21, 0x11, 12), ERR("no PROXY protocol version allowed") },
	{ PROXY_V1 | 0x100, T("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n"),
	    HDR(1, IN4("192.0.2.1", 1), IN4("192.0.2.2", 2)) },
	{ PROXY_V2 | 0x100, V2(0x21, 0x11, 12), ZERO4(2) },

	/* Not a PROXY header at all. */
	{ BOTH, T("GET / HTTP/1.0\r\n"), .at = 1,
	    ERR("not a PROXY protocol header") },
	{ BOTH, T("PROXYTCP4 1.2.3.4 1.2.3.4 1 2\r\n"),
	    ERR("not a PROXY protocol header") },
	{ BOTH, T("proxy TCP4"), ERR("not a PROXY protocol header") },
	{ BOTH, T(" PROXY TCP4"), ERR("not a PROXY protocol header") },
	{ BOTH, T("PRX"), ERR("not a PROXY protocol header") },
	{ BOTH, T("PROXY\r\n"), ERR("not a PROXY protocol header") },
	{ BOTH, T("\r\n\r\nHELLO"), ERR("not a PROXY protocol header") },
	{ BOTH, T("\0"), ERR("not a PROXY protocol header") },
	{ BOTH, T("\x16\x03\x01"), ERR("not a PROXY protocol header") },
	{ BOTH, T("SSH-2.0-OpenSSH_9.2\r\n"),
	    ERR("not a PROXY protocol header") },
};

/* What a client may send after its header, some of it header-like. */
static const struct {
	const char	*bytes;
	size_t		 len;
} trailers[] = {
	{ PAYLOAD, sizeof(PAYLOAD) - 1 },
	{ "\r\nPROXY", 7 },
	{ SIG, sizeof(SIG) - 1 },
};

/* Field values refused wherever they stand. */
static const char *const bad_ports[] = {
	"01", "00", "065535", "+1", "-1", "-0", "65536", "99999",
	"100000", "4294967297", "1a", "0x10", "1.0",
};
static const char *const bad4[] = {
	"1.2.3", "1.2.3.256", "01.2.3.4", "1.2.3.4.5", "1.2.3.",
	".1.2.3", "1..2.3", "localhost", "0x7f.0.0.1", "127.1",
	"1.2.3.4/32", "1.2.3.4:80", "::1", "::ffff:1.2.3.4",
	"1.2.3.4\t", "1.2.3.4\v",
};
static const char *const bad6[] = {
	"1.2.3.4", "[::1]", "fe80::1%eth0", "2001:db8::g", ":::",
	"1:2:3:4:5:6:7:8:9", "2001:db8:::1", "::1/128",
	"1111:2222:3333:4444:5555:6666:7777:8888:9999",
	"0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0001",
};


static size_t		build(const struct parse_case *, uint8_t **);
static size_t		encode(const struct parse_case *, uint8_t *);
static void		check(const struct parse_case *);
static void		check_bytes(const struct parse_case *,
			    const uint8_t *, size_t);
static void		check_header(const struct parse_case *,
			    const uint8_t *, size_t);
static void		check_fail(const struct parse_case *,
			    const uint8_t *, size_t);
static void		check_need(const struct parse_case *,
			    const uint8_t *, size_t);
static void		check_line(const char *, const char *);
static void		prefixes(const void *, size_t, int);
static void		fields(const struct proxy_hdr *,
			    const struct parse_case *);
static void		is_addr(const struct sockaddr_storage *,
			    const struct want_addr *);
static void		is_sin(const struct sockaddr_storage *, const char *,
			    unsigned int);
static void		is_sin6(const struct sockaddr_storage *, const char *,
			    unsigned int);
static void		pair(int[2]);
static void		tcp_pair(int[2]);
static void		send_all(int, const void *, size_t);
static void		expect_rest(int, const void *, size_t);
static pid_t		trickle(int, const void *, size_t, int, int);
static void		reap(pid_t);
static long		cpu_ms(void);
static long		wall_ms(void);
static void		on_alarm(int);
static Suite		*proxy_suite(void);

/* The case's input, in a buffer with room for the longest trailer. */
static size_t
build(const struct parse_case *c, uint8_t **out)
{
	uint8_t	*buf;
	size_t	 len, n;

	len = c->text != NULL ? c->textlen : PROXY_V2_HDRLEN + c->bodylen;
	ck_assert_ptr_nonnull(buf = malloc(len + 64));
	if (c->text != NULL)
		memcpy(buf, c->text, len);
	else {
		memcpy(buf, SIG, 12);
		buf[12] = c->vercmd;
		buf[13] = c->fam;
		buf[14] = (uint8_t)(c->bodylen >> 8);
		buf[15] = (uint8_t)c->bodylen;
		memset(buf + 16, c->fill, c->bodylen);
		n = encode(c, buf + 16);
		ck_assert_uint_le(n + c->rawlen, c->bodylen);
		if (c->raw != NULL)
			memcpy(buf + 16 + n, c->raw, c->rawlen);
	}
	if (c->cut != 0) {
		ck_assert_uint_lt(c->cut, len);
		len = c->cut;
	}
	*out = buf;
	return len;
}

/*
 * The case's addresses as a v2 address block, cut to the body's length,
 * at body: returns how many bytes it wrote.
 */
static size_t
encode(const struct parse_case *c, uint8_t *body)
{
	uint8_t	block[216];
	size_t	n;

	if (c->from == NULL)
		return 0;
	memset(block, 0, sizeof(block));
	if (inet_pton(AF_INET, c->from, block) == 1) {
		ck_assert_int_eq(inet_pton(AF_INET, c->to, block + 4), 1);
		n = 12;
	} else if (inet_pton(AF_INET6, c->from, block) == 1) {
		ck_assert_int_eq(inet_pton(AF_INET6, c->to, block + 16), 1);
		n = 36;
	} else {
		ck_assert_uint_le(strlen(c->from), 108);
		ck_assert_uint_le(strlen(c->to), 108);
		memcpy(block, c->from, strlen(c->from));
		memcpy(block + 108, c->to, strlen(c->to));
		n = 216;
	}
	if (n < 216) {
		block[n - 4] = (uint8_t)(c->sport >> 8);
		block[n - 3] = (uint8_t)c->sport;
		block[n - 2] = (uint8_t)(c->dport >> 8);
		block[n - 1] = (uint8_t)c->dport;
	}
	if (n > c->bodylen)
		n = c->bodylen;
	memcpy(body, block, n);
	return n;
}

static void
check(const struct parse_case *c)
{
	uint8_t	*buf;
	size_t	 len;

	len = build(c, &buf);
	check_bytes(c, buf, len);
	free(buf);
}

/*
 * Whatever the case wants, proxy_parse also gives the same answer with no
 * need or errstr to fill, and leaves the caller's structure alone unless
 * it returns a header.
 */
static void
check_bytes(const struct parse_case *c, const uint8_t *buf, size_t len)
{
	struct proxy_hdr	h;
	ssize_t			r;

	switch (c->want) {
	case HEADER:
		check_header(c, buf, len);
		break;
	case NEED:
		check_need(c, buf, len);
		break;
	case FAIL:
		check_fail(c, buf, len);
		break;
	default:
		ck_abort_msg("a case without an expectation");
	}
	r = proxy_parse(buf, len, c->accept, &h, NULL, NULL);
	ck_assert_int_eq(r, c->want == HEADER ? (ssize_t)len :
	    c->want == NEED ? 0 : -1);
}

/*
 * buf holds a valid header of len bytes.  The parse returns len, with or
 * without a client's bytes after it and with only its own version
 * allowed, and the header's fields; every prefix asks for more, never for
 * more than len.  proxy_read reads the header and not a byte of what
 * follows, without waiting for more.
 */
static void
check_header(const struct parse_case *c, const uint8_t *hdr, size_t len)
{
	struct proxy_hdr	 h;
	uint8_t			*buf;
	const char		*errstr = NULL;
	size_t			 i, n;
	ssize_t			 r;
	int			 fd[2], own;

	own = c->version == 1 ? PROXY_V1 : PROXY_V2;
	ck_assert_int_ne(c->accept & own, 0);
	ck_assert_ptr_nonnull(buf = malloc(len + 64));
	memcpy(buf, hdr, len);
	for (i = 0; i < NITEMS(trailers); i++) {
		n = trailers[i].len;
		memcpy(buf + len, trailers[i].bytes, n);
		memset(&h, 0xa5, sizeof(h));
		r = proxy_parse(buf, len + n, c->accept, &h, NULL, &errstr);
		ck_assert_msg(r == (ssize_t)len,
		    "parse returned %zd, not %zu (%s)", r, len,
		    r == -1 ? errstr : "");
		fields(&h, c);

		pair(fd);
		send_all(fd[1], buf, len + n);
		memset(&h, 0xa5, sizeof(h));
		ck_assert_msg(proxy_read(fd[0], c->accept, 2000, &h,
		    &errstr) == 0, "proxy_read: %s", errstr);
		fields(&h, c);
		close(fd[1]);
		expect_rest(fd[0], trailers[i].bytes, n);
		close(fd[0]);
	}
	free(buf);

	memset(&h, 0xa5, sizeof(h));
	r = proxy_parse(hdr, len, own, &h, NULL, &errstr);
	ck_assert_msg(r == (ssize_t)len, "own version: %zd (%s)", r,
	    r == -1 ? errstr : "");
	fields(&h, c);
	prefixes(hdr, len, c->accept);
	prefixes(hdr, len, own);
}

/*
 * The parse fails, with the case's error, and leaves the caller's
 * structure alone; so does proxy_read, on what has come, without waiting
 * for more.  A case with at fails the same way from at bytes on, and asks
 * for more with one byte fewer.
 */
static void
check_fail(const struct parse_case *c, const uint8_t *buf, size_t len)
{
	struct proxy_hdr	 h, before;
	const char		*errstr;
	size_t			 need, k;
	ssize_t			 r;
	long			 t0;
	int			 fd[2];

	memset(&h, 0xa5, sizeof(h));
	before = h;
	ck_assert_uint_le(c->at, len);
	for (k = c->at != 0 ? c->at : len; k <= len; k++) {
		errstr = NULL;
		need = 12345;
		r = proxy_parse(buf, k, c->accept, &h, &need, &errstr);
		ck_assert_msg(r == -1, "%zu of %zu bytes: %zd, need %zu", k,
		    len, r, need);
		ck_assert_msg(errstr != NULL && strcmp(errstr, c->err) == 0,
		    "%zu of %zu bytes: \"%s\", not \"%s\"", k, len, errstr,
		    c->err);
		ck_assert(memcmp(&h, &before, sizeof(h)) == 0);
	}
	if (c->at != 0) {
		r = proxy_parse(buf, c->at - 1, c->accept, &h, &need, &errstr);
		ck_assert_msg(r == 0, "%zu bytes: %zd", c->at - 1, r);
	}

	pair(fd);
	send_all(fd[1], buf, len);
	errstr = NULL;
	t0 = wall_ms();
	ck_assert_int_eq(proxy_read(fd[0], c->accept, 2000, &h, &errstr), -1);
	ck_assert_ptr_nonnull(errstr);
	ck_assert_str_eq(errstr, c->err);
	ck_assert_int_lt(wall_ms() - t0, 1000);
	ck_assert(memcmp(&h, &before, sizeof(h)) == 0);
	close(fd[0]);
	close(fd[1]);
}

/*
 * The parse asks for the case's need, and leaves the caller's structure
 * alone; proxy_read, when the client closes after these bytes, fails.
 */
static void
check_need(const struct parse_case *c, const uint8_t *buf, size_t len)
{
	struct proxy_hdr	 h, before;
	const char		*errstr = NULL;
	size_t			 need = 0;
	ssize_t			 r;
	int			 fd[2];

	memset(&h, 0xa5, sizeof(h));
	before = h;
	r = proxy_parse(buf, len, c->accept, &h, &need, &errstr);
	ck_assert_msg(r == 0, "%zd (%s)", r, r == -1 ? errstr : "");
	ck_assert_uint_eq(need, c->need);
	ck_assert_uint_gt(need, len);
	ck_assert(memcmp(&h, &before, sizeof(h)) == 0);

	pair(fd);
	send_all(fd[1], buf, len);
	close(fd[1]);
	ck_assert_int_eq(proxy_read(fd[0], c->accept, 2000, &h, &errstr), -1);
	ck_assert_str_eq(errstr, len == 0 ? "connection closed before header" :
	    "truncated header");
	ck_assert(memcmp(&h, &before, sizeof(h)) == 0);
	close(fd[0]);
}

/* A v1 line that fails with err. */
static void
check_line(const char *line, const char *err)
{
	check(&(const struct parse_case){ BOTH, .text = line,
	    .textlen = strlen(line), ERR(err) });
}

/*
 * Every proper prefix of a header of hlen bytes asks for more, and never
 * for more than hlen: reading what *need says stops at the header's end.
 */
static void
prefixes(const void *buf, size_t hlen, int accept)
{
	struct proxy_hdr	 h;
	const char		*errstr = NULL;
	size_t			 k, need;
	ssize_t			 r;

	for (k = 0; k < hlen; k++) {
		need = 0;
		r = proxy_parse(buf, k, accept, &h, &need, &errstr);
		ck_assert_msg(r == 0, "prefix of %zu/%zu bytes: %zd (%s)",
		    k, hlen, r, r == -1 ? errstr : "header");
		ck_assert_msg(need > k && need <= hlen,
		    "prefix of %zu/%zu bytes needs %zu", k, hlen, need);
	}
}

static void
fields(const struct proxy_hdr *h, const struct parse_case *c)
{
	ck_assert_int_eq(h->version, c->version);
	ck_assert_int_eq(h->local, c->local);
	is_addr(&h->src, &c->src);
	is_addr(&h->dst, &c->dst);
}

/* The address, and not a byte more: every other byte is zero. */
static void
is_addr(const struct sockaddr_storage *ss, const struct want_addr *want)
{
	struct sockaddr_storage	 exact;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&exact;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&exact;

	memset(&exact, 0, sizeof(exact));
	switch (want->family) {
	case AF_INET:
		is_sin(ss, want->ip, want->port);
		sin->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, want->ip, &sin->sin_addr),
		    1);
		sin->sin_port = htons(want->port);
		break;
	case AF_INET6:
		is_sin6(ss, want->ip, want->port);
		sin6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, want->ip,
		    &sin6->sin6_addr), 1);
		sin6->sin6_port = htons(want->port);
		break;
	}
	ck_assert(memcmp(ss, &exact, sizeof(exact)) == 0);
}

static void
is_sin(const struct sockaddr_storage *ss, const char *ip, unsigned int port)
{
	const struct sockaddr_in	*sin = (const struct sockaddr_in *)ss;
	char				 text[INET_ADDRSTRLEN];

	ck_assert_int_eq(ss->ss_family, AF_INET);
	ck_assert(inet_ntop(AF_INET, &sin->sin_addr, text,
	    sizeof(text)) != NULL);
	ck_assert_str_eq(text, ip);
	ck_assert_uint_eq(ntohs(sin->sin_port), port);
}

static void
is_sin6(const struct sockaddr_storage *ss, const char *ip, unsigned int port)
{
	const struct sockaddr_in6	*sin6 = (const struct sockaddr_in6 *)ss;
	char				 text[INET6_ADDRSTRLEN];

	ck_assert_int_eq(ss->ss_family, AF_INET6);
	ck_assert(inet_ntop(AF_INET6, &sin6->sin6_addr, text,
	    sizeof(text)) != NULL);
	ck_assert_str_eq(text, ip);
	ck_assert_uint_eq(ntohs(sin6->sin6_port), port);
	ck_assert_uint_eq(sin6->sin6_flowinfo, 0);
	ck_assert_uint_eq(sin6->sin6_scope_id, 0);
}

static void
pair(int fd[2])
{
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, fd), 0);
}

/* A connected loopback TCP pair: fd[0] the server's end. */
static void
tcp_pair(int fd[2])
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof(sin);
	int			s;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_ne(s = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sin, sizeof(sin)), 0);
	ck_assert_int_eq(listen(s, 1), 0);
	ck_assert_int_eq(getsockname(s, (struct sockaddr *)&sin, &len), 0);
	ck_assert_int_ne(fd[1] = socket(AF_INET, SOCK_STREAM, 0), -1);
	ck_assert_int_eq(connect(fd[1], (struct sockaddr *)&sin,
	    sizeof(sin)), 0);
	ck_assert_int_ne(fd[0] = accept(s, NULL, NULL), -1);
	close(s);
}

static void
send_all(int fd, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		n = write(fd, p, len);
		ck_assert_msg(n > 0, "write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

/* What is left in the socket is exactly want, then EOF. */
static void
expect_rest(int fd, const void *want, size_t len)
{
	char	buf[1024];
	size_t	got = 0;
	ssize_t	n;

	ck_assert(len <= sizeof(buf));
	while ((n = read(fd, buf + got, sizeof(buf) - got)) > 0)
		got += (size_t)n;
	ck_assert_int_eq(n, 0);
	ck_assert_uint_eq(got, len);
	ck_assert(memcmp(buf, want, len) == 0);
}

/*
 * A writer process: len bytes in chunks of chunk bytes, delay_ms apart,
 * then it closes its end.
 */
static pid_t
trickle(int fd, const void *buf, size_t len, int chunk, int delay_ms)
{
	const struct timespec	 ts = { 0, delay_ms * 1000000L };
	const uint8_t		*p = buf;
	size_t			 n;
	pid_t			 pid;

	ck_assert_int_ne(pid = fork(), -1);
	if (pid != 0)
		return pid;
	while (len > 0) {
		n = len < (size_t)chunk ? len : (size_t)chunk;
		if (write(fd, p, n) != (ssize_t)n)
			_exit(1);
		p += n;
		len -= n;
		nanosleep(&ts, NULL);
	}
	_exit(0);
}

/*
 * SIGKILL, for the writer inherits Check's SIGTERM handler, which would
 * pass the signal on to the whole test.
 */
static void
reap(pid_t pid)
{
	int	status;

	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
}

static long
cpu_ms(void)
{
	struct rusage	ru;

	ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
	return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000L +
	    (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000L;
}

static long
wall_ms(void)
{
	struct timespec	ts;

	ck_assert_int_eq(clock_gettime(CLOCK_MONOTONIC, &ts), 0);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void
on_alarm(int sig)
{
	(void)sig;
}

START_TEST(parse)
{
	check(&cases[_i]);
}
END_TEST

START_TEST(v1_port)
{
	char	line[128];

	snprintf(line, sizeof(line),
	    "PROXY TCP4 192.0.2.1 192.0.2.2 %s 80\r\n", bad_ports[_i]);
	check_line(line, "bad v1 port");
	snprintf(line, sizeof(line), "PROXY TCP6 ::1 ::2 80 %s\r\n",
	    bad_ports[_i]);
	check_line(line, "bad v1 port");
}
END_TEST

START_TEST(v1_address4)
{
	char	line[160];

	snprintf(line, sizeof(line), "PROXY TCP4 %s 192.0.2.2 1 2\r\n",
	    bad4[_i]);
	check_line(line, "bad v1 address");
	snprintf(line, sizeof(line), "PROXY TCP4 192.0.2.1 %s 1 2\r\n",
	    bad4[_i]);
	check_line(line, "bad v1 address");
}
END_TEST

START_TEST(v1_address6)
{
	char	line[160];

	snprintf(line, sizeof(line), "PROXY TCP6 %s ::2 1 2\r\n", bad6[_i]);
	check_line(line, "bad v1 address");
	snprintf(line, sizeof(line), "PROXY TCP6 ::1 %s 1 2\r\n", bad6[_i]);
	check_line(line, "bad v1 address");
}
END_TEST

/* Byte _i of the signature wrong: refused as soon as it has come. */
START_TEST(v2_signature)
{
	const struct parse_case	 c = { BOTH, V2(0x21, 0x11, 12),
	    ADDR("192.0.2.1", "198.51.100.2", 56324, 443), .at = _i + 1,
	    ERR("not a PROXY protocol header") };
	uint8_t			*buf;
	size_t			 len;

	len = build(&c, &buf);
	buf[_i] ^= 0x01;
	check_bytes(&c, buf, len);
	free(buf);
}
END_TEST

START_TEST(v1_length)
{
	char	line[300];

	ck_assert_uint_eq(strlen(V1_LONGEST), PROXY_V1_MAXLEN);
	check(&(const struct parse_case){ BOTH, T(V1_LONGEST), LOCAL(1) });

	/* 107 bytes with the CRLF is the most, 108 too many. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "PROXY UNKNOWN ", 14);
	memcpy(line + PROXY_V1_MAXLEN - 2, "\r\n", 3);
	ck_assert_uint_eq(strlen(line), PROXY_V1_MAXLEN);
	check(&(const struct parse_case){ BOTH, .text = line,
	    .textlen = PROXY_V1_MAXLEN, LOCAL(1) });
	memset(line + 14, 'x', sizeof(line) - 14);
	memcpy(line + PROXY_V1_MAXLEN - 1, "\r\n", 3);
	ck_assert_uint_eq(strlen(line), PROXY_V1_MAXLEN + 1);
	check_line(line, "v1 header too long");

	/* The CR alone at byte 108 already makes the line too long. */
	line[PROXY_V1_MAXLEN] = '\0';
	check_line(line, "v1 header too long");

	/* No CRLF in the first 107 bytes, or no room left for one. */
	memset(line + 14, 'x', sizeof(line) - 15);
	line[sizeof(line) - 1] = '\0';
	check_line(line, "v1 header too long");
	line[PROXY_V1_MAXLEN] = '\0';
	check_line(line, "v1 header too long");
	line[PROXY_V1_MAXLEN - 1] = '\0';
	check_line(line, "v1 header too long");
	line[PROXY_V1_MAXLEN - 2] = '\0';
	check(&(const struct parse_case){ BOTH, .text = line,
	    .textlen = PROXY_V1_MAXLEN - 2, MORE(PROXY_V1_MAXLEN) });

	/*
	 * Two of the longest IPv6 addresses inet_pton takes leave no room
	 * for the ports, which is known before they come.
	 */
	ck_assert_uint_eq(strlen(V6LONG), INET6_ADDRSTRLEN - 1);
	check(&(const struct parse_case){ BOTH,
	    T("PROXY TCP6 " V6LONG " ::1 0 0\r\n"),
	    HDR(1, IN6(V6MAX, 0), IN6("::1", 0)) });
	check(&(const struct parse_case){ BOTH,
	    T("PROXY TCP6 " V6LONG " " V6MAX " 0 0\r\n"),
	    HDR(1, IN6(V6MAX, 0), IN6(V6MAX, 0)) });
	check_line("PROXY TCP6 " V6LONG " " V6LONG " 0 0\r\n",
	    "v1 header too long");
	check_line("PROXY TCP6 " V6LONG " " V6LONG, "v1 header too long");
	check_line("PROXY TCP6 " V6LONG " " V6MAX " 65535 655",
	    "v1 header too long");
}
END_TEST

START_TEST(null_outputs)
{
	struct proxy_hdr	h;
	const char		*line = "PROXY UNKNOWN\r\n";

	ck_assert_int_eq(proxy_parse(line, 15, BOTH, &h, NULL, NULL), 15);
	ck_assert_int_eq(proxy_parse(line, 14, BOTH, &h, NULL, NULL), 0);
	ck_assert_int_eq(proxy_parse("GET", 3, BOTH, &h, NULL, NULL), -1);
	ck_assert_int_eq(proxy_parse(line, 15, 0, &h, NULL, NULL), -1);
}
END_TEST

START_TEST(read_tcp)
{
	struct proxy_hdr	 h;
	const char		*line, *errstr = NULL;
	int			 fd[2];

	tcp_pair(fd);
	line = "PROXY TCP6 2001:db8::1 2001:db8::2 1234 80\r\n" PAYLOAD;
	send_all(fd[1], line, strlen(line));
	ck_assert_int_eq(shutdown(fd[1], SHUT_WR), 0);
	ck_assert_msg(proxy_read(fd[0], PROXY_V1, 2000, &h, &errstr) == 0,
	    "%s", errstr);
	is_sin6(&h.src, "2001:db8::1", 1234);
	is_sin6(&h.dst, "2001:db8::2", 80);
	expect_rest(fd[0], PAYLOAD, sizeof(PAYLOAD) - 1);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

START_TEST(read_nonblocking)
{
	struct proxy_hdr	 h;
	uint8_t			*buf;
	const char		*errstr = NULL;
	size_t			 len;
	pid_t			 pid;
	int			 fd[2];

	len = build(&(const struct parse_case){ BOTH, V2(0x21, 0x21, 36),
	    ADDR("2001:db8::1", "2001:db8::2", 1, 2) }, &buf);
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	pair(fd);
	ck_assert_int_ne(fcntl(fd[0], F_SETFL, O_NONBLOCK), -1);
	pid = trickle(fd[1], buf, len + sizeof(PAYLOAD) - 1, 7, 5);
	close(fd[1]);
	ck_assert_msg(proxy_read(fd[0], BOTH, 5000, &h, &errstr) == 0,
	    "%s", errstr);
	is_sin6(&h.dst, "2001:db8::2", 2);
	ck_assert_int_ne(fcntl(fd[0], F_SETFL, 0), -1);
	expect_rest(fd[0], PAYLOAD, sizeof(PAYLOAD) - 1);
	close(fd[0]);
	reap(pid);
	free(buf);
}
END_TEST

/* One byte at a time from a writer process, header and payload. */
START_TEST(read_bytewise)
{
	static const char *const lines[] = {
		"PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n" PAYLOAD,
		"PROXY UNKNOWN\r\n" PAYLOAD,
		"PROXY UNKNOWN x\r\n" PAYLOAD,
	};
	struct proxy_hdr	 h;
	uint8_t			*buf;
	const char		*errstr = NULL;
	size_t			 len, i;
	pid_t			 pid;
	int			 fd[2];

	for (i = 0; i < NITEMS(lines); i++) {
		pair(fd);
		pid = trickle(fd[1], lines[i], strlen(lines[i]), 1, 1);
		close(fd[1]);
		ck_assert_msg(proxy_read(fd[0], BOTH, 5000, &h, &errstr) == 0,
		    "%s", errstr);
		ck_assert_int_eq(h.version, 1);
		expect_rest(fd[0], PAYLOAD, sizeof(PAYLOAD) - 1);
		close(fd[0]);
		reap(pid);
	}

	len = build(&(const struct parse_case){ BOTH, V2(0x21, 0x11, 12 + 20),
	    ADDR("192.0.2.1", "198.51.100.2", 56324, 443) }, &buf);
	memcpy(buf + len, PAYLOAD, sizeof(PAYLOAD) - 1);
	pair(fd);
	pid = trickle(fd[1], buf, len + sizeof(PAYLOAD) - 1, 1, 1);
	close(fd[1]);
	ck_assert_msg(proxy_read(fd[0], BOTH, 5000, &h, &errstr) == 0,
	    "%s", errstr);
	is_sin(&h.dst, "198.51.100.2", 443);
	expect_rest(fd[0], PAYLOAD, sizeof(PAYLOAD) - 1);
	close(fd[0]);
	reap(pid);
	free(buf);
}
END_TEST

/* A descriptor that is not open. */
START_TEST(read_badfd)
{
	struct proxy_hdr	 h;
	const char		*errstr = NULL;
	int			 fd[2];

	pair(fd);
	close(fd[0]);
	close(fd[1]);
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 1000, &h, &errstr), -1);
	ck_assert_str_eq(errstr, strerror(EBADF));
}
END_TEST

/*
 * Silence, or part of a header then silence, ends with the timeout, and
 * the wait for it costs next to no CPU.
 */
START_TEST(read_timeout)
{
	struct proxy_hdr	 h;
	const char		*errstr = NULL;
	long			 t0, c0, dt;
	int			 fd[2];

	pair(fd);
	t0 = wall_ms();
	c0 = cpu_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 200, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "timeout waiting for header");
	dt = wall_ms() - t0;
	ck_assert_int_ge(dt, 200);
	ck_assert_int_lt(dt, 1500);
	ck_assert_int_lt(cpu_ms() - c0, 50);
	close(fd[0]);
	close(fd[1]);

	pair(fd);
	send_all(fd[1], "PROXY TCP4 192.0.2.1 19", 23);
	t0 = wall_ms();
	c0 = cpu_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 200, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "timeout waiting for header");
	dt = wall_ms() - t0;
	ck_assert_int_ge(dt, 200);
	ck_assert_int_lt(dt, 1500);
	ck_assert_int_lt(cpu_ms() - c0, 50);
	close(fd[0]);
	close(fd[1]);

	pair(fd);
	send_all(fd[1], SIG "\x21\x11\x00\x0c", 16);
	c0 = cpu_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 200, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "timeout waiting for header");
	ck_assert_int_lt(cpu_ms() - c0, 50);
	close(fd[0]);
	close(fd[1]);
}
END_TEST

/*
 * The timeout is for the whole header, however slowly it trickles in, and
 * a wait after the last byte ends with it too.
 */
START_TEST(read_deadline)
{
	struct proxy_hdr	 h;
	char			 line[PROXY_V1_MAXLEN];
	const char		*errstr = NULL;
	long			 t0, dt;
	pid_t			 pid;
	int			 fd[2];

	memset(line, 'x', sizeof(line));
	memcpy(line, "PROXY UNKNOWN ", 14);
	memcpy(line + sizeof(line) - 2, "\r\n", 2);

	/* The whole line would take more than 2 s. */
	pair(fd);
	pid = trickle(fd[1], line, sizeof(line), 1, 20);
	t0 = wall_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 300, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "timeout waiting for header");
	dt = wall_ms() - t0;
	ck_assert_int_ge(dt, 300);
	ck_assert_int_lt(dt, 1000);
	close(fd[0]);
	close(fd[1]);
	reap(pid);

	/* Bytes for some 350 ms, then nothing: 400 ms is all it gets. */
	pair(fd);
	pid = trickle(fd[1], line, 8, 1, 50);
	t0 = wall_ms();
	ck_assert_int_eq(proxy_read(fd[0], BOTH, 400, &h, &errstr), -1);
	ck_assert_str_eq(errstr, "timeout waiting for header");
	dt = wall_ms() - t0;
	ck_assert_int_ge(dt, 400);
	ck_assert_int_lt(dt, 600);
	close(fd[0]);
	close(fd[1]);
	reap(pid);
}
END_TEST

/* A signal in the middle of the wait is no reason to give up. */
START_TEST(read_eintr)
{
	struct sigaction	 sa;
	struct itimerval	 it;
	struct proxy_hdr	 h;
	const char		*line, *errstr = NULL;
	pid_t			 pid;
	int			 fd[2];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGALRM, &sa, NULL), 0);
	memset(&it, 0, sizeof(it));
	it.it_value.tv_usec = 20000;
	it.it_interval.tv_usec = 20000;
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);

	pair(fd);
	line = "PROXY TCP4 192.0.2.1 198.51.100.2 56324 443\r\n" PAYLOAD;
	pid = trickle(fd[1], line, strlen(line), 5, 30);
	close(fd[1]);
	ck_assert_msg(proxy_read(fd[0], BOTH, 5000, &h, &errstr) == 0,
	    "%s", errstr);
	memset(&it, 0, sizeof(it));
	ck_assert_int_eq(setitimer(ITIMER_REAL, &it, NULL), 0);
	is_sin(&h.src, "192.0.2.1", 56324);
	expect_rest(fd[0], PAYLOAD, sizeof(PAYLOAD) - 1);
	close(fd[0]);
	reap(pid);
}
END_TEST

static Suite *
proxy_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("proxy");

	tc = tcase_create("headers");
	tcase_add_loop_test(tc, parse, 0, NITEMS(cases));
	suite_add_tcase(s, tc);

	tc = tcase_create("generated");
	tcase_add_loop_test(tc, v1_port, 0, NITEMS(bad_ports));
	tcase_add_loop_test(tc, v1_address4, 0, NITEMS(bad4));
	tcase_add_loop_test(tc, v1_address6, 0, NITEMS(bad6));
	tcase_add_loop_test(tc, v2_signature, 0, 12);
	suite_add_tcase(s, tc);

	tc = tcase_create("limits");
	tcase_add_test(tc, v1_length);
	tcase_add_test(tc, null_outputs);
	suite_add_tcase(s, tc);

	tc = tcase_create("read");
	tcase_add_test(tc, read_tcp);
	tcase_add_test(tc, read_nonblocking);
	tcase_add_test(tc, read_bytewise);
	tcase_add_test(tc, read_badfd);
	tcase_add_test(tc, read_timeout);
	tcase_add_test(tc, read_deadline);
	tcase_add_test(tc, read_eintr);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	return s;
}

CHECK_MAIN(proxy_suite)
