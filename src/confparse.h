/* SPDX-License-Identifier: ISC */
/*
 * The parser's own header, shared by its files and by nothing else:
 * conf.c (files, includes and the entry points), conflex.c (the lexer,
 * quoting and messages), confdirective.c (the directives), confdata.c
 * (copy, merge and free) and confcred.c (users and groups the master
 * can give).  Callers use conf.h.
 */

#ifndef FORKD_CONFPARSE_H
#define FORKD_CONFPARSE_H

#include <sys/types.h>

#include <stdint.h>

#include "conf.h"

#define WORD_MAX	4096		/* bytes in one word */
#define QUOTE_MAX	256		/* bytes of a word shown in a message */
#define CMDLINE		"command line"

#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

enum token {
	T_NONE,
	T_EOF,
	T_EOD,			/* newline or ';' */
	T_WORD,
	T_LBRACE,
	T_RBRACE,
	T_COMMA,
	T_ERROR,		/* already reported */
};

/*
 * A file, a string or one command line word being read.  Only an include
 * nests sources: up points to the including file.
 */
struct src {
	const char	*name;		/* in messages */
	const char	*file;		/* kept: an entry of conf->files */
	const char	*buf;
	size_t		 len;
	size_t		 off;
	int		 line;
	int		 tokline;	/* line of the last token */
	int		 noline;	/* messages "name: ..." (-o, -l) */
	int		 relative;	/* includes from name's folder */
	int		 isfile;
	dev_t		 dev;
	ino_t		 ino;
	int		 depth;
	struct src	*up;
};

struct parser {
	struct conf		*conf;
	struct conf_errors	*errs;
	struct src		*src;
	struct conf_service	*cs;		/* NULL at global scope */
	struct conf_settings	*cur;		/* cs->s, conf->defaults */
	int			 had_listen;	/* in cs, even a bad one */
	int			 had_handler;
	uint64_t		 gset;		/* global-only ones given */
	enum token		 back;		/* pushed back or T_NONE */
	int			 skipping;	/* quiet lexical errors */
	char			 word[WORD_MAX + 1];
	char			**args;		/* NULL-terminated */
	size_t			 nargs;
	size_t			 argscap;
	size_t			 nerr;
	int			 stop;		/* too many errors, no memory */
	int			 nomem;
	char			 quote[4][QUOTE_MAX * 4 + 8];
	unsigned int		 nquote;
};

/* A directive of the keyword table (confdirective.c). */
struct keyword {
	const char	*name;
	int		(*fn)(struct parser *, const struct keyword *);
	int		 flags;
	int		 min, max;	/* arguments */
};

/*
 * conflex.c: messages, quoting and the lexer.  An error at the current
 * token is conf_err(); conf_errat() and conf_warnat() name a place.
 */
void		 conf_err(struct parser *, const char *, ...)
		    __attribute__((__format__(__printf__, 2, 3)));
void		 conf_errat(struct parser *, const char *, int, const char *,
		    ...) __attribute__((__format__(__printf__, 4, 5)));
void		 conf_warnat(struct parser *, const char *, int,
		    const char *, ...)
		    __attribute__((__format__(__printf__, 4, 5)));
int		 conf_errors_add(struct conf_errors *, const char *, int,
		    const char *, ...)
		    __attribute__((__format__(__printf__, 4, 5)));
int		 conf_nomem(struct parser *);
const char	*conf_quote(struct parser *, const char *);
enum token	 conf_lex(struct parser *);
void		 conf_skip(struct parser *);
void		 conf_recover(struct parser *, enum token);
int		 conf_args_push(struct parser *, const char *);
void		 conf_args_clear(struct parser *);
char		*conf_args_steal(struct parser *, size_t);
int		 conf_args_read(struct parser *, int);

/* A word as messages show it: the many messages that quote one say q(). */
static inline const char *
q(struct parser *p, const char *s)
{
	return conf_quote(p, s);
}

/* confdirective.c: the directives, and what their scopes make of them. */
int		 conf_block(struct parser *);
int		 conf_number(struct parser *, const char *, long long,
		    long long, long long *);
int		 conf_envname(struct parser *, const char *);
void		 conf_oneshot(struct parser *, const char *, int, char **,
		    char **, size_t);
void		 conf_finish(struct parser *);

int		 conf_duration(struct parser *, const char *, unsigned int *);
int		 conf_abspath(struct parser *, const char *);

/* conftls.c: the tls-* directives, and their data. */
int		 conf_tls(struct parser *, const struct keyword *);
void		 conf_tls_check(struct parser *, struct conf_service *,
		    uint64_t own);
int		 conf_tls_merge(struct conf_settings *,
		    const struct conf_settings *, uint64_t want);
void		 conf_tls_free(struct conf_settings *);

/* conf.c: the include directive, which reads files. */
int		 conf_include(struct parser *, const struct keyword *);

/*
 * Read the file at path as a configuration file is read (a regular
 * file, opened without blocking; as root, one only root can change), of
 * at most max bytes, into a buffer to free.  -1 with a reason in err.
 */
int		 conf_slurp(const char *path, size_t max, char **bufp,
		    size_t *lenp, char *err, size_t errlen);

/* confrules.c: client blocks and rules files. */
#define RULES_FILE_MAX	(64 * 1024 * 1024)
int		 conf_client(struct parser *, const struct keyword *);
int		 conf_rules(struct parser *, const struct keyword *);
int		 conf_rules_finish(struct parser *, struct conf_service *);

/* confdata.c: the data, without the parser. */
struct conf	*conf_new(void);
void		 conf_settings_init(struct conf_settings *);
void		 conf_settings_free(struct conf_settings *);
int		 conf_settings_merge(struct conf_settings *,
		    const struct conf_settings *);
struct conf_service *conf_service_new(const char *, const char *, int);
void		 conf_service_free(struct conf_service *);

#endif /* FORKD_CONFPARSE_H */
