/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target: the configuration parser on any text; a
 * configuration file is a seed as it is.
 *
 * Whatever the text, the parser must not crash, leak or hang, must
 * return a configuration or errors but not both, every error and warning
 * must be "fuzz:LINE: message" with a line of the text and be safe to
 * print (no control character, nothing but UTF-8, whatever bytes the
 * text quotes), and a configuration must hold what the parser promises
 * of it.
 */

#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "conf.h"

#define NAME	"fuzz"

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n",		\
		    __FILE__, __LINE__, #cond);				\
		abort();						\
	}								\
} while (0)

int		LLVMFuzzerTestOneInput(const uint8_t *, size_t);
static int	could_spell(const uint8_t *, size_t, const char *);
static size_t	printable(const unsigned char *);
static void	check_messages(const struct conf_errors *, const uint8_t *,
		    size_t);
static void	check_listen(const struct conf_listen *);
static void	check_settings(const struct conf_settings *);
static void	check_conf(const struct conf *);

/*
 * An include directive reads the files its pattern names, anywhere: a
 * glob of the whole tree would walk all of it (and through /proc/N/root
 * without end), and a file is opened before it is known to be a regular
 * one.  A rules directive reads the file it names, which may be one of
 * /proc's, large beyond its size.  The fuzzer must not do that, so
 * inputs that could spell include or rules are skipped.  A word is bare
 * characters and quoted strings side by side, and no escape yields a
 * letter: a word "include" is its seven letters with nothing but double
 * quotes between them, which this finds in the text with its double
 * quotes taken out.
 */
static int
could_spell(const uint8_t *data, size_t size, const char *word)
{
	size_t	i, n = 0, len = strlen(word);

	for (i = 0; i < size; i++) {
		if (data[i] == '"')
			continue;
		if (data[i] == (uint8_t)word[n])
			n++;
		else
			n = data[i] == (uint8_t)word[0];
		if (n == len)
			return 1;
	}
	return 0;
}

/*
 * The length of the printable character at s: not a C0 or C1 control or
 * DEL, and UTF-8 as RFC 3629 has it (no overlong form, no surrogate,
 * nothing beyond U+10FFFF).  0 if it is none.
 */
static size_t
printable(const unsigned char *s)
{
	size_t		n, i;
	unsigned long	cp, min;

	if (s[0] < 0x20 || s[0] == 0x7f)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc0 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf7) {
		n = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp <= 0x9f)
		return 0;
	return n;
}

static void
check_messages(const struct conf_errors *errs, const uint8_t *data,
    size_t size)
{
	const char	*m;
	char		*end;
	long		 line, lines = 1;
	size_t		 i, n;

	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	for (i = 0; i < errs->n; i++) {
		m = errs->msg[i];
		CHECK(strncmp(m, NAME ":", sizeof(NAME)) == 0);
		line = strtol(m + sizeof(NAME), &end, 10);
		CHECK(line >= 1 && line <= lines);
		CHECK(strncmp(end, ": ", 2) == 0 && end[2] != '\0');
		for (; *m != '\0'; m += n)
			CHECK((n = printable((const unsigned char *)m)) > 0);
	}
}

/*
 * Its text reads back as the address, but for an IPv4-mapped IPv6 one,
 * which is shown as the IPv4 address it maps.
 */
static void
check_listen(const struct conf_listen *l)
{
	const struct sockaddr_in6	*sin6;
	struct sockaddr_in		 sin;
	struct addr			 a[2];
	const struct sockaddr		*want;
	const char			*errstr;

	CHECK(l->file != NULL && l->line >= 1);
	CHECK(addr_parse_listen(l->text, a, &errstr) == 1);
	CHECK(a[0].wildcard == l->addr.wildcard);
	want = (const struct sockaddr *)&l->addr.ss;
	sin6 = (const struct sockaddr_in6 *)&l->addr.ss;
	if (want->sa_family == AF_INET6 &&
	    IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_port = sin6->sin6_port;
		memcpy(&sin.sin_addr, sin6->sin6_addr.s6_addr + 12, 4);
		want = (const struct sockaddr *)&sin;
	}
	CHECK(addr_equal((const struct sockaddr *)&a[0].ss, want));
}

