/* SPDX-License-Identifier: ISC */
/*
 * Memory of a forking server and its children, as Pss (the proportional
 * set size: each page divided among the processes that share it), from
 * /proc/PID/smaps_rollup.  Rss would count the pages that a child shares
 * with its master copy-on-write once per child; Pss adds up to what the
 * whole tree really costs.
 */

#include "config.h"

#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

static long	pss_of(pid_t);
static pid_t	pss_ppid(const char *);

/* The Pss of one process in kB, or -1 if it cannot be read. */
static long
pss_of(pid_t pid)
{
	char	path[64], line[256];
	FILE	*f;
	long	kb = -1;

	snprintf(path, sizeof(path), "/proc/%ld/smaps_rollup", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "Pss:", 4) == 0) {
			kb = strtol(line + 4, NULL, 10);
			break;
		}
	fclose(f);
	if (kb == -1)
		errno = ENODATA;
	return kb;
}

/*
 * The parent of the process whose /proc entry is name, or -1.  The
 * command name in the stat line is in parentheses and may hold spaces
 * and parentheses itself: the fields go on after the last ')'.
 */
static pid_t
pss_ppid(const char *name)
{
	char	path[PATH_MAX], line[512], *p;
	FILE	*f;
	int	ppid;

	snprintf(path, sizeof(path), "/proc/%s/stat", name);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	p = fgets(line, sizeof(line), f);
	fclose(f);
	if (p == NULL || (p = strrchr(line, ')')) == NULL ||
	    sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

/*
 * The Pss of pid and the sum of its children's.  Children that exit
 * while they are read are left out.  Returns -1 with errno if pid's own
 * figure cannot be read.
 */
int
pss_read(pid_t pid, struct pss *p)
{
	struct dirent	*de;
	DIR		*d;
	long		 kb;

	memset(p, 0, sizeof(*p));
	if ((p->master_kb = pss_of(pid)) == -1)
		return -1;
	if ((d = opendir("/proc")) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]) ||
		    pss_ppid(de->d_name) != pid)
			continue;
		if ((kb = pss_of((pid_t)strtol(de->d_name, NULL, 10))) >= 0) {
			p->nchildren++;
			p->children_kb += (unsigned long)kb;
		}
	}
	closedir(d);
	return 0;
}
