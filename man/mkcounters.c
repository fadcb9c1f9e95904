/* SPDX-License-Identifier: ISC */
/*
 * mkcounters: copy a manual page from standard input to standard output,
 * with the lines @STATUS_COUNTERS@ and @METRICS_COUNTERS@ replaced by
 * mdoc lists made from forkd's counter table, so that forkd.conf(5)
 * documents every counter the code has, and no other.
 */

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "counters.h"

static void	fold(const char *);
static void	status_list(void);
static void	metrics_list(void);

/* A line of text, folded at spaces into lines of at most 72 bytes. */
static void
fold(const char *s)
{
	const char	*sp;
	size_t		 len;

	while ((len = strlen(s)) > 72) {
		for (sp = s + 72; sp > s && *sp != ' '; sp--)
			;
		if (sp == s)
			break;
		printf("%.*s\n", (int)(sp - s), s);
		s = sp + 1;
	}
	printf("%s\n", s);
}

/*
 * Each status column, with what it counts.  Punctuation after a macro
 * line is an argument of its own.
 */
static void
status_list(void)
{
	const char	*last;
	size_t		 i;

	puts(".Bl -tag -width Ds -compact");
	for (i = 0; i < COUNT_MAX; i++) {
		if ((last = strrchr(counters[i].doc, '\n')) == NULL)
			last = counters[i].doc;
		else
			last++;
		printf(".It Cm %s\n%s%s%s\n", counters[i].column,
		    counters[i].doc, *last == '.' ? " " : "",
		    i + 1 < COUNT_MAX ? ";" : ".");
	}
	puts(".El");
}

/* Each metric once, with the values of its label. */
static void
metrics_list(void)
{
	size_t	i, j, n;

	for (i = 0; i < COUNT_MAX; i = j) {
		for (j = i + 1; j < COUNT_MAX && counters[j].help == NULL; j++)
			;
		printf(".It Li %s\n", counters[i].metric);
		fold(counters[i].help);
		if (counters[i].label == NULL)
			continue;
		printf("Label\n.Li %s :\n", counters[i].label);
		for (n = i; n < j; n++)
			printf(".Li %s%s\n", counters[n].value,
			    n + 1 == j ? " ." : n + 2 == j ? "\nor" : " ,");
	}
}

int
main(void)
{
	char	line[4096];

	while (fgets(line, sizeof(line), stdin) != NULL) {
		if (strcmp(line, "@STATUS_COUNTERS@\n") == 0)
			status_list();
		else if (strcmp(line, "@METRICS_COUNTERS@\n") == 0)
			metrics_list();
		else
			fputs(line, stdout);
	}
	return ferror(stdin) || fflush(stdout) == EOF ? EXIT_FAILURE :
	    EXIT_SUCCESS;
}
