/* SPDX-License-Identifier: ISC */
/*
 * The configuration parser's lexer and its messages: every error and
 * warning as "file:line: message", with the words of the file quoted so
 * that no byte of it reaches a terminal or a log as it is.  A directive's
 * arguments are read here; what they mean is confdirective.c's.
 */

#include "config.h"

#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "confparse.h"

#define ERRORS_MAX	100

static int	errors_vadd(struct conf_errors *, const char *, int,
		    const char *, va_list)
		    __attribute__((__format__(__printf__, 4, 0)));
static void	conf_verr(struct parser *, const char *, int, const char *,
		    va_list) __attribute__((__format__(__printf__, 4, 0)));
static size_t	utf8_len(const unsigned char *);
static int	lex_special(int);
static enum token lex_word(struct parser *);

/*
 * Append "file:line: message", or "file: message" when line is 0, to the
 * list.  Returns -1 when out of memory.
 */
static int
errors_vadd(struct conf_errors *e, const char *file, int line,
    const char *fmt, va_list ap)
{
	char	*msg, *s, **m;
	int	 r;

	if (vasprintf(&msg, fmt, ap) == -1)
		return -1;
	if (line > 0)
		r = asprintf(&s, "%s:%d: %s", file, line, msg);
	else
		r = asprintf(&s, "%s: %s", file, msg);
	free(msg);
	if (r == -1)
		return -1;
	if ((m = reallocarray(e->msg, e->n + 1, sizeof(*m))) == NULL) {
		free(s);
		return -1;
	}
	e->msg = m;
	e->msg[e->n++] = s;
	return 0;
}

int
conf_errors_add(struct conf_errors *e, const char *file, int line,
    const char *fmt, ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = errors_vadd(e, file, line, fmt, ap);
	va_end(ap);
	return r;
}

/*
 * Errors.  After ERRORS_MAX of them the parse stops: a binary file would
 * otherwise bury the first, useful ones under thousands of others.
 */
static void
conf_verr(struct parser *p, const char *file, int line, const char *fmt,
    va_list ap)
{
	int	r;

	if (p->stop)
		return;
	if (p->nerr == ERRORS_MAX) {
		p->stop = 1;
		r = conf_errors_add(p->errs, file, line, "too many errors");
	} else
		r = errors_vadd(p->errs, file, line, fmt, ap);
	if (r == -1) {
		p->nomem = p->stop = 1;
		return;
	}
	p->nerr++;
}

void
conf_errat(struct parser *p, const char *file, int line, const char *fmt,
    ...)
{
	va_list	ap;

	va_start(ap, fmt);
	conf_verr(p, file, line, fmt, ap);
	va_end(ap);
}

/*
 * A warning: something the configuration does that its author may not
 * mean.  It goes with the configuration, which it does not stop.
 */
void
conf_warnat(struct parser *p, const char *file, int line, const char *fmt,
    ...)
{
	va_list	ap;
	int	r;

	va_start(ap, fmt);
	r = errors_vadd(&p->conf->warnings, file, line, fmt, ap);
	va_end(ap);
	if (r == -1)
		p->nomem = p->stop = 1;
}

/* An error at the current token. */
void
conf_err(struct parser *p, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	conf_verr(p, p->src->name, p->src->noline ? 0 : p->src->tokline,
	    fmt, ap);
	va_end(ap);
}

/* Out of memory: say so if that still can be said, and stop. */
int
conf_nomem(struct parser *p)
{
	if (p->src != NULL)
		conf_err(p, "out of memory");
	p->nomem = p->stop = 1;
	return -1;
}

/*
 * The length of the UTF-8 sequence at s, or 0 if it is not one, or if it
 * is a C1 control character (U+0080 to U+009F: U+009B is CSI, which a
 * terminal takes as ESC [).  The bounds of the second byte are those of
 * RFC 3629: no overlong form, no surrogate, nothing beyond U+10FFFF.
 */
