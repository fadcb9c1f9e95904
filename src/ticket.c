/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sys/types.h>

#include <stdint.h>
#include <string.h>

#include "ticket.h"

/*
 * Layout: four 32-bit words, in the host's order (the ticket never leaves
 * the machine): the connection count, the variable count, and the sizes
 * with their NUL of the banner and the refuse message (0: none); then the
 * banner, the refuse message and the variables, each NUL-terminated.
 */
#define TICKET_HEAD	(4 * sizeof(uint32_t))

static int	ticket_put(char *, size_t, size_t *, const char *);

/* Append s and its NUL at *off; -1 when it does not fit. */
static int
ticket_put(char *buf, size_t size, size_t *off, const char *s)
{
	size_t	len = strlen(s) + 1;

	if (len > size - *off)
		return -1;
	memcpy(buf + *off, s, len);
	*off += len;
	return 0;
}

ssize_t
ticket_pack(const struct rule *r, const char *banner, const char *refuse,
    unsigned int connnum, char *buf, size_t size)
{
	uint32_t	head[4];
	size_t		off = TICKET_HEAD, i, nenv = 0;

	if (r != NULL) {
		if (r->banner != NULL)
			banner = r->banner;
		if (r->refuse_message != NULL)
			refuse = r->refuse_message;
		nenv = r->nenv;
	}
	if (size < TICKET_HEAD || size > UINT32_MAX || nenv > TICKET_ENV_MAX)
		return -1;
	head[0] = connnum;
	head[1] = (uint32_t)nenv;
	head[2] = banner != NULL ? (uint32_t)strlen(banner) + 1 : 0;
	head[3] = refuse != NULL ? (uint32_t)strlen(refuse) + 1 : 0;
	if ((banner != NULL && ticket_put(buf, size, &off, banner) == -1) ||
	    (refuse != NULL && ticket_put(buf, size, &off, refuse) == -1))
		return -1;
	for (i = 0; i < nenv; i++)
		if (ticket_put(buf, size, &off, r->env[i]) == -1)
			return -1;
	memcpy(buf, head, sizeof(head));
	return (ssize_t)off;
}

int
ticket_unpack(const char *buf, size_t len, struct ticket *t)
{
	uint32_t	 head[4];
	const char	*p, *end = buf + len, *nul;
	size_t		 i;

	memset(t, 0, sizeof(*t));
	if (len == 0)
		return 0;
	if (len < TICKET_HEAD)
		return -1;
	memcpy(head, buf, sizeof(head));
	if (head[1] > TICKET_ENV_MAX)
		return -1;
	t->connnum = head[0];
	t->nenv = head[1];
	p = buf + TICKET_HEAD;
	for (i = 0; i < 2 + t->nenv; i++) {
		if (i < 2 && head[2 + i] == 0)
			continue;
		if ((nul = memchr(p, '\0', (size_t)(end - p))) == NULL ||
		    (i < 2 && (size_t)(nul - p) + 1 != head[2 + i]))
			return -1;
		if (i == 0)
			t->banner = p;
		else if (i == 1)
			t->refuse = p;
		else
			t->env[i - 2] = p;
		p = nul + 1;
	}
	t->env[t->nenv] = NULL;
	return p == end ? 0 : -1;
}