/* A setting is there exactly when it was given, and says where. */
static void
check_settings(const struct conf_settings *s)
{
	size_t	i;

	for (i = 0; i < CONF_SET_COUNT; i++)
		CHECK(!(s->set & (1U << i)) || (s->where[i].file != NULL &&
		    strcmp(s->where[i].file, NAME) == 0 &&
		    s->where[i].line >= 1));

	CHECK((s->user != NULL) == ((s->set & CONF_SET_USER) != 0));
	CHECK((s->group != NULL) == ((s->set & CONF_SET_GROUP) != 0));
	CHECK((s->chroot != NULL) == ((s->set & CONF_SET_CHROOT) != 0));
	CHECK(s->chroot == NULL || s->chroot[0] == '/');
	CHECK((s->refuse_message != NULL) ==
	    ((s->set & CONF_SET_REFUSE_MESSAGE) != 0));
	CHECK(s->nacl == 0 || (s->set & CONF_SET_ACL));
	CHECK(s->nenv == 0 || (s->set & CONF_SET_ENV));
	CHECK(s->npassenv == 0 || (s->set & CONF_SET_PASSENV));
	CHECK(s->nproxy_from == 0 || (s->set & CONF_SET_PROXY_FROM));
	for (i = 0; i < s->nenv; i++)
		CHECK(strchr(s->env[i], '=') != NULL);
	for (i = 0; i < s->npassenv; i++)
		CHECK(s->passenv[i] != NULL && s->passenv[i][0] != '\0');
	CHECK(!(s->set & CONF_SET_RATE) || (s->rate >= 1 &&
	    s->rate_burst >= 1 && (s->rate_ms == 1000 || s->rate_ms == 60000)));
	CHECK(s->backlog >= 1 && s->backlog <= 65535);
}

static void
check_conf(const struct conf *conf)
{
	const struct conf_service	*cs, *o;
	size_t				 n = 0, i;

	CHECK(strcmp(conf->path, NAME) == 0);
	CHECK(conf->nfiles == 1 && strcmp(conf->files[0], NAME) == 0);
	CHECK(conf->max_children >= 1);
	check_settings(&conf->defaults);
	TAILQ_FOREACH(cs, &conf->services, entry) {
		n++;
		CHECK(cs->name != NULL && cs->name[0] != '\0');
		CHECK(cs->file == conf->files[0] && cs->line >= 1);
		CHECK(cs->nlisten >= 1);
		for (i = 0; i < cs->nlisten; i++)
			check_listen(&cs->listen[i]);
		CHECK(cs->argc >= 1 && cs->argv[0] != NULL &&
		    cs->argv[cs->argc] == NULL);
		for (i = 0; i < (size_t)cs->argc; i++)
			CHECK(cs->argv[i] != NULL);
		check_settings(&cs->s);
		/* Checked after the merge: proxy-from needs proxy-protocol. */
		CHECK(cs->s.nproxy_from == 0 ||
		    cs->s.proxy != CONF_PROXY_OFF);
		for (o = TAILQ_NEXT(cs, entry); o != NULL;
		    o = TAILQ_NEXT(o, entry))
			CHECK(strcmp(cs->name, o->name) != 0);
	}
	CHECK(n == conf->nservices);
	/* At most one per list directive of each service. */
	CHECK(conf->warnings.n <= 4 * conf->nservices);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;

	/* -1: not worth keeping in the corpus. */
	if (could_spell(data, size, "include") ||
	    could_spell(data, size, "rules"))
		return -1;
	conf = conf_parse_string(NAME, (const char *)data, size, &errs);
	CHECK((conf == NULL) == (errs.n > 0));
	/* ERRORS_MAX of them, then "too many errors". */
	CHECK(errs.n <= 101);
	check_messages(&errs, data, size);
	if (conf != NULL) {
		check_messages(&conf->warnings, data, size);
		check_conf(conf);
	}
	conf_free(conf);
	conf_errors_free(&errs);
	return 0;
}