static size_t
utf8_len(const unsigned char *s)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		if (s[0] == 0xc2)
			lo = 0xa0;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/*
 * A word as a message shows it: quoted, with quotes, backslashes, control
 * characters and bytes that are not UTF-8 escaped, so that a file cannot
 * write escape sequences or garbage to a terminal or a log, and cut
 * short.  Four buffers turn, enough for any message.
 */
const char *
conf_quote(struct parser *p, const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	char			*buf, *o;
	size_t			 i, n;

	buf = o = p->quote[p->nquote++ % nitems(p->quote)];
	*o++ = '"';
	for (i = 0; u[i] != '\0'; i += n) {
		n = 1;
		if (i >= QUOTE_MAX) {
			memcpy(o, "...", 3);
			o += 3;
			break;
		}
		if (u[i] == '"' || u[i] == '\\') {
			*o++ = '\\';
			*o++ = (char)u[i];
		} else if (u[i] < 0x20 || u[i] == 0x7f ||
		    (u[i] >= 0x80 && (n = utf8_len(u + i)) == 0)) {
			o += snprintf(o, 5, "\\x%02x", u[i]);
			n = 1;
		} else {
			memcpy(o, u + i, n);
			o += n;
		}
	}
	*o++ = '"';
	*o = '\0';
	return buf;
}

/*
 * The lexer.  A word is a run of bare characters and double-quoted
 * strings with nothing between them, as in the shell: env A="x y" is one
 * word.  Bare words end at space, '#', ';', ',', '{', '}' and NUL.
 */
static int
lex_special(int c)
{
	switch (c) {
	case ' ': case '\t': case '\r': case '\f': case '\v': case '\n':
	case '#': case ';': case ',': case '{': case '}': case '\0':
		return 1;
	default:
		return 0;
	}
}

static enum token
lex_word(struct parser *p)
{
	struct src	*s = p->src;
	const char	*err = NULL;
	size_t		 n = 0;
	int		 c, quoted = 0, esc = 0;

	while (s->off < s->len) {
		c = (unsigned char)s->buf[s->off];
		if (!quoted) {
			if (lex_special(c))
				break;
			s->off++;
			if (c == '"') {
				quoted = 1;
				continue;
			}
		} else {
			/* A string ends on its line: use \n for a newline. */
			if (c == '\n')
				break;
			s->off++;
			if (c == '"') {
				quoted = 0;
				continue;
			}
			if (c == '\\') {
				if (s->off == s->len || s->buf[s->off] == '\n')
					break;
				c = (unsigned char)s->buf[s->off++];
				switch (c) {
				case '"': case '\\':
					break;
				case 'n':
					c = '\n';
					break;
				case 'r':
					c = '\r';
					break;
				case 't':
					c = '\t';
					break;
				default:
					if (err == NULL) {
						err = "bad escape";
						esc = c;
					}
				}
			} else if (c == '\0' && err == NULL)
				err = "NUL byte";
		}
		if (n < WORD_MAX)
			p->word[n++] = (char)c;
		else if (err == NULL)
			err = "word too long";
	}
	p->word[n] = '\0';
	if (quoted)
		err = "unterminated string";
	if (err == NULL)
		return T_WORD;
	if (p->skipping)
		return T_ERROR;
	if (!quoted && esc > 0x20 && esc < 0x7f)
		conf_err(p, "bad escape \"\\%c\"", esc);
	else
		conf_err(p, "%s", err);
	return T_ERROR;
}

enum token
conf_lex(struct parser *p)
{
	struct src	*s = p->src;
	const char	*nl;
	enum token	 t;

	if ((t = p->back) != T_NONE) {
		p->back = T_NONE;
		return t;
	}
	while (!p->stop && s->off < s->len) {
		s->tokline = s->line;
		switch (s->buf[s->off]) {
		case ' ': case '\t': case '\r': case '\f': case '\v':
			s->off++;
			break;
		case '#':
			nl = memchr(s->buf + s->off, '\n', s->len - s->off);
			s->off = nl != NULL ? (size_t)(nl - s->buf) : s->len;
			break;
		case '\n':
			s->off++;
			s->line++;
			return T_EOD;
		case ';':
			s->off++;
			return T_EOD;
		case '{':
			s->off++;
			return T_LBRACE;
		case '}':
			s->off++;
			return T_RBRACE;
		case ',':
			s->off++;
			return T_COMMA;
		case '\0':
			s->off++;
			if (!p->skipping)
				conf_err(p, "NUL byte");
			return T_ERROR;
		default:
			return lex_word(p);
		}
	}
	s->tokline = s->line;
	return T_EOF;
}

