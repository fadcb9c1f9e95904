/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer target for the command line of one-shot mode: forkd -l
 * LISTEN [-o NAME=VALUE]... HANDLER [ARG]..., through conf_cmdline.  The
 * input is NUL-separated words: the listen address first, then the
 * handler's words up to a word "--", then the -o values.  Besides running
 * the parser under the sanitizers, it checks that a configuration it
 * returns has the one service it promises, and that a refusal says why.
 */

#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"

#define WORDS_MAX	32

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf_errors	 errs = { NULL, 0 };
	struct conf		*conf;
	char			*buf, *words[WORDS_MAX], *listen;
	char			**argv, **opts;
	size_t			 nwords = 0, i, argc = 0, nopts = 0;

	/* A copy with a NUL at the end, cut into words at every NUL. */
	if ((buf = malloc(size + 1)) == NULL)
		abort();
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (i = 0; i <= size && nwords < WORDS_MAX; i++)
		if (i == 0 || buf[i - 1] == '\0')
			words[nwords++] = buf + i;
	listen = words[0];
	argv = words + 1;
	while (1 + argc < nwords && strcmp(argv[argc], "--") != 0)
		argc++;
	opts = argv + argc + (1 + argc < nwords ? 1 : 0);
	nopts = nwords - (size_t)(opts - words);
	if (argc == 0) {
		/* forkd's usage() refuses it before the parser sees it. */
		free(buf);
		return 0;
	}

	conf = conf_cmdline(listen, (int)argc, argv, opts, nopts, &errs);
	if (conf != NULL) {
		if (errs.n != 0 || conf->nservices != 1 ||
		    conf_service_find(conf, "cmdline") == NULL ||
		    conf_service_find(conf, "cmdline")->nlisten == 0)
			abort();
		conf_free(conf);
	} else if (errs.n == 0)
		abort();	/* only out of memory says nothing */
	conf_errors_free(&errs);
	free(buf);
	return 0;
}