/*
 * Skip the rest of a bad directive, and the block it opens if it does:
 * without a counter of braces, the inside of a misspelt service would be
 * read as global directives.  A counter, not recursion, so that any depth
 * of braces is safe.
 */
void
conf_skip(struct parser *p)
{
	enum token	t;
	size_t		depth = 0;

	p->skipping = 1;
	for (;;) {
		t = conf_lex(p);
		if (t == T_EOF || (t == T_RBRACE && depth == 0)) {
			p->back = t;
			break;
		}
		if (t == T_EOD && depth == 0)
			break;
		if (t == T_LBRACE)
			depth++;
		else if (t == T_RBRACE && --depth == 0)
			break;
	}
	p->skipping = 0;
}

/* After an unexpected token t: skip what is left of the directive. */
void
conf_recover(struct parser *p, enum token t)
{
	if (t == T_EOD || t == T_EOF || t == T_LBRACE || t == T_RBRACE)
		p->back = t;
	conf_skip(p);
}

/* The argument vector always has room for its terminating NULL. */
int
conf_args_push(struct parser *p, const char *w)
{
	char	**a;
	size_t	  cap;

	if (p->nargs + 2 > p->argscap) {
		cap = p->argscap == 0 ? 8 : p->argscap * 2;
		if ((a = reallocarray(p->args, cap, sizeof(*a))) == NULL)
			return conf_nomem(p);
		p->args = a;
		p->argscap = cap;
	}
	if ((p->args[p->nargs] = strdup(w)) == NULL)
		return conf_nomem(p);
	p->args[++p->nargs] = NULL;
	return 0;
}

void
conf_args_clear(struct parser *p)
{
	size_t	i;

	for (i = 0; i < p->nargs; i++)
		free(p->args[i]);
	p->nargs = 0;
	if (p->args != NULL)
		p->args[0] = NULL;
}

/* Take argument i over: the caller frees it. */
char *
conf_args_steal(struct parser *p, size_t i)
{
	char	*s = p->args[i];

	p->args[i] = NULL;
	return s;
}

/*
 * Collect the arguments of a directive up to its end, which is consumed
 * (a '}' or the end of the source is left for the caller); commas may
 * separate them in a list.  On an error, reported here, the rest of the
 * directive is skipped and -1 returned.
 */
int
conf_args_read(struct parser *p, int list)
{
	enum token	t;
	int		comma = 0, c;

	conf_args_clear(p);
	for (;;) {
		switch ((t = conf_lex(p))) {
		case T_WORD:
			if (conf_args_push(p, p->word) == -1)
				return -1;
			comma = 0;
			break;
		case T_COMMA:
			if (!list || p->nargs == 0 || comma) {
				conf_err(p, "unexpected \",\"");
				goto bad;
			}
			comma = 1;
			break;
		case T_LBRACE:
			conf_err(p, "unexpected \"{\"");
			goto bad;
		case T_ERROR:
			goto bad;
		default:
			if (comma) {
				conf_err(p, "unexpected \",\"");
				goto bad;
			}
			/* A -o value is one directive and nothing else. */
			if (p->src->noline && t != T_EOF) {
				c = p->src->buf[p->src->off - 1];
				conf_err(p, "unexpected %s", c == '\n' ?
				    "newline" : c == ';' ? "\";\"" : "\"}\"");
				goto bad;
			}
			if (t != T_EOD)
				p->back = t;
			return 0;
		}
	}
bad:
	conf_recover(p, t);
	return -1;
}
